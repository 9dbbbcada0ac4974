package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect"
)

// ConnectionID implements [dialect.Sessions]: CONNECTION_ID().
func (Dialect) ConnectionID(ctx context.Context, conn *sql.Conn) (int64, error) {
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return 0, fmt.Errorf("read the session's connection id: %w", err)
	}
	return id, nil
}

// CancelStatement implements [dialect.Sessions] with KILL QUERY: when a
// statement's context ends, the driver closes its connection but the server
// would run the statement to its end, holding its locks.
func (Dialect) CancelStatement(ctx context.Context, db *sql.DB, id int64) error {
	if id <= 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", id)); err != nil {
		var me *mysqldriver.MySQLError
		if errors.As(err, &me) && me.Number == 1094 { // unknown thread id
			return nil // the session ended on its own
		}
		return fmt.Errorf("stop the statement of connection %d (KILL QUERY): %w", id, err)
	}
	return nil
}

// ResetSession implements [dialect.Sessions]. database/sql gives no way to
// send COM_RESET_CONNECTION, and a migration may have changed anything
// (sql_mode, time_zone, the current database with USE), so the connection
// is discarded: database/sql closes a connection whose Raw callback
// reports driver.ErrBadConn instead of pooling it.
func (Dialect) ResetSession(_ context.Context, conn *sql.Conn) error {
	err := conn.Raw(func(any) error { return driver.ErrBadConn })
	if err != nil && err != driver.ErrBadConn && err != sql.ErrConnDone {
		return fmt.Errorf("discard the session: %w", err)
	}
	return nil
}

// SingleWriter implements [dialect.Sessions]: MySQL takes many writers.
func (Dialect) SingleWriter() bool { return false }

// ServerVersion implements [dialect.Versioner] from VERSION(), which names
// MariaDB.
func (Dialect) ServerVersion(ctx context.Context, q dialect.Querier) (dialect.Version, error) {
	var raw string
	if err := q.QueryRowContext(ctx, "SELECT VERSION()").Scan(&raw); err != nil {
		return dialect.Version{}, fmt.Errorf("read the server version: %w", err)
	}
	return dialect.ParseVersion(dialect.MySQL, raw)
}
