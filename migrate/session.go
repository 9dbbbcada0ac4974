package migrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"
)

// The session of the run's connection: every migration of a run uses one
// connection, so that what a file sets (SET search_path, USE) holds for
// the files after it, and nothing of it may reach the application's pool
// afterwards. How an engine identifies, interrupts and resets a session is
// the dialect's ([dialect.Sessions]).

// sessionTimeout bounds the session work done after a run's context ended.
const sessionTimeout = 5 * time.Second

// connectionID returns the server's id of conn's session, so that a
// statement the client gave up on can be stopped on the server; 0 when it
// cannot be read, which leaves that to the driver. It is read once per run
// connection.
func (p *Provider) connectionID(ctx context.Context, conn *sql.Conn) int64 {
	if id, ok := p.sessionIDs.Load(conn); ok {
		return id.(int64)
	}
	id, err := p.d.ConnectionID(ctx, conn)
	if err != nil {
		p.o.logger.Warn("read the run's connection id; an interrupted statement is left to the driver to stop", "error", err)
		return 0
	}
	p.sessionIDs.Store(conn, id)
	return id
}

// cancelStatement stops, from another connection, the statement session id
// was running when its context ended, where the driver does not (MySQL).
func (p *Provider) cancelStatement(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	if err := p.d.CancelStatement(ctx, p.db, id); err != nil {
		p.o.logger.Warn("stop the interrupted statement on the server", "connection", id, "error", err)
	}
}

func (p *Provider) execTimeouts(ctx context.Context, ex Querier, stmts []string) error {
	for _, s := range stmts {
		if _, err := ex.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// releaseConn hands the run's connection back with what migrations did to
// its session undone (settings, search_path, the current database,
// timeouts), so an application sharing the pool does not inherit them.
// Where the engine has no reset, the dialect discards the connection
// instead, and Close then reports sql.ErrConnDone, which is expected.
func (p *Provider) releaseConn(conn *sql.Conn) {
	p.sessionIDs.Delete(conn)
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	if err := p.d.ResetSession(ctx, conn); err != nil {
		p.o.logger.Warn("reset the run's session; its connection is closed instead", "error", err)
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close()
}
