package dialect

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Dialect is one SQL engine. Implementations are safe for concurrent use.
//
// Besides the methods the migration runner needs, a Dialect answers every
// other engine question through the small interfaces it embeds: quoting
// ([Quoter]), reading a table's definition ([Describer]), the server's
// version ([Versioner]), what an error means ([Classifier]), how
// sessions behave ([Sessions]) and what another session sees of a runner
// ([Watcher]). Code outside this package and connect asks
// these instead of comparing [Dialect.Name] with an engine's name.
type Dialect interface {
	Quoter
	Describer
	Versioner
	Classifier
	Sessions
	Watcher

	// Name is the engine's short name: "postgres", "mysql" or "sqlite".
	Name() string
	// TransactionalDDL reports whether DDL statements can be rolled back.
	TransactionalDDL() bool
	// Placeholder returns the bind parameter for the n-th (1-based) argument.
	Placeholder(n int) string
	// HistoryDDL returns the statements that create the history table t if
	// it does not exist. They are run while the runner's lock is held.
	HistoryDDL(t Table) []string
	// TimeoutSQL returns the statements that set the lock and statement
	// timeouts for the statements of one migration, and those that restore
	// the session afterwards. A zero duration leaves that setting alone.
	// When inTx is true, set and reset run inside the transaction: reset,
	// run before the transaction ends, hands the rest of it (the next
	// migration of a single transaction) the default settings again. Where
	// settings can be scoped to the transaction (PostgreSQL's SET LOCAL)
	// they end with it anyway; where they cannot (MySQL), a transaction
	// that failed before reset ran leaves them on the session, which
	// [Sessions.ResetSession] then undoes.
	TimeoutSQL(lock, statement time.Duration, inTx bool) (set, reset []string)
	// Lock takes the runner's lock for the history table t, waiting up to
	// opts.Wait. It returns an error wrapping [ErrLockTimeout] when the wait
	// runs out.
	Lock(ctx context.Context, db *sql.DB, t Table, opts LockOptions) (Lock, error)
	// IsMissingObject reports whether err says that the object a statement
	// names does not exist (an undefined table, column, index or
	// constraint): [Classifier.Classify] answers [MissingObject].
	IsMissingObject(err error) bool
	// CurrentDatabase names the database or schema the connection works in,
	// for messages.
	CurrentDatabase(ctx context.Context, db *sql.DB) (string, error)
}

// Table names a table: the history table, or any table [Describer] reads.
// Schema may be empty for the connection's default schema (PostgreSQL's
// search_path, MySQL's current database, SQLite's main).
type Table struct {
	Schema string
	Name   string
}

// DefaultTable is the history table used when none is configured.
const DefaultTable = "strata_schema_migrations"

// String returns the table's name, schema-qualified when a schema is set.
func (t Table) String() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// Qualified quotes t for q: "schema"."name", or "name" alone when Schema
// is empty.
func (t Table) Qualified(q Quoter) string { return QuoteQualified(q, t.Schema, t.Name) }

// LockOptions tune how [Dialect.Lock] waits.
type LockOptions struct {
	// Wait is how long to wait for another runner to release the lock.
	// Zero means try once.
	Wait time.Duration
	// OnWait is called about every few seconds while waiting, with a
	// description of the holder when the engine can tell.
	OnWait func(waited time.Duration, holder string)
}

// Lock is a held runner lock.
type Lock interface {
	// Lost is closed when the lock can no longer be guaranteed (its
	// connection died or its lease could not be renewed). The runner stops
	// at the next safe point when it is.
	Lost() <-chan struct{}
	// Held checks, with a round trip, that the lock is still held; the
	// runner calls it before each migration so that a lock lost between two
	// pings never lets a migration run unprotected.
	Held(ctx context.Context) error
	// Unlock releases the lock. It is safe to call more than once.
	Unlock(ctx context.Context) error
}

// ErrLockTimeout is returned (wrapped) when another runner held the lock for
// longer than the wait allowed.
var ErrLockTimeout = errors.New("lock not acquired")

// ErrLockLost is returned when the runner's lock is no longer held.
var ErrLockLost = errors.New("the runner lock was lost (its connection died or its lease expired)")

// PollInterval is how often a waiting runner retries the lock.
const PollInterval = 200 * time.Millisecond

// WaitReportInterval is how often a waiting runner calls OnWait.
const WaitReportInterval = 5 * time.Second
