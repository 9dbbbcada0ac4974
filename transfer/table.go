package transfer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// tableRun copies one table mapping: prepare (resolve the mapping, create
// or prepare the target), copy (a reader and workers, chunk by chunk), and
// finish (indexes, identity counters, verification).
type tableRun struct {
	*run
	t  *Table
	tr *TableResult
	m  *mapping
	t0 time.Time
	// mu guards tr while workers count chunks.
	mu sync.Mutex
	// readNow counts the rows read by this run (not resumed).
	readNow atomic.Int64
	// total is the source's row count for progress events, -1 unknown.
	total int64
}

func (r *run) table(ctx context.Context, t *Table, tr *TableResult) error {
	tc := &tableRun{run: r, t: t, tr: tr, t0: time.Now(), total: -1}
	for _, step := range []func(context.Context) error{tc.prepare, tc.copy, tc.finish} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (tc *tableRun) prepare(ctx context.Context) error {
	var err error
	if tc.m, err = tc.resolve(ctx, tc.t, tc.tr); err != nil {
		return err
	}
	tc.m.copyText = tc.canPassthrough(tc.m)
	if !tc.t.DeferIndexes {
		return nil
	}
	if !tc.dst.eng.traits().deferIndexes {
		tc.note("defer_indexes works on PostgreSQL targets; the indexes stay and are maintained during the load")
		return nil
	}
	note, err := tc.deferIndexes(ctx, tc.m)
	if err != nil {
		return err
	}
	tc.note(note)
	return nil
}

func (tc *tableRun) note(s string) {
	tc.tr.Notes = append(tc.tr.Notes, Note{Table: tc.t.To, Note: s})
}

// copy runs the reader and the workers until the table is read, a chunk
// fails, or ctx ends.
func (tc *tableRun) copy(ctx context.Context) error {
	done, err := tc.finished(ctx, tc.t.To)
	if err != nil {
		return err
	}
	if tc.o.Observer != nil {
		_ = tc.src.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+tc.m.from+whereClause(tc.t, false)).Scan(&tc.total)
	}
	g, gctx := errgroup.WithContext(ctx)
	ch := make(chan *chunk, tc.workers)
	g.Go(func() error {
		defer close(ch)
		return tc.produce(gctx, done, ch)
	})
	for range tc.workers {
		g.Go(func() error { return tc.consume(gctx, ch) })
	}
	err = g.Wait()
	tc.tr.Elapsed = time.Since(tc.t0).Seconds()
	if tc.tr.Elapsed > 0 {
		tc.tr.RowsPerSecond = float64(tc.readNow.Load()) / tc.tr.Elapsed
	}
	return err
}

