package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// This file holds how a step's outcome reaches history: the record that
// completes a step, the row a step without a transaction keeps up to date,
// and the accounting of a failure, which says exactly what was applied,
// what was undone, and whether history could record it.

// bookkeeping is the context for history writes after a failure or a
// cancellation: they must happen even though the run's context is done.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
}

// storeOn returns the store writing through q (the run's connection) when
// it can, else the store itself.
func (p *Provider) storeOn(q Querier) Store {
	if ts, ok := p.store.(TxStore); ok {
		if s, err := ts.InTx(q); err == nil {
			return s
		}
	}
	return p.store
}

// storeIn returns the store writing in tx, so that the history change
// commits or rolls back with the migration.
func (p *Provider) storeIn(tx Querier) (Store, error) {
	ts, ok := p.store.(TxStore)
	if !ok {
		return nil, fmt.Errorf("record the migration in its transaction: the history store cannot join a transaction: %w", errors.ErrUnsupported)
	}
	s, err := ts.InTx(tx)
	if err != nil {
		return nil, fmt.Errorf("record the migration in its transaction: %w", err)
	}
	return s, nil
}

// insertMany records rs in one write when the store can, else one by one.
func insertMany(ctx context.Context, s Store, rs []Record) error {
	if bs, ok := s.(BatchStore); ok {
		if err := bs.InsertMany(ctx, rs); !errors.Is(err, errors.ErrUnsupported) {
			return err
		}
	}
	for _, r := range rs {
		if err := s.Insert(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (p *Provider) record(m *Migration, state State, start time.Time) Record {
	return Record{
		Version: m.key(), Name: m.Name, Kind: m.Kind, Checksum: m.Checksum, State: state,
		StartedAt: start, AppliedBy: p.o.appliedBy, StrataVersion: p.o.strataVersion, Source: m.Source,
	}
}

// recordDone writes the history change that completes a step: a new row
// (up), a replaced row (repeatable re-run) or a removed row (down).
func (p *Provider) recordDone(ctx context.Context, s Store, st Step, start time.Time) (State, error) {
	m := st.Migration
	if st.Direction == Down {
		return "", s.Delete(ctx, m.key())
	}
	if st.Rerun {
		if err := s.Delete(ctx, m.key()); err != nil {
			return "", err
		}
	}
	rec := p.record(m, StateApplied, start)
	rec.FinishedAt = time.Now()
	rec.ExecutionMS = rec.FinishedAt.Sub(start).Milliseconds()
	return StateApplied, s.Insert(ctx, rec)
}

// progress is the JSON kept in the history row while a script runs outside a
// transaction, so that a failure or a kill says exactly what ran.
type progress struct {
	Direction Direction `json:"direction"`
	Done      int       `json:"done"`
	Total     int       `json:"total"`
	FailedAt  int       `json:"failed_at,omitempty"` // 1-based statement
	Line      int       `json:"line,omitempty"`
	File      string    `json:"file,omitempty"`
}

func (pr progress) json() string {
	b, _ := json.Marshal(pr)
	return string(b)
}

func describeProgress(s string) string {
	if s == "" {
		return ""
	}
	var pr progress
	if err := json.Unmarshal([]byte(s), &pr); err != nil || pr.Total == 0 {
		return ""
	}
	d := fmt.Sprintf("%s: %d of %s completed", pr.Direction, pr.Done, plural(pr.Total, "statement", "statements"))
	if pr.FailedAt > 0 {
		d += fmt.Sprintf(", statement %d (%s:%d) failed", pr.FailedAt, pr.File, pr.Line)
	}
	return d
}

// row is the history record of a step that runs outside a transaction, as
// last written: each write replaces the whole record.
type row struct {
	mu    sync.Mutex // a step runner may save progress from its own goroutines
	s     Store
	r     Record
	pr    progress
	start time.Time
}

// startRow records a step as running before anything of it runs, so a kill
// -9 leaves a trace that the next run refuses to ignore: a new row for up,
// the existing one marked running for down.
func (p *Provider) startRow(ctx context.Context, s Store, st Step, start time.Time) (*row, error) {
	m := st.Migration
	w := &row{s: s, start: start, pr: progress{Direction: st.Direction, Total: len(st.Script.Statements), File: st.Script.File}}
	if st.Direction == Up {
		if st.Rerun {
			if err := s.Delete(ctx, m.key()); err != nil {
				return nil, err
			}
		}
		w.r = p.record(m, StateRunning, start)
		w.r.Progress = w.pr.json()
		return w, s.Insert(ctx, w.r)
	}
	w.r = *st.Record
	w.r.State, w.r.FinishedAt, w.r.ExecutionMS, w.r.Error, w.r.Progress = StateRunning, time.Now(), 0, "", w.pr.json()
	return w, s.Update(ctx, w.r)
}

// save records a step runner's progress JSON.
func (w *row) save(ctx context.Context, prog string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.r.Progress = prog
	return w.s.Update(ctx, w.r)
}

// progress records that done statements completed.
func (w *row) progress(ctx context.Context, done int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pr.Done = done
	w.r.Progress = w.pr.json()
	return w.s.Update(ctx, w.r)
}

// finish records the step's end state, its timing, error and progress.
func (w *row) finish(ctx context.Context, state State, errText, prog string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.r.State, w.r.FinishedAt = state, time.Now()
	w.r.ExecutionMS = w.r.FinishedAt.Sub(w.start).Milliseconds()
	w.r.Error, w.r.Progress = errText, prog
	return w.s.Update(ctx, w.r)
}

// failNoTx decides and records what a failed no-transaction script leaves
// behind.
func (p *Provider) failNoTx(ctx context.Context, conn *sql.Conn, st Step, w *row, done int, runErr error) error {
	m := st.Migration
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	var se *StatementError
	if errors.As(runErr, &se) {
		w.pr.FailedAt, w.pr.Line = se.Index, se.Line
	}
	w.pr.Done = done
	total := w.pr.Total
	ranText := fmt.Sprintf("%d of %s ran and stay %s (no transaction)", done, plural(total, "statement", "statements"), pastTense(st.Direction))
	if done == 0 {
		ranText = fmt.Sprintf("the first of %d statements failed, so nothing ran", total)
	}
	interrupted := ctx.Err() != nil
	merr := &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: runErr}

	if done == 0 && st.Direction == Up {
		if err := w.s.Delete(bctx, m.key()); err != nil {
			merr.Outcome = ranText + "; removing the running row failed, so history still says running"
			merr.Dirty, merr.HistoryErr = true, err
			return merr
		}
		merr.Outcome = ranText + fmt.Sprintf("; %s is still pending", m.key())
		return merr
	}
	if st.Direction == Up && p.o.autoRollback && m.Down != nil && !interrupted {
		return p.rollBack(bctx, conn, m, w, merr, ranText)
	}
	why := ""
	switch {
	case interrupted:
		why = "the run was interrupted, so no automatic rollback was tried"
	case st.Direction == Down:
		why = "the down section failed part-way"
	case m.Down == nil:
		why = "there is no down section to roll back with"
	default:
		why = "auto-rollback is off"
	}
	merr.Dirty = true
	merr.HistoryErr = w.finish(bctx, StateFailed, runErr.Error(), w.pr.json())
	merr.Outcome = fmt.Sprintf("%s; %s. %s: finish or undo it by hand, then run `strata repair %s` (change complete) or `strata repair %s --pending` (change undone)",
		ranText, why, recordedFailed(m.key(), merr.HistoryErr), m.key(), m.key())
	return merr
}

// rollBack runs the down section after a failed up and records the result.
func (p *Provider) rollBack(ctx context.Context, conn *sql.Conn, m *Migration, w *row, merr *MigrationError, ranText string) error {
	undone, skipped, rbErr := p.autoRollback(ctx, conn, m)
	if rbErr == nil {
		if err := w.s.Delete(ctx, m.key()); err != nil {
			merr.Outcome = ranText + "; auto-rollback ran the down section, but removing the history row failed, so history still says running"
			merr.Dirty, merr.HistoryErr = true, err
			return merr
		}
		note := ""
		if skipped > 0 {
			note = fmt.Sprintf(", %d skipped because their objects did not exist yet", skipped)
		}
		merr.Outcome = fmt.Sprintf("%s; auto-rollback ran the down section (%s%s): the change is undone and %s is pending again", ranText, plural(undone, "statement", "statements"), note, m.key())
		return merr
	}
	w.pr.Direction = Up
	merr.Dirty = true
	merr.HistoryErr = w.finish(ctx, StateFailed, fmt.Sprintf("%v; auto-rollback failed: %v", merr.Err, rbErr), w.pr.json())
	merr.Outcome = fmt.Sprintf("%s; auto-rollback ran the down section but it failed (%v), so part of %s is still in the database. %s: fix the database by hand, then `strata repair %s` (change complete) or `strata repair %s --pending` (change undone)",
		ranText, rbErr, m.key(), recordedFailed(m.key(), merr.HistoryErr), m.key(), m.key())
	return merr
}

// recordedFailed says whether history could record v as failed: when it
// could not, its row may still say running.
func recordedFailed(v Version, histErr error) string {
	if histErr != nil {
		return fmt.Sprintf("Recording %s as failed did not work either, so its history row may still say running", v)
	}
	return fmt.Sprintf("%s is recorded as failed", v)
}

// autoRollback runs m's down section to undo a partly applied up. Statements
// whose object does not exist are taken as already undone: the up never got
// that far.
func (p *Provider) autoRollback(ctx context.Context, conn *sql.Conn, m *Migration) (undone, skipped int, err error) {
	p.emit(ctx, Event{Kind: EventRollbackStarted, Version: m.key(), Name: m.Name, Direction: Down})
	defer func() {
		p.emit(ctx, Event{Kind: EventRollbackFinished, Version: m.key(), Name: m.Name, Direction: Down, Err: err})
	}()
	// Autocommit, statement by statement: in a transaction, the error of a
	// skipped statement would abort the rest on PostgreSQL.
	r := &statementRunner{p: p, m: m, dir: Down, sc: m.Down, ex: conn, skipGone: true}
	n, err := r.run(ctx, 0)
	return n - r.skipped, r.skipped, err
}
