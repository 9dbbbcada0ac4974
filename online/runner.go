package online

import (
	"database/sql"
	"io"
	"log/slog"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
)

// Defaults of [Runner]'s settings, used when a field is zero.
const (
	DefaultLockTimeout       = 500 * time.Millisecond
	DefaultMaxLockWait       = 2 * time.Minute
	DefaultBatchTime         = 100 * time.Millisecond
	DefaultMaxReplicationLag = 10 * time.Second
	DefaultMaxActiveSessions = 64
	DefaultSchema            = "public"
)

// Runner runs the phases of online migrations against one PostgreSQL
// database. Its zero value is not usable: set DB. A Runner may be used by
// several goroutines at once, but two phases of migrations that touch the
// same table must not run at the same time; the migration engine's lock
// sees to that.
type Runner struct {
	// DB is the target.
	DB *sql.DB
	// Dialect is DB's dialect; nil means PostgreSQL. Online migrations run
	// on PostgreSQL only for now: with another engine's dialect, every
	// phase fails with an error wrapping [ErrUnsupported] ([Supports]
	// tells beforehand).
	Dialect dialect.Dialect
	// Schema holds the tables the operations name. Default "public".
	Schema string
	// LockTimeout bounds each wait for a lock that blocks the application
	// (lock_timeout). A statement that times out is retried with backoff and
	// jitter. The first try of a DDL statement waits an eighth of it, each
	// retry twice as long as the one before, up to LockTimeout: on a busy
	// table the statement gives way before the queue of application queries
	// behind it grows. Default 500ms.
	LockTimeout time.Duration
	// MaxLockWait is the total time one statement may spend retrying before
	// the run stops with a [*LockTimeoutError]. Default 2m.
	MaxLockWait time.Duration
	// BatchTime bounds the time one backfill batch takes, and so how long an
	// application write may wait for a row a batch holds. Batch sizes adapt
	// to take about half of it. Default 100ms.
	BatchTime time.Duration
	// MaxReplicationLag pauses backfills while any standby's replay lag is
	// above it. Default 10s; negative disables the check.
	MaxReplicationLag time.Duration
	// MaxActiveSessions pauses backfills while more sessions than this are
	// running a statement. Default 64; negative disables the check.
	MaxActiveSessions int
	// MaxBatchRows caps a backfill batch. Default 50,000.
	MaxBatchRows int
	// KeepVersions lists the versions of other migrations that are still
	// expanded: Complete keeps their version schemas (rebuilding their views
	// of the tables it changes) instead of dropping them with the older ones.
	KeepVersions []string
	// Logger receives progress logs. Default: discard.
	Logger *slog.Logger
	// Progress, when set, is called synchronously with each event.
	Progress func(Event)
}

// EventKind says what an [Event] reports.
type EventKind string

// Event kinds.
const (
	EventPhase     EventKind = "phase"      // a phase or step began
	EventStatement EventKind = "statement"  // a DDL statement ran
	EventLockRetry EventKind = "lock_retry" // a statement hit lock_timeout and will be retried
	EventBatch     EventKind = "batch"      // a backfill batch committed
	EventThrottle  EventKind = "throttle"   // a backfill paused for replication lag or load
	EventDone      EventKind = "done"       // a phase finished
	// EventReplicationLag reports, while a backfill runs and at most once
	// a second, the replay lag of the slowest standby (Lag); nothing is
	// reported when the server has no standby.
	EventReplicationLag EventKind = "replication_lag"
)

// Event is one progress report from a [Runner].
type Event struct {
	Kind      EventKind
	Version   string
	Phase     Phase
	Table     string
	Statement string
	Attempt   int
	Rows      int64 // rows written so far by the pass (batch events)
	Total     int64 // estimated rows of the table
	BatchSize int
	Elapsed   time.Duration
	Lag       time.Duration // replication_lag events
	Message   string
}

// orDefault is v when it is set (above zero), else def.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (r *Runner) lockTimeout() time.Duration { return orDefault(r.LockTimeout, DefaultLockTimeout) }
func (r *Runner) maxLockWait() time.Duration { return orDefault(r.MaxLockWait, DefaultMaxLockWait) }
func (r *Runner) batchTime() time.Duration   { return orDefault(r.BatchTime, DefaultBatchTime) }
func (r *Runner) maxBatch() int              { return orDefault(r.MaxBatchRows, 50000) }

func (r *Runner) schema() string {
	if r.Schema != "" {
		return r.Schema
	}
	return DefaultSchema
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (r *Runner) emit(e Event) {
	if r.Progress != nil {
		r.Progress(e)
	}
}

// VersionSchema returns the name of the schema of views that shows the new
// shape of migration version: strata_v<version>.
func VersionSchema(version string) string { return "strata_v" + version }

// dialect is the target's dialect.
func (r *Runner) dialect() dialect.Dialect {
	if r.Dialect != nil {
		return r.Dialect
	}
	return postgres.Dialect{}
}
