package migrate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// runKind hands a declarative migration to its step runner, with the plan
// the runner made for it.
func (p *Provider) runKind(ctx context.Context, st Step, start time.Time) (State, error) {
	m := st.Migration
	kr := p.o.kinds[m.Kind]
	if st.Direction == Down {
		return "", p.downKind(ctx, kr, st)
	}
	w := &row{s: p.store, start: start}
	if st.Record == nil {
		if err := p.preflight(ctx, kr, m); err != nil {
			return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err,
				Outcome: "nothing was changed and nothing was recorded: fix what the error names, then run `strata up` again"}
		}
		if err := p.preCheck(ctx, p.db, st); err != nil {
			return "", err
		}
		w.r = p.record(m, StateRunning, start)
		if err := w.s.Insert(ctx, w.r); err != nil {
			return "", err
		}
	} else {
		w.r = *st.Record
		w.r.State, w.r.FinishedAt, w.r.ExecutionMS, w.r.Error = StateRunning, time.Now(), 0, ""
		if err := w.s.Update(ctx, w.r); err != nil {
			return "", err
		}
	}
	env, err := p.stepEnv(ctx, m, st.Record, w)
	if err != nil {
		return "", err
	}
	prog, err := kr.Up(ctx, env, m, st.Declarative)
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err != nil {
		merr := &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err, Dirty: true}
		merr.HistoryErr = w.finish(bctx, StateFailed, err.Error(), prog)
		merr.Outcome = fmt.Sprintf("recorded as failed with its progress: `strata up` resumes it, `strata abort %s` undoes it", m.key())
		if merr.HistoryErr != nil {
			merr.Outcome = fmt.Sprintf("stopped part-way; recording that in history failed, so its row may still say running with older progress: `strata abort %s` undoes it", m.key())
		}
		return "", merr
	}
	if err := p.postCheck(ctx, p.db, st); err != nil {
		return "", p.undoKind(bctx, kr, st, env, w, prog, err)
	}
	return st.Declarative.Ends, unrecorded(m, Up, w.finish(bctx, st.Declarative.Ends, "", prog))
}

// preflight runs the runner's precondition checks on a pending migration,
// when it has any.
func (p *Provider) preflight(ctx context.Context, kr StepRunner, m *Migration) error {
	pf, ok := kr.(Preflighter)
	if !ok {
		return nil
	}
	env, err := p.stepEnv(ctx, m, nil, &row{s: p.store})
	if err != nil {
		return err
	}
	env.SaveProgress = func(context.Context, string) error {
		return errors.New("a preflight check cannot save progress")
	}
	return pf.Preflight(ctx, env, m)
}

// downKind undoes a declarative migration with its runner and removes its
// row.
func (p *Provider) downKind(ctx context.Context, kr StepRunner, st Step) error {
	m := st.Migration
	w := &row{s: p.store, r: *st.Record}
	env, err := p.stepEnv(ctx, m, st.Record, w)
	if err != nil {
		return err
	}
	if err := kr.Down(ctx, env, m, st.Declarative); err != nil {
		return &MigrationError{Version: m.key(), Name: m.Name, Direction: Down, Err: err, Outcome: "the history row is unchanged; see the error for the database's state"}
	}
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	return unrecorded(m, Down, p.store.Delete(bctx, m.key()))
}

// undoKind aborts a declarative change whose post-check failed: such
// changes commit as they go, so it is undone with its runner's down plan, as
// a failed statement would be undone.
func (p *Provider) undoKind(ctx context.Context, kr StepRunner, st Step, env StepEnv, w *row, prog string, checkErr error) error {
	m := st.Migration
	merr := &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: checkErr}
	env.Record = Record{Version: m.key(), Name: m.Name, Kind: m.Kind, State: st.Declarative.Ends, Progress: prog}
	down, err := p.stepPlan(m, Down)
	if err == nil {
		err = kr.Down(ctx, env, m, down)
	}
	if err != nil {
		merr.Dirty = true
		merr.HistoryErr = w.finish(ctx, StateFailed, checkErr.Error(), prog)
		merr.Outcome = fmt.Sprintf("the post-check failed and undoing the change failed too (%v): %s; run `strata abort %s`", err, recordedFailed(m.key(), merr.HistoryErr), m.key())
		return merr
	}
	merr.Outcome = fmt.Sprintf("the post-check failed, so the %s change was aborted: the old shape and its rows are as before, and %s is pending", m.Kind, m.key())
	if merr.HistoryErr = p.store.Delete(ctx, m.key()); merr.HistoryErr != nil {
		merr.Dirty = true
		merr.Outcome += "; but removing its history row failed, so history still says running: run `strata repair " + string(m.key()) + " --pending`"
	}
	return merr
}

// stepEnv builds the environment of a step runner for m: rec is its history
// row before the step (nil when pending), w the row the step's progress is
// saved in.
func (p *Provider) stepEnv(ctx context.Context, m *Migration, rec *Record, w *row) (StepEnv, error) {
	env := StepEnv{DB: p.db, Dialect: p.d, Logger: p.o.logger, Emit: p.emit, SaveProgress: w.save}
	if rec != nil {
		env.Record = *rec
	}
	recs, err := p.store.List(ctx)
	if err != nil {
		return env, err
	}
	sortRecords(recs)
	for _, r := range recs {
		if r.State == StateExpanded && r.Version != m.key() {
			if other := p.find(r.Version); other != nil && other.Kind == m.Kind {
				env.Expanded = append(env.Expanded, other)
			}
		}
	}
	return env, nil
}
