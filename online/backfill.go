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
	set := x.ident(col) + " = (" + expr + ")"
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
	w, err := x.newWalk(ctx, p, b)
	if err != nil {
		return fmt.Errorf("backfill %s: %w", p.table, err)
	}
	defer w.close()
	return w.run(ctx)
}

// walk is one run of a pass: the key it walks, the connection its batches
// run on, and the statements that find and change each batch.
type walk struct {
	x    *Exec
	p    *pass
	b    *Backfill
	conn *sql.Conn
	keys []string
	// bounds finds the last key of the next batch: first for the first
	// batch, next after the cursor.
	first, next string
	// cond limits a batch to its key range: first for the first batch,
	// next after the cursor.
	condFirst, condNext string
}

// newWalk reads the key of the pass's table and opens the connection its
// batches run on, with the session settings of a backfill.
func (x *Exec) newWalk(ctx context.Context, p *pass, b *Backfill) (*walk, error) {
	from := p.from
	if from == "" {
		from = p.table
	}
	keys, types, err := x.keyColumns(ctx, from)
	if err != nil {
		return nil, err
	}
	if b.Total == 0 {
		b.Total = x.estimateRows(ctx, from)
	}
	if b.Batch == 0 {
		// Small: nothing is known yet of how long a row takes (its width,
		// the expressions, the triggers), and a batch holds the locks of
		// its rows until it commits. Sizes double from here while batches
		// stay under their target time.
		b.Batch = 100
	}
	w := &walk{x: x, p: p, b: b, keys: keys}
	w.statements(x.q(from), types)
	if w.conn, err = x.db().Conn(ctx); err != nil {
		return nil, err
	}
	set, _ := x.d.TimeoutSQL(x.r.lockTimeout(), 0, false)
	for _, s := range append(set, x.eng.backfillSettings(p.skipTriggers)...) {
		if _, err := w.conn.ExecContext(ctx, s); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

// close discards the walk's connection: its session settings must not
// reach the pool.
func (w *walk) close() {
	_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	w.conn.Close()
}

// statements writes the queries of the walk over the key of qfrom, whose
// key columns have types: the bounds of a batch are read as text, and
// bound back as parameters cast to the key's types.
func (w *walk) statements(qfrom string, types []string) {
	x, n := w.x, len(w.keys)
	keyList := x.list(w.keys)
	desc := make([]string, n)
	texts := make([]string, n)
	for i, k := range w.keys {
		desc[i] = x.ident(k) + " DESC"
		texts[i] = x.ident(k) + "::text"
	}
	params := func(from int) string {
		ps := make([]string, n)
		for i := range n {
			ps[i] = x.d.Placeholder(from+i) + "::" + types[i]
		}
		return strings.Join(ps, ", ")
	}
	keys := prefixed(x.quoting, w.p.qual, w.keys)
	w.first = fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s ORDER BY %s LIMIT %s) s ORDER BY %s LIMIT 1",
		strings.Join(texts, ", "), keyList, qfrom, keyList, x.d.Placeholder(1), strings.Join(desc, ", "))
	w.condFirst = fmt.Sprintf("(%s) <= (%s)", keys, params(1))
	w.next = fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s WHERE (%s) > (%s) ORDER BY %s LIMIT %s) s ORDER BY %s LIMIT 1",
		strings.Join(texts, ", "), keyList, qfrom, keyList, params(1), keyList, x.d.Placeholder(n+1), strings.Join(desc, ", "))
	w.condNext = fmt.Sprintf("(%s) > (%s) AND (%s) <= (%s)", keys, params(1), keys, params(n+1))
}

// run walks batch after batch until the key is done.
func (w *walk) run(ctx context.Context) error {
	x, p, b := w.x, w.p, w.b
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
			if err := x.throttle(ctx, w.conn, p.table); err != nil {
				return err
			}
			lastThrottle = time.Now()
		}
		hi, stmt, args, err := w.nextBatch(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			b.Done = true
			b.Total = max(b.Total, b.Rows)
			return x.save(ctx)
		}
		if err != nil {
			return fmt.Errorf("backfill %s: find batch bounds: %w", p.table, err)
		}
		t0 := time.Now()
		res, err := w.conn.ExecContext(ctx, stmt, args...)
		elapsed := time.Since(t0)
		if err != nil {
			if x.retryable(err) && retries < 100 {
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
		if err := w.done(ctx, hi, res, elapsed, target); err != nil {
			return err
		}
	}
}

