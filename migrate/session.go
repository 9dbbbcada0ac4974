package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The session handling of the run's connection. It differs per engine and
// belongs in package dialect (issue 12); it stays here until the dialect
// grows a session interface.

// killQuery stops a MySQL statement that the client gave up on: the server
// would otherwise finish it after the connection closed.
func (p *Provider) killQuery(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.db.ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", id)); err != nil {
		p.o.logger.Warn("stop the interrupted statement on the server", "connection", id, "error", err)
	}
}

// connectionID returns the MySQL connection id of conn (0 elsewhere), so
// that an interrupted statement can be stopped on the server.
func (p *Provider) connectionID(ctx context.Context, conn *sql.Conn) int64 {
	var id int64
	if p.d.Name() == "mysql" {
		_ = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id)
	}
	return id
}

// resetLocalTimeouts returns the statements that put a transaction's
// timeouts back to the session's, between migrations of one transaction.
func (p *Provider) resetLocalTimeouts() []string {
	if p.d.Name() != "postgres" {
		return nil
	}
	return []string{"SET LOCAL lock_timeout TO DEFAULT", "SET LOCAL statement_timeout TO DEFAULT"}
}

func (p *Provider) execTimeouts(ctx context.Context, ex Querier, stmts []string) error {
	for _, s := range stmts {
		if _, err := ex.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// releaseConn returns the run's connection to the pool with the session
// settings migrations made undone, so an application sharing the pool does
// not inherit a migration's search_path.
func (p *Provider) releaseConn(conn *sql.Conn) {
	if p.d.Name() == "postgres" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = conn.ExecContext(ctx, "RESET ALL")
		cancel()
	}
	conn.Close()
}
