package testenv

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
)

// Engine is one engine's fresh database, open and ready: what a test of
// engine-independent code needs.
type Engine struct {
	// Name is the engine as URLs and subtests name it: "postgres",
	// "mysql" (MySQL or MariaDB) or "sqlite".
	Name string
	// URL is the database's URL, as [Postgres], [MySQL] and [SQLite]
	// return it.
	URL string
	// Dialect is the dialect connect.Open chose for it (MariaDB told
	// apart from MySQL).
	Dialect dialect.Dialect
	// DB is open on the database and closed when the test ends.
	DB *sql.DB
}

// engines lists every SQL engine strata supports, in the order tests run
// them.
var engines = []struct {
	name string
	url  func(testing.TB) string
}{
	{"postgres", Postgres},
	{"mysql", MySQL},
	{"sqlite", SQLite},
}

// ForEachEngine runs f as a subtest named after each engine (only those
// named in only, when any are), each with a fresh database of its own, so
// that a test written once runs on PostgreSQL, MySQL/MariaDB and SQLite:
//
//	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
//		t.Parallel()
//		p, err := migrate.NewProvider(e.DB, fsys, migrate.WithDialect(e.Dialect))
//		…
//	})
//
// A server that is not running skips its subtest, or fails it when CI is
// true (see the package documentation). f may call t.Parallel: the
// databases are independent.
func ForEachEngine(t *testing.T, f func(t *testing.T, e Engine), only ...string) {
	t.Helper()
	for _, eng := range engines {
		if len(only) > 0 && !slices.Contains(only, eng.name) {
			continue
		}
		t.Run(eng.name, func(t *testing.T) {
			f(t, Open(t, eng.name, eng.url(t)))
		})
	}
}

// Open opens url, a database from [Postgres], [MySQL] or [SQLite], with
// connect.Open, and closes it when the test ends. name is the Engine's
// name.
func Open(t testing.TB, name, url string) Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	tg, err := connect.Open(ctx, url)
	if err != nil {
		t.Fatalf("testenv: open %s database: %v", name, err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	return Engine{Name: name, URL: url, Dialect: tg.Dialect, DB: tg.DB}
}