// nextBatch reads the bounds of the next batch (sql.ErrNoRows when the key
// is done) and returns its last key, its statement and their arguments.
func (w *walk) nextBatch(ctx context.Context) (hi []string, stmt string, args []any, err error) {
	n := len(w.keys)
	bounds, cond := w.next, w.condNext
	if len(w.b.Cursor) == 0 {
		bounds, cond = w.first, w.condFirst
	}
	for _, c := range w.b.Cursor {
		args = append(args, c)
	}
	strs := make([]sql.NullString, n)
	ptrs := make([]any, n)
	for i := range strs {
		ptrs[i] = &strs[i]
	}
	if err := w.conn.QueryRowContext(ctx, bounds, append(append([]any{}, args...), w.b.Batch)...).Scan(ptrs...); err != nil {
		return nil, "", nil, err
	}
	hi = make([]string, n)
	for i, s := range strs {
		hi[i] = s.String
		args = append(args, s.String)
	}
	if w.p.stmt != nil {
		return hi, w.p.stmt(cond), args, nil
	}
	return hi, fmt.Sprintf("UPDATE %s SET %s WHERE %s", w.x.q(w.p.table), strings.Join(w.p.sets, ", "), cond), args, nil
}

// done moves the cursor past a committed batch, saves it, adapts the batch
// size and reports the batch.
func (w *walk) done(ctx context.Context, hi []string, res sql.Result, elapsed, target time.Duration) error {
	x, b := w.x, w.b
	rows, _ := res.RowsAffected()
	b.Cursor = hi
	b.Rows += rows
	b.Elapsed += elapsed
	batch := b.Batch
	b.Batch = nextBatch(b.Batch, elapsed, target, x.r.maxBatch())
	if err := x.save(ctx); err != nil {
		return err
	}
	x.r.emit(Event{Kind: EventBatch, Version: x.version, Phase: x.st.Phase, Table: w.p.table, Rows: b.Rows, Total: b.Total, BatchSize: batch, Elapsed: elapsed})
	return nil
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

// prefixed quotes keys, each qualified with qual when it is set.
func prefixed(w quoting, qual string, keys []string) string {
	if qual == "" {
		return w.list(keys)
	}
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = w.ident(qual) + "." + w.ident(k)
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

// throttle waits while a standby lags or too many sessions are active,
// and reports the standbys' lag it reads.
func (x *Exec) throttle(ctx context.Context, conn *sql.Conn, table string) error {
	for {
		lag, active, err := x.eng.load(ctx, conn)
		if err != nil {
			return fmt.Errorf("backfill %s: read load: %w", table, err)
		}
		if lag >= 0 && time.Since(x.lagReported) >= time.Second {
			x.lagReported = time.Now()
			x.r.emit(Event{Kind: EventReplicationLag, Version: x.version, Phase: x.st.Phase, Table: table, Lag: lag})
		}
		why := x.r.overloaded(lag, active)
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

// overloaded says why a backfill should pause at this lag and number of
// active sessions, or "".
func (r *Runner) overloaded(lag time.Duration, active int) string {
	if ml := r.MaxReplicationLag; ml >= 0 {
		if ml == 0 {
			ml = DefaultMaxReplicationLag
		}
		if lag > ml {
			return fmt.Sprintf("replication lag %.1fs over %s", lag.Seconds(), ml)
		}
	}
	if ma := r.MaxActiveSessions; ma >= 0 {
		if ma == 0 {
			ma = DefaultMaxActiveSessions
		}
		if active > ma {
			return fmt.Sprintf("%d active sessions over %d", active, ma)
		}
	}
	return ""
}
