package lint

import (
	"context"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/testenv"
)

// TestForServerPicksTheEngineAndVersionOfTheProduct maps what
// dialect.Versioner reads to the linter's engine and version: MariaDB lints
// as MySQL with MariaDB's rules, SQLite is not linted.
func TestForServerPicksTheEngineAndVersionOfTheProduct(t *testing.T) {
	t.Parallel()
	cases := []struct {
		flavor dialect.Flavor
		raw    string
		engine Engine
		ok     bool
		check  func(l *Linter) bool
	}{
		{dialect.PostgreSQL, "150008", Postgres, true, func(l *Linter) bool { return l.pgVer == 1500 }},
		{dialect.PostgreSQL, "90624", Postgres, true, func(l *Linter) bool { return l.pgVer == 906 }},
		{dialect.MySQL, "8.0.36-log", MySQL, true, func(l *Linter) bool { return !l.my.mariadb && l.my.atLeast(8, 0, 36) && !l.my.atLeast(8, 0, 37) }},
		{dialect.MySQL, "10.11.6-MariaDB-0+deb12u1", MySQL, true, func(l *Linter) bool { return l.my.mariadb && l.my.atLeast(10, 11, 6) }},
		{dialect.SQLite, "3.46.0", "", false, nil},
	}
	for _, c := range cases {
		v, err := dialect.ParseVersion(c.flavor, c.raw)
		if err != nil {
			t.Fatal(err)
		}
		e, ver, ok := ForServer(v)
		if e != c.engine || ok != c.ok {
			t.Errorf("%s %s: engine %q ok %v, want %q %v", c.flavor, c.raw, e, ok, c.engine, c.ok)
			continue
		}
		if !ok {
			continue
		}
		l, err := New(Options{Engine: e, ServerVersion: ver})
		if err != nil {
			t.Errorf("%s %s: server version %q: %v", c.flavor, c.raw, ver, err)
			continue
		}
		if !c.check(l) {
			t.Errorf("%s %s: server version %q read as pg %d, mysql %+v", c.flavor, c.raw, ver, l.pgVer, l.my)
		}
	}
}

// TestForServerOnEveryEngine asks each real server for its version and
// builds the linter for it.
func TestForServerOnEveryEngine(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		v, err := e.Dialect.ServerVersion(context.Background(), e.DB)
		if err != nil {
			t.Fatal(err)
		}
		engine, ver, ok := ForServer(v)
		if ok != (v.Flavor != dialect.SQLite) {
			t.Fatalf("%s: ok %v", v, ok)
		}
		if !ok {
			return
		}
		if _, err := New(Options{Engine: engine, ServerVersion: ver}); err != nil {
			t.Fatalf("%s: server version %q: %v", v, ver, err)
		}
	})
}
