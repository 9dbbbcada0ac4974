package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// ConnectionID implements [dialect.Sessions]: SQLite runs in the process
// and has no session ids, so it is 0.
func (Dialect) ConnectionID(context.Context, *sql.Conn) (int64, error) { return 0, nil }

// CancelStatement implements [dialect.Sessions]: the driver interrupts a
// statement whose context ends, so there is nothing to do.
func (Dialect) CancelStatement(context.Context, *sql.DB, int64) error { return nil }

// ResetSession implements [dialect.Sessions]. SQLite has no reset: PRAGMAs
// a statement changed stay with the connection. The connection is kept, not
// discarded, because the last connection to an in-memory database takes the
// database with it.
func (Dialect) ResetSession(context.Context, *sql.Conn) error { return nil }

// SingleWriter implements [dialect.Sessions]: SQLite has one writer at a
// time per database file.
func (Dialect) SingleWriter() bool { return true }

// ServerVersion implements [dialect.Versioner]: the library's
// sqlite_version().
func (Dialect) ServerVersion(ctx context.Context, q dialect.Querier) (dialect.Version, error) {
	var raw string
	if err := q.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&raw); err != nil {
		return dialect.Version{}, fmt.Errorf("read the SQLite version: %w", err)
	}
	return dialect.ParseVersion(dialect.SQLite, raw)
}
