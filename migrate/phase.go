package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Complete finishes expanded migrations: version v, or every expanded one
// when v is empty, oldest first.
func (p *Provider) Complete(ctx context.Context, v Version) (*Result, error) {
	return p.finishExpanded(ctx, v, true)
}

// Abort undoes expanded (or stopped) migrations of a declarative kind:
// version v, or every one when v is empty, newest first. The old shape and
// every row stay as they were before `up`.
func (p *Provider) Abort(ctx context.Context, v Version) (*Result, error) {
	return p.finishExpanded(ctx, v, false)
}

// phase is one `strata complete` or `strata abort`.
type phase struct {
	p        *Provider
	complete bool
	verb     string
	res      *Result
}

func (p *Provider) finishExpanded(ctx context.Context, v Version, complete bool) (*Result, error) {
	ph := &phase{p: p, complete: complete, verb: "complete", res: &Result{Direction: Up}}
	if !complete {
		ph.verb, ph.res.Direction = "abort", Down
	}
	err := p.withLock(ctx, ph.res, func(ctx context.Context, _ *sql.Conn, recs []Record) error {
		todo, err := ph.pick(v, recs)
		if err != nil {
			return err
		}
		for _, r := range todo {
			if err := ph.one(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	return ph.res, err
}

// pick selects the rows to complete or abort: v's, or every one that can
// be, in the order they must be taken.
func (ph *phase) pick(v Version, recs []Record) ([]Record, error) {
	var todo []Record
	for _, r := range recs {
		if v != "" && r.Version != v {
			continue
		}
		ok := r.State == StateExpanded || (!ph.complete && (r.State == StateRunning || r.State == StateFailed) && ph.p.resumable(r))
		if ok {
			todo = append(todo, r)
		} else if v != "" {
			return nil, fmt.Errorf("%w: %s is %s; only an expanded migration can be %s", ErrNotExpanded, v, r.State, map[bool]string{true: "completed", false: "aborted"}[ph.complete])
		}
	}
	if len(todo) == 0 && v != "" {
		if m := ph.p.find(v); m != nil {
			if ph.complete {
				return nil, fmt.Errorf("%w: %s is pending: it has not been started, so there is nothing to complete; `strata up` starts it", ErrNotExpanded, v)
			}
			return nil, fmt.Errorf("%w: %s is pending: nothing of it ran, so there is nothing to abort", ErrNotExpanded, v)
		}
		return nil, fmt.Errorf("%w %s: it is not in history", ErrUnknownVersion, v)
	}
	if !ph.complete {
		slices.Reverse(todo)
	}
	return todo, nil
}

// one completes or aborts the migration of row r.
func (ph *phase) one(ctx context.Context, r Record) error {
	p := ph.p
	m := p.find(r.Version)
	if m == nil {
		return fmt.Errorf("cannot %s %s (%s): its file is gone from the migration directory", ph.verb, r.Version, r.Name)
	}
	fin, ok := p.o.kinds[m.Kind].(Finisher)
	if !ok {
		return fmt.Errorf("cannot %s %s: %s migrations have no second phase", ph.verb, r.Version, m.Kind)
	}
	w := &row{s: p.store, r: r}
	env, err := p.stepEnv(ctx, m, &r, w)
	if err != nil {
		return err
	}
	start := time.Now()
	p.emit(ctx, Event{Kind: EventMigrationStarted, Version: m.key(), Name: m.Name, Direction: ph.res.Direction, File: m.File(), Message: ph.verb})
	sr := StepResult{Version: m.key(), Name: m.Name, Direction: ph.res.Direction}
	if ph.complete {
		prog, err := fin.Complete(ctx, env, m)
		if err != nil {
			return &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: fmt.Errorf("complete: %w", err),
				Outcome: fmt.Sprintf("still expanded: run `strata complete %s` again, or `strata abort %s`", m.key(), m.key())}
		}
		w.start = start.Add(-time.Duration(r.ExecutionMS) * time.Millisecond)
		if err := w.finish(ctx, StateApplied, "", prog); err != nil {
			return err
		}
		sr.State = StateApplied
	} else {
		if err := fin.Abort(ctx, env, m); err != nil {
			return &MigrationError{Version: m.key(), Name: m.Name, Direction: Down, Err: fmt.Errorf("abort: %w", err),
				Outcome: fmt.Sprintf("the history row is unchanged: run `strata abort %s` again", m.key())}
		}
		if err := p.store.Delete(ctx, m.key()); err != nil {
			return err
		}
	}
	sr.Duration = time.Since(start)
	ph.res.Done = append(ph.res.Done, sr)
	p.emit(ctx, Event{Kind: EventMigrationFinished, Version: m.key(), Name: m.Name, Direction: ph.res.Direction, Duration: sr.Duration, State: sr.State})
	return nil
}
