package online

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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
	// DB is the target, opened with the pgx stdlib driver ("pgx").
	DB *sql.DB
	// Schema holds the tables the operations name. Default "public".
	Schema string
	// LockTimeout bounds each wait for a lock that blocks the application
	// (lock_timeout). A statement that times out is retried with backoff and
	// jitter. Default 500ms.
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
	Message   string
}

func (r *Runner) lockTimeout() time.Duration {
	if r.LockTimeout > 0 {
		return r.LockTimeout
	}
	return DefaultLockTimeout
}

func (r *Runner) maxLockWait() time.Duration {
	if r.MaxLockWait > 0 {
		return r.MaxLockWait
	}
	return DefaultMaxLockWait
}

func (r *Runner) batchTime() time.Duration {
	if r.BatchTime > 0 {
		return r.BatchTime
	}
	return DefaultBatchTime
}

func (r *Runner) maxBatch() int {
	if r.MaxBatchRows > 0 {
		return r.MaxBatchRows
	}
	return 50000
}

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

// Lock-related SQLSTATEs that are safe to retry: the statement was rolled
// back and nothing was applied.
const (
	sqlstateLockNotAvailable = "55P03"
	sqlstateDeadlock         = "40P01"
)

func isRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == sqlstateLockNotAvailable || pe.Code == sqlstateDeadlock
	}
	return false
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// ddlMode says how long a statement may wait for its locks.
type ddlMode int

const (
	// blocking statements take locks that queue the application behind
	// them: they wait at most LockTimeout per attempt.
	blocking ddlMode = iota
	// concurrent statements (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT)
	// take locks that no reader or writer waits for; they may wait up to
	// MaxLockWait, and run outside a transaction.
	concurrent
)

// retry runs fn until it succeeds, fails with a non-lock error, or the total
// wait exceeds MaxLockWait. fn gets the lock_timeout to use.
func (r *Runner) retry(ctx context.Context, x *Exec, table, stmt string, fn func(ctx context.Context) error) error {
	start := time.Now()
	backoff := r.lockTimeout() / 2
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if !isRetryable(err) {
			return err
		}
		waited := time.Since(start)
		blk := r.blocker(ctx, table)
		if x != nil && x.st != nil {
			x.st.LockRetries++
		}
		r.logger().Warn("lock not acquired, retrying", "table", table, "attempt", attempt, "elapsed", waited,
			"blocker_pid", blk.BlockerPID, "blocker_query", blk.BlockerQuery, "blocker_age", blk.BlockerAge)
		ev := Event{Kind: EventLockRetry, Table: table, Statement: stmt, Attempt: attempt, Elapsed: waited}
		if x != nil {
			ev.Version, ev.Phase = x.version, x.st.Phase
		}
		if blk.BlockerPID != 0 {
			ev.Message = fmt.Sprintf("blocked by pid %d (%s, open %s): %s", blk.BlockerPID, blk.BlockerState, blk.BlockerAge.Round(time.Millisecond), blk.BlockerQuery)
		}
		r.emit(ev)
		if waited >= r.maxLockWait() {
			blk.Statement, blk.Table, blk.Attempts, blk.Waited, blk.Err = stmt, table, attempt, waited, err
			return &blk
		}
		// Full jitter on an exponential backoff, capped: retries from several
		// runners never line up, and the application drains its queue
		// between two attempts.
		sleep := time.Duration(float64(backoff) * (0.5 + rand.Float64()/2))
		backoff = min(backoff*2, 4*r.lockTimeout()+time.Second)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sleep):
		}
	}
}

// blocker finds the session holding a lock on table with the oldest open
// transaction: the one a DDL statement is waiting for.
func (r *Runner) blocker(ctx context.Context, table string) LockTimeoutError {
	var e LockTimeoutError
	if table == "" {
		return e
	}
	var pid sql.NullInt64
	var query, state sql.NullString
	var age sql.NullFloat64
	err := r.DB.QueryRowContext(ctx, `
SELECT a.pid, a.query, a.state, EXTRACT(epoch FROM now() - a.xact_start)::float8
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.locktype = 'relation' AND a.pid <> pg_backend_pid()
  AND l.relation = to_regclass($1)
  AND a.xact_start IS NOT NULL
ORDER BY a.xact_start LIMIT 1`, quoteQualified(r.schema(), table)).Scan(&pid, &query, &state, &age)
	if err == nil && pid.Valid {
		e.BlockerPID = int(pid.Int64)
		e.BlockerQuery = query.String
		e.BlockerState = state.String
		e.BlockerAge = time.Duration(age.Float64 * float64(time.Second))
	}
	return e
}

// exec runs stmts in one transaction under SET LOCAL lock_timeout, retrying
// the whole transaction when a lock is not granted in time.
func (r *Runner) exec(ctx context.Context, x *Exec, table string, stmts ...string) error {
	return r.execTx(ctx, x, table, strings.Join(stmts, "; "), func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// execTx runs fn in one transaction under SET LOCAL lock_timeout, retrying
// the whole transaction on lock_timeout.
func (r *Runner) execTx(ctx context.Context, x *Exec, table, desc string, fn func(context.Context, *sql.Tx) error) error {
	r.logger().Debug("ddl", "table", table, "sql", desc)
	return r.retry(ctx, x, table, desc, func(ctx context.Context) error {
		tx, err := r.DB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", r.lockTimeout().Milliseconds())); err != nil {
			return err
		}
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	})
}

// execConcurrent runs one statement outside a transaction, on a dedicated
// connection, with a lock_timeout of MaxLockWait: it takes only locks that
// neither readers nor writers wait for.
func (r *Runner) execConcurrent(ctx context.Context, x *Exec, table, stmt string) error {
	r.logger().Debug("ddl", "table", table, "sql", stmt)
	return r.retry(ctx, x, table, stmt, func(ctx context.Context) error {
		conn, err := r.DB.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET lock_timeout = '%dms'", r.maxLockWait().Milliseconds())); err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, stmt)
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "RESET lock_timeout"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		return err
	})
}
