package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// ConnectionID implements [dialect.Sessions]: the backend's pid.
func (Dialect) ConnectionID(ctx context.Context, conn *sql.Conn) (int64, error) {
	var pid int64
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, fmt.Errorf("read the session's backend pid: %w", err)
	}
	return pid, nil
}

// CancelStatement implements [dialect.Sessions]. pgx sends PostgreSQL's
// cancel request itself when a statement's context ends, so there is
// nothing left to stop.
func (Dialect) CancelStatement(context.Context, *sql.DB, int64) error { return nil }

// ResetSession implements [dialect.Sessions] with RESET ALL, which puts
// every setting (search_path, timeouts, role-independent GUCs) back to the
// session's defaults. It keeps prepared statements, which pgx caches per
// connection (DISCARD ALL would break them).
func (Dialect) ResetSession(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "RESET ALL"); err != nil {
		return fmt.Errorf("reset the session: %w", err)
	}
	return nil
}

// SingleWriter implements [dialect.Sessions]: PostgreSQL takes many writers.
func (Dialect) SingleWriter() bool { return false }

// ServerVersion implements [dialect.Versioner] from server_version_num.
func (Dialect) ServerVersion(ctx context.Context, q dialect.Querier) (dialect.Version, error) {
	var raw string
	if err := q.QueryRowContext(ctx, "SELECT current_setting('server_version_num')").Scan(&raw); err != nil {
		return dialect.Version{}, fmt.Errorf("read the server version: %w", err)
	}
	return dialect.ParseVersion(dialect.PostgreSQL, raw)
}
