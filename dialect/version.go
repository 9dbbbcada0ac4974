package dialect

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Versioner reads the server's version: the one place that knows which
// query each engine answers it with and how to read the answer.
type Versioner interface {
	// ServerVersion asks the server for its version.
	ServerVersion(ctx context.Context, q Querier) (Version, error)
}

// Flavor is the product behind an engine: MySQL and MariaDB share a
// dialect but not every feature.
type Flavor string

// Flavors.
const (
	PostgreSQL Flavor = "postgres"
	MySQL      Flavor = "mysql"
	MariaDB    Flavor = "mariadb"
	SQLite     Flavor = "sqlite"
)

// Version is a server's product and version number.
type Version struct {
	Flavor              Flavor
	Major, Minor, Patch int
	// Raw is the text the server answered with, such as
	// "10.11.6-MariaDB-0+deb12u1" or "150008".
	Raw string
}

// String returns the product and number: "PostgreSQL 15.8",
// "MariaDB 10.11.6", "MySQL 8.0.36", "SQLite 3.46.0".
func (v Version) String() string {
	name := map[Flavor]string{PostgreSQL: "PostgreSQL", MySQL: "MySQL", MariaDB: "MariaDB", SQLite: "SQLite"}[v.Flavor]
	if name == "" {
		name = string(v.Flavor)
	}
	return fmt.Sprintf("%s %d.%d.%d", name, v.Major, v.Minor, v.Patch)
}

// AtLeast reports whether v is major.minor.patch or later.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

// ParseVersion reads a version as a server prints it: PostgreSQL's
// server_version_num (150008 → 15.8, 90624 → 9.6.24) or server_version
// ("15.8 (Debian …)"), MySQL's and MariaDB's VERSION()
// ("10.11.6-MariaDB-0+deb12u1", "8.0.36-log"; MariaDB is recognised by
// name, so flavor may be MySQL), SQLite's sqlite_version(). flavor says
// which engine answered.
func ParseVersion(flavor Flavor, raw string) (Version, error) {
	v := Version{Flavor: flavor, Raw: raw}
	s := strings.TrimSpace(raw)
	if flavor == MySQL || flavor == MariaDB {
		if strings.Contains(strings.ToLower(s), "mariadb") {
			v.Flavor = MariaDB
			// Old MariaDB servers prefix a fake 5.5.5- for replication.
			s = strings.TrimPrefix(s, "5.5.5-")
		}
	}
	if flavor == PostgreSQL && s != "" && !strings.ContainsAny(s, ". ") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return v, fmt.Errorf("read server version %q: not a version number", raw)
		}
		if n >= 100000 {
			v.Major, v.Minor = n/10000, n%10000
		} else {
			v.Major, v.Minor, v.Patch = n/10000, n/100%100, n%100
		}
		return v, nil
	}
	end := strings.IndexFunc(s, func(r rune) bool { return !(r == '.' || (r >= '0' && r <= '9')) })
	if end >= 0 {
		s = s[:end]
	}
	parts := strings.Split(s, ".")
	nums := []*int{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		if i >= len(nums) {
			break
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("read server version %q: not a version number", raw)
		}
		*nums[i] = n
	}
	if v.Major == 0 && v.Minor == 0 && v.Patch == 0 {
		return v, fmt.Errorf("read server version %q: not a version number", raw)
	}
	return v, nil
}
