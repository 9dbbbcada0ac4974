package online

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
)

// pass is one batched walk over a table's key.
type pass struct {
	key   string // State.Backfills key
	table string // physical table walked

	// sets are "column = expression" assignments of a column backfill,
	// merged over the operations that touch the table.
	sets []string
	// skipTriggers sets strata.backfill on the session so strata's own
	// dual-write triggers leave the rows to the backfill's expressions.
	skipTriggers bool
	// stmt builds the statement of one batch from the key range condition;
	// when nil an UPDATE with sets is used.
	stmt func(rangeCond string) string
	// from is the table whose keys bound each batch (default: table).
	from string
	// qual qualifies the key columns in the range condition.
	qual string
}

// backfillColumn asks for column of table to be set to expr on every
// existing row, in the merged column pass of that table.
func (x *Exec) backfillColumn(table, col, expr string) {
	key := "columns:" + table
	set := quoteIdent(col) + " = (" + expr + ")"
	for _, p := range x.passes {
		if p.key == key {
			for _, s := range p.sets {
				if s == set {
					return
				}
			}
			p.sets = append(p.sets, set)
			return
		}
	}
	x.passes = append(x.passes, &pass{key: key, table: table, sets: []string{set}, skipTriggers: true})
}

// runPass walks p.table's key in batches, each its own transaction, saving
// the cursor after each.
func (x *Exec) runPass(ctx context.Context, p *pass) error {
	b := x.st.backfill(p.key, p.table)
	if b.Done {
		return nil
	}
	from := p.from
	if from == "" {
		from = p.table
	}
	keys, types, err := keyColumns(ctx, x.db(), x.Schema(), from)
	if err != nil {
		return fmt.Errorf("backfill %s: %w", p.table, err)
	}
	if b.Total == 0 {
		b.Total = estimateRows(ctx, x.db(), x.Schema(), from)
	}
	if b.Batch == 0 {
		b.Batch = 1000
	}
	conn, err := x.db().Conn(ctx)
	if err != nil {
		return fmt.Errorf("backfill %s: %w", p.table, err)
	}
	// The session settings below must not leak into the pool.
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	// synchronous_commit off spares each batch a WAL flush of its own. It
	// cannot lose a batch the saved cursor has passed: the state is saved
	// after the batch commits, and a durable commit of the state flushes the
	// WAL before it, the batch's included.
	setup := []string{fmt.Sprintf("SET lock_timeout = '%dms'", x.r.lockTimeout().Milliseconds()),
		"SET application_name = 'strata backfill'", "SET synchronous_commit = off"}
	if p.skipTriggers {
		setup = append(setup, "SET strata.backfill = 'on'")
	}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("backfill %s: %w", p.table, err)
		}
	}

	n := len(keys)
	keyList := quoteList(keys)
	desc := make([]string, n)
	texts := make([]string, n)
	for i, k := range keys {
		desc[i] = quoteIdent(k) + " DESC"
		texts[i] = quoteIdent(k) + "::text"
	}
	// params returns $from::type, ... for the key columns.
	params := func(from int) string {
		ps := make([]string, n)
		for i := range n {
			ps[i] = fmt.Sprintf("$%d::%s", from+i, types[i])
		}
		return strings.Join(ps, ", ")
	}
	qfrom := x.q(from)
	qual := p.qual
	// Batches aim at half of BatchTime, so that their spread stays under it:
	// BatchTime bounds how long an application write may wait for a row a
	// batch has locked.
	target := x.r.batchTime() / 2
	var lastThrottle time.Time
	retries := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(lastThrottle) > 250*time.Millisecond {
			if err := x.throttle(ctx, conn, p.table); err != nil {
				return err
			}
			lastThrottle = time.Now()
		}
		first := len(b.Cursor) == 0
		var loArgs []any
		for _, c := range b.Cursor {
			loArgs = append(loArgs, c)
		}
		// Bounds of the batch: the last of the next Batch keys.
		var bsql, cond string
		if first {
			bsql = fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s ORDER BY %s LIMIT $1) s ORDER BY %s LIMIT 1",
				strings.Join(texts, ", "), keyList, qfrom, keyList, strings.Join(desc, ", "))
			cond = fmt.Sprintf("(%s) <= (%s)", prefixed(qual, keys), params(1))
		} else {
			bsql = fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s WHERE (%s) > (%s) ORDER BY %s LIMIT $%d) s ORDER BY %s LIMIT 1",
				strings.Join(texts, ", "), keyList, qfrom, keyList, params(1), keyList, n+1, strings.Join(desc, ", "))
			cond = fmt.Sprintf("(%s) > (%s) AND (%s) <= (%s)", prefixed(qual, keys), params(1), prefixed(qual, keys), params(n+1))
		}
		strs := make([]sql.NullString, n)
		ptrs := make([]any, n)
		for i := range strs {
			ptrs[i] = &strs[i]
		}
		err := conn.QueryRowContext(ctx, bsql, append(append([]any{}, loArgs...), b.Batch)...).Scan(ptrs...)
		if errors.Is(err, sql.ErrNoRows) {
			b.Done = true
			b.Total = max(b.Total, b.Rows)
			return x.save(ctx)
		}
		if err != nil {
			return fmt.Errorf("backfill %s: find batch bounds: %w", p.table, err)
		}
		hiText := make([]string, n)
		execArgs := append([]any{}, loArgs...)
		for i, s := range strs {
			hiText[i] = s.String
			execArgs = append(execArgs, s.String)
		}
		var stmt string
		if p.stmt != nil {
			stmt = p.stmt(cond)
		} else {
			stmt = fmt.Sprintf("UPDATE %s SET %s WHERE %s", x.q(p.table), strings.Join(p.sets, ", "), cond)
		}
		t0 := time.Now()
		res, err := conn.ExecContext(ctx, stmt, execArgs...)
		elapsed := time.Since(t0)
		if err != nil {
			if isRetryable(err) && retries < 100 {
				retries++
				x.st.LockRetries++
				b.Batch = max(100, b.Batch/2)
				x.r.emit(Event{Kind: EventLockRetry, Version: x.version, Phase: x.st.Phase, Table: p.table, Attempt: retries, Statement: "backfill batch"})
				if err := sleepCtx(ctx, target); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("backfill %s: batch after %v: %w", p.table, b.Cursor, wrapStmt(stmt, err))
		}
		retries = 0
		rows, _ := res.RowsAffected()
		b.Cursor = hiText
		b.Rows += rows
		b.Elapsed += elapsed
		batch := b.Batch
		b.Batch = nextBatch(b.Batch, elapsed, target, x.r.maxBatch())
		if err := x.save(ctx); err != nil {
			return err
		}
		x.r.emit(Event{Kind: EventBatch, Version: x.version, Phase: x.st.Phase, Table: p.table, Rows: b.Rows, Total: b.Total, BatchSize: batch, Elapsed: elapsed})
	}
}

