package lint

import (
	"fmt"
	"strings"
)

// mysqlVersion is a MySQL or MariaDB server version.
type mysqlVersion struct {
	mariadb             bool
	major, minor, patch int
}

func (v mysqlVersion) atLeast(major, minor, patch int) bool {
	if v.major != major {
		return v.major > major
	}
	if v.minor != minor {
		return v.minor > minor
	}
	return v.patch >= patch
}

func (v mysqlVersion) String() string {
	name := "MySQL"
	if v.mariadb {
		name = "MariaDB"
	}
	return fmt.Sprintf("%s %d.%d.%d", name, v.major, v.minor, v.patch)
}

func parseMySQLVersion(s string) (mysqlVersion, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	v := mysqlVersion{}
	if s == "" {
		return mysqlVersion{major: 8, minor: 0, patch: 35}, nil
	}
	if strings.Contains(s, "mariadb") {
		v.mariadb = true
		s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "mariadb", ""), "-", " "))
	}
	n, _ := fmt.Sscanf(s, "%d.%d.%d", &v.major, &v.minor, &v.patch)
	if n == 2 {
		v.patch = 99 // "8.0": a current 8.0 release
	}
	if n == 0 || v.major <= 0 {
		return v, fmt.Errorf("server version %q: want a MySQL or MariaDB version such as 8.0.35, 5.7 or 10.6", s)
	}
	if v.major >= 10 {
		v.mariadb = true
	}
	return v, nil
}
