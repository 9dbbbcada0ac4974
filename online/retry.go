package online

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
)

// Every statement that takes a lock the application would queue behind
// runs under a short lock timeout and is retried, whole transaction and
// all, with backoff and jitter until MaxLockWait: so no application query
// waits longer than one lock timeout behind strata. Each group of
// statements is its own short transaction.

// retryable reports whether err left nothing applied and the statement may
// simply run again: a lock timeout or a deadlock.
func (x *Exec) retryable(err error) bool {
	c, _ := x.d.Classify(err)
	return c.Retryable()
}

// retry runs fn until it succeeds, fails with an error that is not
// retryable, or the total wait exceeds MaxLockWait.
func (x *Exec) retry(ctx context.Context, table, stmt string, fn func(ctx context.Context) error) error {
	r := x.r
	start := time.Now()
	backoff := r.lockTimeout() / 2
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if !x.retryable(err) {
			return err
		}
		waited := time.Since(start)
		blk := x.blocker(ctx, table)
		x.reportRetry(table, stmt, attempt, waited, blk)
		if waited >= r.maxLockWait() {
			blk.Statement, blk.Table, blk.Attempts, blk.Waited, blk.Err = stmt, table, attempt, waited, err
			return &blk
		}
		// Full jitter on an exponential backoff, capped: retries from several
		// runners never line up, and the application drains its queue
		// between two attempts.
		sleep := time.Duration(float64(backoff) * (0.5 + rand.Float64()/2))
		backoff = min(backoff*2, 4*r.lockTimeout()+time.Second)
		if err := sleepCtx(ctx, sleep); err != nil {
			return err
		}
	}
}

// blocker describes the session a statement on table waits for.
func (x *Exec) blocker(ctx context.Context, table string) LockTimeoutError {
	if table == "" {
		return LockTimeoutError{}
	}
	return x.eng.blocker(ctx, x.db(), x.table(table))
}

// attemptLockTimeout is the lock timeout of a statement's attempt-th try:
// an eighth of LockTimeout at first, twice as long at each retry, up to
// LockTimeout. Every application query that arrives while a statement waits
// for its lock queues behind it, so what the application sees is the wait
// plus the statement's own time: traced under load, a DDL statement waited
// 100 ms behind eight clients' transactions slowed by the WAL, with every
// other client queued behind it. A short first wait that gives way, and a
// retry after a pause in which the queue drains, keeps that small on a busy
// table; the longer waits of the later tries still get the lock from a
// table that never goes quiet.
func (r *Runner) attemptLockTimeout(attempt int) time.Duration {
	full := r.lockTimeout()
	t := max(full/8, time.Millisecond)
	for i := 1; i < attempt && t < full; i++ {
		t *= 2
	}
	return min(t, full)
}

// reportRetry logs and emits one lock retry. Retries after the short first
// tries of attemptLockTimeout are expected on a busy table: only those
// after a wait of the whole LockTimeout are warnings.
func (x *Exec) reportRetry(table, stmt string, attempt int, waited time.Duration, blk LockTimeoutError) {
	x.st.LockRetries++
	level := slog.LevelWarn
	if x.r.attemptLockTimeout(attempt) < x.r.lockTimeout() {
		level = slog.LevelInfo
	}
	x.r.logger().Log(context.Background(), level, "lock not acquired, retrying", "table", table, "attempt", attempt, "elapsed", waited,
		"blocker_pid", blk.BlockerPID, "blocker_query", blk.BlockerQuery, "blocker_age", blk.BlockerAge)
	ev := Event{Kind: EventLockRetry, Version: x.version, Phase: x.st.Phase, Table: table, Statement: stmt, Attempt: attempt, Elapsed: waited}
	if blk.BlockerPID != 0 {
		ev.Message = fmt.Sprintf("blocked by pid %d (%s, open %s): %s", blk.BlockerPID, blk.BlockerState, blk.BlockerAge.Round(time.Millisecond), blk.BlockerQuery)
	}
	x.r.emit(ev)
}

// execStmts runs stmts in one transaction under the lock timeout, retrying
// the whole transaction when a lock is not granted in time.
func (x *Exec) execStmts(ctx context.Context, table string, stmts ...string) error {
	return x.execTx(ctx, table, strings.Join(stmts, "; "), func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// execTx runs fn in one transaction under the lock timeout, retrying the
// whole transaction when a lock is not granted in time.
func (x *Exec) execTx(ctx context.Context, table, desc string, fn func(context.Context, *sql.Tx) error) error {
	x.r.logger().Debug("ddl", "table", table, "sql", desc)
	attempt := 0
	return x.retry(ctx, table, desc, func(ctx context.Context) error {
		attempt++
		set, _ := x.d.TimeoutSQL(x.r.attemptLockTimeout(attempt), 0, true)
		set = append(set, x.eng.ddlSettings()...)
		tx, err := x.db().BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
		for _, s := range set {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	})
}

// execConcurrent runs one statement outside a transaction, on a dedicated
// connection, with a lock timeout of MaxLockWait: it takes only locks that
// neither readers nor writers wait for.
func (x *Exec) execConcurrent(ctx context.Context, table, stmt string) error {
	x.r.logger().Debug("ddl", "table", table, "sql", stmt)
	set, reset := x.d.TimeoutSQL(x.r.maxLockWait(), 0, false)
	return x.retry(ctx, table, stmt, func(ctx context.Context) error {
		conn, err := x.db().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		for _, s := range set {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		_, err = conn.ExecContext(ctx, stmt)
		for _, s := range reset {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), s); rerr != nil {
				// The timeout must not reach the pool: drop the connection.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				break
			}
		}
		return err
	})
}