// nextBatch adapts the batch size so a batch takes about target, changing
// by at most a factor of two at a time.
func nextBatch(cur int, took, target time.Duration, maxRows int) int {
	if took <= 0 {
		return min(cur*2, maxRows)
	}
	next := int(float64(cur) * float64(target) / float64(took))
	next = max(cur/2, min(next, cur*2))
	return max(100, min(next, maxRows))
}

func prefixed(qual string, keys []string) string {
	if qual == "" {
		return quoteList(keys)
	}
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = quoteIdent(qual) + "." + quoteIdent(k)
	}
	return strings.Join(q, ", ")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// throttle waits while a standby lags or too many sessions are active.
func (x *Exec) throttle(ctx context.Context, conn *sql.Conn, table string) error {
	for {
		var lag float64
		var active int
		err := conn.QueryRowContext(ctx, `
SELECT COALESCE((SELECT EXTRACT(epoch FROM max(replay_lag))::float8 FROM pg_stat_replication), 0),
       (SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid())`).Scan(&lag, &active)
		if err != nil {
			return fmt.Errorf("backfill %s: read load: %w", table, err)
		}
		var why string
		if ml := x.r.MaxReplicationLag; ml >= 0 {
			if ml == 0 {
				ml = DefaultMaxReplicationLag
			}
			if lag > ml.Seconds() {
				why = fmt.Sprintf("replication lag %.1fs over %s", lag, ml)
			}
		}
		if ma := x.r.MaxActiveSessions; ma >= 0 && why == "" {
			if ma == 0 {
				ma = DefaultMaxActiveSessions
			}
			if active > ma {
				why = fmt.Sprintf("%d active sessions over %d", active, ma)
			}
		}
		if why == "" {
			return nil
		}
		x.r.logger().Info("backfill paused", "version", x.version, "table", table, "reason", why)
		x.r.emit(Event{Kind: EventThrottle, Version: x.version, Phase: x.st.Phase, Table: table, Message: why})
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
}
