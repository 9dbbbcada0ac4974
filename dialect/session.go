package dialect

import (
	"context"
	"database/sql"
)

// Sessions is how an engine's sessions behave: what identifies one, how a
// running statement is stopped, how a borrowed connection is handed back
// clean, and whether writers must share one connection.
type Sessions interface {
	// ConnectionID returns the server's id of conn's session (PostgreSQL's
	// backend pid, MySQL's CONNECTION_ID()), as it appears in
	// pg_stat_activity or SHOW PROCESSLIST; 0 on SQLite, which has no
	// server.
	ConnectionID(ctx context.Context, conn *sql.Conn) (int64, error)
	// CancelStatement stops the statement running in session id from
	// another connection of db. It is for a statement whose context ended
	// while the driver cannot stop it on the server: MySQL's driver gives up
	// on the connection and the server runs on, so this sends KILL QUERY.
	// Where the driver cancels on its own (PostgreSQL sends a cancel
	// request, SQLite interrupts), it does nothing and returns nil, so a
	// caller calls it after every interrupted statement.
	CancelStatement(ctx context.Context, db *sql.DB, id int64) error
	// ResetSession undoes what statements did to conn's session (settings,
	// search_path, the current database) before conn goes back to the pool,
	// so an application sharing the pool does not inherit them. Where no
	// reset exists (MySQL through database/sql), it discards the connection
	// instead; either way the caller then closes conn, which returns
	// [sql.ErrConnDone] when it was discarded. SQLite keeps PRAGMAs a
	// statement changed: they are per connection and there is no reset.
	ResetSession(ctx context.Context, conn *sql.Conn) error
	// SingleWriter reports that the engine allows one writing connection at
	// a time (SQLite): work that writes from two connections at once must
	// share one instead, or it waits for itself.
	SingleWriter() bool
	// DescribeSession says where q's session resolves unqualified names
	// and who it runs as. It wraps [errors.ErrUnsupported] on an engine
	// without schemas to choose or users (SQLite).
	DescribeSession(ctx context.Context, q Querier) (SessionInfo, error)
}

// SessionInfo is what [Sessions.DescribeSession] reads.
type SessionInfo struct {
	// Schema is where unqualified names resolve: PostgreSQL's
	// current_schema() (the first schema of search_path that exists),
	// MySQL's current database. Empty when there is none (a search_path
	// naming no existing schema, a MySQL session before USE).
	Schema string
	// User is the user the session runs as (current_user, CURRENT_USER()).
	User string
}

// Batcher is implemented by the dialects of engines that can run several
// statements in one round trip and still say which one failed. It is
// optional: callers that find a dialect without it run the statements one
// at a time.
type Batcher interface {
	// ExecBatch runs stmts in order on conn's session (inside whatever
	// transaction is open on it), sending them together, and stops at the
	// first that fails. On success n is len(stmts). On failure n is the
	// index of the statement that failed and err its error, with positions
	// in it relative to that statement's own text; the statements before
	// it ran, unless the server refused the batch as a whole (PostgreSQL
	// parses all of it first, so a syntax error anywhere stops it before
	// the first statement). Each statement must hold exactly one command
	// (no empty or comment-only text). It returns an error wrapping
	// [errors.ErrUnsupported], having run nothing, when conn's driver
	// cannot send a batch.
	ExecBatch(ctx context.Context, conn *sql.Conn, stmts []string) (n int, err error)
}
