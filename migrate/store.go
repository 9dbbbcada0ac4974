package migrate

import (
	"context"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Store keeps a target's migration history and holds its runner lock. The
// runner talks to history only through a Store, so an engine without SQL
// (a document store, a key-value store) plugs in by implementing these six
// methods; [SQLStore] is the implementation for SQL databases and the
// default. Pass another with [WithStore].
//
// The contract, which a store must keep whatever its engine:
//
//   - Every method takes ctx first and stops when it is done. The runner
//     calls history writes after a failure with a context detached from the
//     cancelled run, so a store must not assume a cancelled run means no
//     more writes.
//   - Ensure creates what the history needs (a table, a collection, an
//     index) when it is missing and does nothing when it exists. It runs
//     under the runner lock, but must be safe to run twice.
//   - List returns every record, in any order (the runner sorts), and
//     returns no record and no error when the history does not exist yet:
//     read-only commands call it before Ensure and must create nothing.
//   - Insert adds a record and fails when one with the same Version exists.
//     A store without transactions makes it a conditional write (put if
//     absent), so two runners that both lost their lock cannot both record
//     one migration.
//   - Update replaces the record with r.Version and every field of it; it
//     may fail when there is none. A store writes it as one conditional
//     write (put if present).
//   - Delete removes the record with version v; removing one that is not
//     there is not an error.
//   - Lock takes the runner lock (see [Locker]).
//
// Optional extras are separate interfaces ([TxStore], [BatchStore]); a
// store that implements one but cannot do it in its current configuration
// returns an error matching [errors.ErrUnsupported], and the runner falls
// back. A Store must be safe for concurrent use.
type Store interface {
	Locker
	Ensure(ctx context.Context) error
	List(ctx context.Context) ([]Record, error)
	Insert(ctx context.Context, r Record) error
	Update(ctx context.Context, r Record) error
	Delete(ctx context.Context, v Version) error
}

// Locker takes the runner lock of one target: one runner at a time.
//
// A SQL store holds a session lock (PostgreSQL advisory lock, MySQL
// GET_LOCK) on a dedicated connection. A store without sessions or
// transactions holds it as a lease: a lock record written with a
// conditional write (create if absent, or take over if its lease expired)
// naming the owner and an expiry; a heartbeat renews it well before expiry
// with a write conditional on still being the owner; Unlock deletes it with
// the same condition. When a renewal fails or the expiry passes without
// one, the lease is lost: the lock's Lost channel closes, Held returns
// [dialect.ErrLockLost], and the runner stops before its next migration
// and cancels the running one. Lock waits up to opts.Wait for another
// owner's lock (polling), calling opts.OnWait as it waits, and returns an
// error wrapping [dialect.ErrLockTimeout] when the wait runs out.
type Locker interface {
	Lock(ctx context.Context, opts dialect.LockOptions) (dialect.Lock, error)
}

// TxStore is a [Store] whose writes can join the transaction a migration
// runs in, so the history change commits or rolls back with the
// migration's statements. SQL and Go migrations that run in a transaction
// need it; a store that cannot join a SQL transaction returns
// [errors.ErrUnsupported], and such migrations are refused.
type TxStore interface {
	// InTx returns a view of the store whose writes go through q (a
	// *sql.Tx or a *sql.Conn).
	InTx(q Querier) (Store, error)
}

// BatchStore is a [Store] that can add many records in one write (a
// single-transaction run, a baseline). Without it, or when it answers
// [errors.ErrUnsupported], the runner inserts them one by one.
type BatchStore interface {
	InsertMany(ctx context.Context, rs []Record) error
}

// Record is one migration's entry in the history.
type Record struct {
	Version       Version
	Name          string
	Kind          Kind
	Checksum      string
	State         State
	StartedAt     time.Time
	FinishedAt    time.Time // zero while running
	ExecutionMS   int64
	AppliedBy     string
	StrataVersion string
	Error         string
	Progress      string // JSON
	Source        string
}

// WithStore keeps history in s instead of the SQL table strata creates in
// the target ([SQLStore]); [WithTable] then does not apply.
func WithStore(s Store) Option {
	return func(o *options) error { o.store = s; return nil }
}
