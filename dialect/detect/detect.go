// Package detect tells which [dialect.Dialect] a database speaks, without
// importing any driver, so that a library that embeds strata compiles only
// the drivers its application chose.
//
// [Driver] answers from the package that implements the driver, with no
// I/O. A driver it does not know, such as one wrapped for tracing (otelsql,
// sqlcommenter), is identified by [Server], which asks the server. Neither
// guesses: what they cannot identify is an error wrapping
// [ErrUnknownEngine]. connect.Detect, which knows the drivers strata opens,
// falls back to [Server] too.
package detect

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
)

// ErrUnknownEngine is wrapped by every error that says the engine could not
// be told.
var ErrUnknownEngine = errors.New("cannot tell the database engine")

// Driver returns the dialect of drv from the import path of the package
// that implements it, without I/O, and false for a driver it does not
// know. MySQL and MariaDB share a driver: Driver answers mysql.Dialect{}
// for both, and [Server] tells them apart.
func Driver(drv driver.Driver) (dialect.Dialect, bool) {
	t := reflect.TypeOf(drv)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil, false
	}
	switch t.PkgPath() {
	case "github.com/jackc/pgx/v5/stdlib", "github.com/jackc/pgx/v4/stdlib", "github.com/lib/pq":
		return postgres.Dialect{}, true
	case "github.com/go-sql-driver/mysql":
		return mysql.Dialect{}, true
	case "modernc.org/sqlite", "github.com/mattn/go-sqlite3", "github.com/ncruces/go-sqlite3/driver":
		return sqlite.Dialect{}, true
	}
	return nil, false
}

// Named returns the dialect of an engine named as users and configuration
// name it ("postgres", "postgresql", "pgx", "mysql", "mariadb", "sqlite",
// "sqlite3"), case-insensitively; an unknown name is an error wrapping
// [ErrUnknownEngine].
func Named(name string) (dialect.Dialect, error) {
	switch strings.ToLower(name) {
	case "postgres", "postgresql", "pgx":
		return postgres.Dialect{}, nil
	case "mysql":
		return mysql.Dialect{}, nil
	case "mariadb":
		return mysql.Dialect{MariaDB: true}, nil
	case "sqlite", "sqlite3":
		return sqlite.Dialect{}, nil
	}
	return nil, fmt.Errorf("%w: unknown engine %q (want postgres, mysql, mariadb or sqlite)", ErrUnknownEngine, name)
}

// Server asks the server behind q which engine it is, with queries that
// fail harmlessly on the others: PostgreSQL, MySQL and MariaDB name
// themselves in version(), SQLite answers sqlite_version().
func Server(ctx context.Context, q dialect.Querier) (dialect.Dialect, error) {
	var v string
	verr := q.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	if verr == nil {
		switch {
		case strings.HasPrefix(v, "PostgreSQL "):
			return postgres.Dialect{}, nil
		case strings.Contains(strings.ToLower(v), "mariadb"):
			return mysql.Dialect{MariaDB: true}, nil
		}
		var comment string
		if err := q.QueryRowContext(ctx, "SELECT @@version_comment").Scan(&comment); err == nil {
			return mysql.Dialect{}, nil
		}
	}
	var sv string
	if err := q.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&sv); err == nil {
		return sqlite.Dialect{}, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnknownEngine, ctx.Err())
	}
	if verr != nil {
		return nil, fmt.Errorf("%w: the server answers neither version() nor sqlite_version() (%v); pass the dialect explicitly", ErrUnknownEngine, verr)
	}
	return nil, fmt.Errorf("%w: version() is %q, which is neither PostgreSQL, MySQL nor MariaDB; pass the dialect explicitly", ErrUnknownEngine, v)
}
