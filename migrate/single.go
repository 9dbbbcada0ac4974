package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// With --single-transaction every pending migration runs in one
// transaction, so nothing is gained by waiting for each statement's answer
// before sending the next: where the dialect can send several statements
// in one round trip and still say which one failed ([dialect.Batcher]),
// the statements of consecutive plain SQL migrations go together, up to
// maxBatchBytes at a time. Each migration still gets its own history row,
// its events, and on failure the file:line of the statement that failed.

// maxBatchBytes bounds the SQL text of one batch: the server parses a
// whole batch before it runs the first statement of it.
const maxBatchBytes = 256 << 10

// executeSingle applies every step of the plan in one transaction, with one
// history insert at the end.
func (p *Provider) executeSingle(ctx context.Context, conn *sql.Conn, pl *Plan, res *Result) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin the single transaction: %w", err)
	}
	start := time.Now()
	done, err := p.single(ctx, conn, tx, pl)
	if err != nil {
		_ = tx.Rollback()
		res.NotRun = versions(pl.Steps)
		return err
	}
	if err := tx.Commit(); err != nil {
		res.NotRun = versions(pl.Steps)
		return fmt.Errorf("commit the single transaction: %w; none of the %d migrations was applied", err, len(pl.Steps))
	}
	res.Done = append(res.Done, done...)
	p.o.logger.Info("single transaction committed", "migrations", len(done), "elapsed", time.Since(start))
	return nil
}

// singleRun is one --single-transaction run: the transaction, the
// connection under it (batches go through the connection), and the history
// rows and results of the migrations done so far.
type singleRun struct {
	p     *Provider
	conn  *sql.Conn
	tx    *sql.Tx
	pl    *Plan
	store Store
	batch dialect.Batcher // nil: one statement per round trip
	recs  []Record
	done  []StepResult
}

// single runs every step of pl in tx and records them all at the end.
func (p *Provider) single(ctx context.Context, conn *sql.Conn, tx *sql.Tx, pl *Plan) ([]StepResult, error) {
	s, err := p.storeIn(tx)
	if err != nil {
		return nil, err
	}
	r := &singleRun{p: p, conn: conn, tx: tx, pl: pl, store: s}
	r.batch, _ = p.d.(dialect.Batcher)
	steps := pl.Steps
	for len(steps) > 0 {
		n := r.batchable(steps)
		if n == 0 {
			n = 1
			err = r.step(ctx, steps[0])
		} else {
			err = r.send(ctx, steps[:n])
		}
		if err != nil {
			return nil, err
		}
		steps = steps[n:]
	}
	return r.done, insertMany(ctx, s, r.recs)
}

// batchable counts the steps at the head of steps that can go in one batch:
// plain SQL scripts without timeouts (a statement_timeout applies to a
// whole batch on older servers), whose every statement is one command
// other than COPY, up to maxBatchBytes.
func (r *singleRun) batchable(steps []Step) int {
	if r.batch == nil {
		return 0
	}
	n, size := 0, 0
	for _, st := range steps {
		sc := st.Script
		if st.Migration.Go != nil || sc == nil || sc.LockTimeout > 0 || sc.StatementTimeout > 0 {
			break
		}
		ok := true
		for _, s := range sc.Statements {
			kw := sqlsplit.Keywords(s.SQL, 1)
			ok = ok && len(kw) == 1 && kw[0] != "COPY"
			size += len(s.SQL) + 3
		}
		if !ok || (n > 0 && size > maxBatchBytes) {
			break
		}
		n++
	}
	return n
}

// step runs one migration statement by statement.
func (r *singleRun) step(ctx context.Context, st Step) error {
	t0 := r.started(ctx, st)
	if err := r.p.singleStep(ctx, r.tx, st); err != nil {
		return r.failed(st, err)
	}
	return r.finished(ctx, st, t0, time.Since(t0))
}

