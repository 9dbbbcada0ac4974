package connect

import (
	"context"
	"database/sql"
	"fmt"

	driver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/stdlib"
	moderncsqlite "modernc.org/sqlite"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/detect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
)

// ErrUnknownEngine is returned (wrapped) by [Detect] when neither the
// driver nor the server says which engine a database is. It is
// [detect.ErrUnknownEngine].
var ErrUnknownEngine = detect.ErrUnknownEngine

// Detect returns the dialect of db, an *sql.DB the caller opened. The
// driver's type answers for the drivers strata uses (pgx, go-sql-driver,
// modernc.org/sqlite). A driver it does not know, such as one wrapped for
// tracing (otelsql, sqlcommenter) or another PostgreSQL driver, is
// identified by asking the server: PostgreSQL and MySQL name themselves in
// version(), SQLite answers sqlite_version(). MySQL and MariaDB are told
// apart by VERSION(). When nothing answers, the error wraps
// [ErrUnknownEngine]; there is no default engine.
func Detect(ctx context.Context, db *sql.DB) (dialect.Dialect, error) {
	switch db.Driver().(type) {
	case *stdlib.Driver:
		return postgres.Dialect{}, nil
	case *driver.MySQLDriver, driver.MySQLDriver:
		return mysqlDialect(ctx, db)
	case *moderncsqlite.Driver:
		return sqlite.Dialect{}, nil
	}
	return probe(ctx, db)
}

// mysqlDialect reads VERSION() to tell MariaDB from MySQL.
func mysqlDialect(ctx context.Context, db *sql.DB) (dialect.Dialect, error) {
	v, err := mysql.Dialect{}.ServerVersion(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("detect the database engine: %w", err)
	}
	return mysql.Dialect{MariaDB: v.Flavor == dialect.MariaDB}, nil
}

// probe asks the server which engine it is, naming the driver in the
// error when it cannot tell.
func probe(ctx context.Context, db *sql.DB) (dialect.Dialect, error) {
	d, err := detect.Server(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("driver %T: %w", db.Driver(), err)
	}
	return d, nil
}

// ForEngine returns the dialect for an engine's name as configuration
// spells it: "postgres" (or "postgresql", "pgx"), "mysql", "mariadb",
// "sqlite" (or "sqlite3").
func ForEngine(name string) (dialect.Dialect, error) {
	return detect.Named(name)
}