// produce counts the chunks earlier runs finished and reads the others,
// in key order, into ch.
func (tc *tableRun) produce(ctx context.Context, done map[string]doneChunk, ch chan<- *chunk) error {
	read := tc.readChunk
	if tc.m.copyText {
		read = tc.readLines
	}
	after := "null"
	for {
		for d, ok := done[after]; ok; d, ok = done[after] {
			if err := tc.count(d, true); err != nil {
				return err
			}
			after = d.last
		}
		c, err := read(ctx, tc.m, after)
		if err != nil || c == nil {
			return err
		}
		tc.readNow.Add(c.read)
		select {
		case ch <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		after = c.last
	}
}

// consume writes chunks from ch, each in its own transaction, running a
// chunk again when the target rolled it back for a deadlock.
func (tc *tableRun) consume(ctx context.Context, ch <-chan *chunk) error {
	for c := range ch {
		d, err := tc.writeChunk(ctx, tc.m, c)
		for attempt := 1; err != nil && tc.retryable(err) && attempt < 6; attempt++ {
			// Deadlocks between workers (MySQL gap locks): the chunk's
			// transaction was rolled back whole, so it runs again.
			time.Sleep(time.Duration(attempt*attempt) * 50 * time.Millisecond)
			d, err = tc.writeChunk(ctx, tc.m, c)
		}
		if err != nil {
			return err
		}
		if err := tc.count(d, false); err != nil {
			return err
		}
		tc.progress(ctx)
	}
	return nil
}

// retryable: the target rolled the whole transaction back (a deadlock,
// a lock wait that timed out), so running it again may succeed.
func (r *run) retryable(err error) bool {
	class, _ := r.dst.Dialect.Classify(err)
	return class.Retryable()
}

// count adds a finished chunk to the table's result and checks max_errors.
func (tc *tableRun) count(d doneChunk, resumed bool) error {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tr := tc.tr
	tr.Read += d.read
	tr.Written += d.written
	tr.Quarantined += d.quar
	tr.Skipped += d.skipped
	tr.ZeroDates += d.zeroDts
	tr.Orphans += d.orphans
	tr.Chunks++
	if resumed {
		tr.Resumed++
	}
	lim := tc.t.MaxErrors
	if !lim.Set {
		lim = tc.spec.MaxErrors
	}
	if lim.Exceeded(tr.Quarantined, tr.Read) {
		return fmt.Errorf("%w: %d rows quarantined of %d read, above max_errors %s (see %s)", ErrTooManyErrors, tr.Quarantined, tr.Read, lim, QuarantineTable)
	}
	return nil
}

func (tc *tableRun) progress(ctx context.Context) {
	if tc.o.Observer == nil {
		return
	}
	tc.mu.Lock()
	ev := migrate.Event{Kind: migrate.EventBatchDone, Time: time.Now(), Table: tc.t.To, Rows: tc.tr.Read, RowsTotal: tc.total,
		Chunks: tc.tr.Chunks, Quarantined: tc.tr.Quarantined, Duration: time.Since(tc.t0)}
	tc.mu.Unlock()
	tc.o.Observer.OnEvent(ctx, ev)
}

// finish builds the indexes that wait for the load, moves identity
// counters past the copied rows, and verifies the table.
func (tc *tableRun) finish(ctx context.Context) error {
	if err := tc.rebuildIndexes(ctx, tc.m); err != nil {
		return err
	}
	if err := tc.advanceIdentity(ctx); err != nil {
		return err
	}
	tc.tr.Complete = true
	if tc.o.NoVerify || (tc.spec.Verify != nil && !*tc.spec.Verify) {
		return nil
	}
	v, err := tc.verify(ctx, tc.m, tc.tr)
	tc.tr.Verify = v
	return err
}

// advanceIdentity moves the counter of every identity column the copy
// wrote past the highest value copied, so that the next row the target
// numbers does not collide with a copied one.
func (tc *tableRun) advanceIdentity(ctx context.Context) error {
	def := tc.m.target.def
	adv, ok := tc.dst.Dialect.(dialect.IdentityAdvancer)
	if def == nil || !ok {
		return nil
	}
	schema, name := splitName(tc.t.To)
	for _, c := range def.Columns {
		if c.Identity == nil || !tc.writes(c.Name) {
			continue
		}
		highest, err := adv.AdvanceIdentity(ctx, tc.dst.DB, dialect.Table{Schema: schema, Name: name}, c.Name)
		if err != nil {
			// The rows are in; a counter left behind them is reported with
			// the way to move it, rather than failing a finished copy.
			tc.identityNote(c.Name, fmt.Sprintf("its counter could not be moved past the copied values (%v): move it yourself before inserting rows without %s", err, c.Name))
			continue
		}
		if highest == 0 {
			continue // no rows: the counter starts where it starts
		}
		tc.identityNote(c.Name, fmt.Sprintf("the next number the target gives is above %d, the highest copied", highest))
	}
	return nil
}

// writes reports whether the mapping writes column name of the target.
func (tc *tableRun) writes(name string) bool {
	for _, c := range tc.m.tgtCols {
		if c.Name == name {
			return true
		}
	}
	return false
}

// identityNote says where an identity's counter stands: on its Carry when
// this run created the table, as a note otherwise.
func (tc *tableRun) identityNote(column, s string) {
	for i, c := range tc.tr.Carried {
		if c.Kind == carryIdentity && c.Name == column && c.Carried {
			tc.tr.Carried[i].Note = s
			return
		}
	}
	tc.tr.Notes = append(tc.tr.Notes, Note{Table: tc.t.To, Column: column, Note: "identity: " + s})
}
