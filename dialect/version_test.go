package dialect_test

import (
	"testing"

	"github.com/strata-db/strata/dialect"
)

func TestParseVersionReadsEveryEnginesAnswer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		flavor dialect.Flavor
		raw    string
		want   string
	}{
		{"PostgreSQL 15 server_version_num", dialect.PostgreSQL, "150008", "PostgreSQL 15.8.0"},
		{"PostgreSQL 9.6 server_version_num", dialect.PostgreSQL, "90624", "PostgreSQL 9.6.24"},
		{"PostgreSQL server_version text", dialect.PostgreSQL, "15.8 (Debian 15.8-0+deb12u1)", "PostgreSQL 15.8.0"},
		{"MariaDB's VERSION()", dialect.MySQL, "10.11.19-MariaDB-0+deb12u1", "MariaDB 10.11.19"},
		{"old MariaDB's replication prefix", dialect.MySQL, "5.5.5-10.3.39-MariaDB", "MariaDB 10.3.39"},
		{"MySQL's VERSION()", dialect.MySQL, "8.0.36-log", "MySQL 8.0.36"},
		{"SQLite", dialect.SQLite, "3.46.0", "SQLite 3.46.0"},
	}
	for _, c := range cases {
		v, err := dialect.ParseVersion(c.flavor, c.raw)
		if err != nil || v.String() != c.want || v.Raw != c.raw {
			t.Errorf("%s: ParseVersion(%q) = %s (raw %q), %v; want %s", c.name, c.raw, v, v.Raw, err, c.want)
		}
	}
	for _, bad := range []string{"", "unknown", "x.y"} {
		if _, err := dialect.ParseVersion(dialect.MySQL, bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}

func TestVersionAtLeastComparesPartByPart(t *testing.T) {
	t.Parallel()
	v := dialect.Version{Flavor: dialect.MariaDB, Major: 10, Minor: 11, Patch: 6}
	for _, c := range []struct {
		major, minor, patch int
		want                bool
	}{{10, 11, 6, true}, {10, 2, 99, true}, {9, 99, 99, true}, {10, 11, 7, false}, {10, 12, 0, false}, {11, 0, 0, false}} {
		if got := v.AtLeast(c.major, c.minor, c.patch); got != c.want {
			t.Errorf("%s AtLeast(%d, %d, %d) = %v, want %v", v, c.major, c.minor, c.patch, got, c.want)
		}
	}
}
