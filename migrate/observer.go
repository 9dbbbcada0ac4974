package migrate

import (
	"context"
	"time"
)

// EventKind names what happened.
type EventKind string

// Events the runner reports, in the order they usually come.
const (
	EventLockWaiting       EventKind = "lock_waiting"
	EventLockAcquired      EventKind = "lock_acquired"
	EventLockReleased      EventKind = "lock_released"
	EventLockLost          EventKind = "lock_lost"
	EventMigrationStarted  EventKind = "migration_started"
	EventStatementStarted  EventKind = "statement_started"
	EventStatementFinished EventKind = "statement_finished"
	EventMigrationFinished EventKind = "migration_finished"
	EventMigrationFailed   EventKind = "migration_failed"
	EventRollbackStarted   EventKind = "rollback_started"
	EventRollbackFinished  EventKind = "rollback_finished"
	EventBatchDone         EventKind = "batch_done"
	EventCheckResult       EventKind = "check_result"
	EventRetry             EventKind = "retry"
	EventReplicationLag    EventKind = "replication_lag"
)

// Event is one thing the runner reports. Fields that do not apply to a kind
// are zero.
type Event struct {
	Kind      EventKind
	Time      time.Time
	Version   Version
	Name      string
	Direction Direction
	// File and Line locate the statement; Index is its 1-based number of
	// Statements in its script.
	File       string
	Line       int
	Index      int
	Statements int
	SQL        string
	// Duration is the time the statement, migration, batch or lock wait took.
	Duration time.Duration
	// Rows is, for batch_done, the rows the pass has written so far (a
	// running total that starts again with each pass); RowsTotal is the
	// estimate of the table's rows.
	Rows      int64
	RowsTotal int64
	// Chunks and Quarantined are, for a transfer's batch_done, the chunks
	// of the table copied so far and the rows set aside in the quarantine
	// table so far (running totals, like Rows).
	Chunks      int64
	Quarantined int64
	Table       string
	// Check is, for check_result, the result of one check; Err is set too
	// when it blocks the migration.
	Check *CheckResult
	// Lag is, for replication_lag, how far Stream is behind: for an
	// online backfill, Stream is "standby" and Lag the replay lag of the
	// slowest standby, read while the backfill runs.
	Lag    time.Duration
	Stream string
	// State is, for migration_finished, the state the history row was left
	// in: applied, expanded (an online change waiting for `strata
	// complete`), or empty when the row was removed.
	State State
	Err   error
	// Message is a human sentence for logs (the lock holder, the rollback
	// outcome, the next step of a migration left expanded).
	Message string
}

// Observer receives the runner's events. OnEvent is called synchronously on
// the runner's goroutine, so it must be quick and must not block: sinks that
// do I/O buffer and drop (package observe does this). It must be safe for
// concurrent use when one observer watches several providers.
type Observer interface {
	OnEvent(ctx context.Context, e Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(ctx context.Context, e Event)

// OnEvent implements [Observer].
func (f ObserverFunc) OnEvent(ctx context.Context, e Event) { f(ctx, e) }

type multiObserver []Observer

func (m multiObserver) OnEvent(ctx context.Context, e Event) {
	for _, o := range m {
		o.OnEvent(ctx, e)
	}
}