// send runs the statements of steps in one batch. A dialect that finds it
// cannot batch on this connection has run nothing; the steps then run one
// by one.
func (r *singleRun) send(ctx context.Context, steps []Step) error {
	var texts []string
	for _, st := range steps {
		for _, s := range st.Script.Statements {
			text, err := r.p.render(st.Script, s)
			if err != nil {
				return r.failed(st, err)
			}
			texts = append(texts, text)
		}
	}
	t0 := time.Now()
	n, err := r.batch.ExecBatch(ctx, r.conn, texts)
	elapsed := time.Since(t0)
	if errors.Is(err, errors.ErrUnsupported) && n == 0 {
		r.batch = nil
		for _, st := range steps {
			if err := r.step(ctx, st); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil && n >= len(texts) {
		return r.failed(steps[len(steps)-1], err)
	}
	// Each migration is credited with the batch's time in proportion to
	// its statements: the server does not say how long each one took.
	share := func(k int) time.Duration { return elapsed * time.Duration(k) / time.Duration(max(1, len(texts))) }
	at, start := 0, t0
	for _, st := range steps {
		m, sc := st.Migration, st.Script
		k := len(sc.Statements)
		r.started(ctx, st)
		if err != nil && n < at+k {
			// The statement that failed is this migration's (n-at)th.
			j := n - at
			r.statementEvents(ctx, st, texts[at:n], 0)
			if ctx.Err() != nil {
				err = fmt.Errorf("%w (interrupted)", context.Cause(ctx))
			}
			return r.failed(st, &StatementError{Version: m.key(), File: sc.File, Line: sc.Statements[j].Line, Index: j + 1, Statement: texts[n], Err: err})
		}
		r.statementEvents(ctx, st, texts[at:at+k], share(1))
		if err := r.finished(ctx, st, start, share(k)); err != nil {
			return err
		}
		at, start = at+k, start.Add(share(k))
	}
	return nil
}

// statementEvents reports the statements of st a batch ran.
func (r *singleRun) statementEvents(ctx context.Context, st Step, texts []string, each time.Duration) {
	m, sc := st.Migration, st.Script
	for j, text := range texts {
		s := sc.Statements[j]
		ev := Event{Kind: EventStatementStarted, Version: m.key(), Name: m.Name, Direction: Up, File: sc.File, Line: s.Line, Index: j + 1, Statements: len(sc.Statements), SQL: text}
		r.p.emit(ctx, ev)
		ev.Kind, ev.Duration, ev.Message = EventStatementFinished, each, "sent in a batch; its time is a share of the batch's"
		r.p.emit(ctx, ev)
	}
}

func (r *singleRun) started(ctx context.Context, st Step) time.Time {
	m := st.Migration
	r.p.emit(ctx, Event{Kind: EventMigrationStarted, Version: m.key(), Name: m.Name, Direction: Up, File: m.File()})
	return time.Now()
}

// finished records a migration that ran in the transaction: its history
// row, written with the others at the end, and its result.
func (r *singleRun) finished(ctx context.Context, st Step, t0 time.Time, took time.Duration) error {
	m := st.Migration
	rec := r.p.record(m, StateApplied, t0)
	rec.FinishedAt = t0.Add(took)
	rec.ExecutionMS = took.Milliseconds()
	if st.Rerun {
		if err := r.store.Delete(ctx, m.key()); err != nil {
			return err
		}
	}
	r.recs = append(r.recs, rec)
	r.done = append(r.done, StepResult{Version: m.key(), Name: m.Name, Direction: Up, State: StateApplied, Duration: took})
	r.p.emit(ctx, Event{Kind: EventMigrationFinished, Version: m.key(), Name: m.Name, Direction: Up, Duration: took, State: StateApplied})
	return nil
}

func (r *singleRun) failed(st Step, err error) error {
	m := st.Migration
	return &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err,
		Outcome: fmt.Sprintf("rolled back: --single-transaction undid all %d migrations of this run, none was applied", len(r.pl.Steps))}
}

// singleStep runs one migration inside the single transaction.
func (p *Provider) singleStep(ctx context.Context, tx *sql.Tx, st Step) error {
	if st.Migration.Go != nil {
		return st.Migration.Go.Up(ctx, tx)
	}
	set, reset := p.d.TimeoutSQL(st.Script.LockTimeout, st.Script.StatementTimeout, true)
	if err := p.execTimeouts(ctx, tx, set); err != nil {
		return err
	}
	r := &statementRunner{p: p, m: st.Migration, dir: Up, sc: st.Script, ex: tx}
	if _, err := r.run(ctx, 0); err != nil {
		return err
	}
	// The next migration of the transaction gets the defaults again.
	return p.execTimeouts(ctx, tx, reset)
}
