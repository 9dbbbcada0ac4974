package online

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/migrate"
)

// Step plugs online migrations into the migration engine: pass it to
// [migrate.WithStepRunner] for [migrate.KindOnline]. `strata up` starts
// (expands) a YAML migration and records it as expanded, with its
// [State] as the history row's progress; `strata complete` contracts it;
// `strata abort` (or `down` of an expanded migration) undoes it.
//
// Runner holds the settings (lock timeout, batch time, throttles); its DB,
// Logger, Progress and KeepVersions are filled in per run.
type Step struct {
	Runner Runner
}

var (
	_ migrate.StepRunner = (*Step)(nil)
	_ migrate.Finisher   = (*Step)(nil)
)

// Claim implements [migrate.StepRunner]: online migrations are YAML
// documents with a top-level operations: list.
func (s *Step) Claim(doc []byte) bool {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(doc, &top); err != nil {
		return false
	}
	_, ok := top["operations"]
	return ok
}

func (s *Step) parse(m *migrate.Migration) (*Migration, error) {
	om, err := Parse(m.File(), m.Document)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, &migrate.ParseError{File: pe.File, Line: pe.Line, Msg: strings.TrimPrefix(pe.Error(), fmt.Sprintf("%s:%d: ", pe.File, pe.Line))}
		}
		return nil, &migrate.ParseError{File: m.File(), Msg: err.Error()}
	}
	return om, nil
}

// Validate reports whether m's document is a valid online migration.
func (s *Step) Validate(m *migrate.Migration) error {
	_, err := s.parse(m)
	return err
}

// Plan implements [migrate.StepRunner]: up starts (expands) the migration
// and leaves it expanded; down aborts it. The parsed migration is the
// plan's Prepared value, which Up and Down run.
func (s *Step) Plan(m *migrate.Migration, dir migrate.Direction) (*migrate.StepPlan, error) {
	om, err := s.parse(m)
	if err != nil {
		return nil, err
	}
	if dir == migrate.Down {
		return &migrate.StepPlan{Mode: "online: abort (drop what start created; the old shape and its rows are untouched)", Prepared: om}, nil
	}
	v := string(m.Version)
	return &migrate.StepPlan{
		Mode:    "online: start expands (new shape beside the old, triggers, batched backfill) and leaves it expanded until `strata complete`",
		Actions: s.Runner.Plan(v, om), Ends: migrate.StateExpanded, Prepared: om,
		Next: fmt.Sprintf("move the application over to the new shape (views in schema %s), then `strata complete %s`; or `strata abort %s` to undo", VersionSchema(v), v, v),
	}, nil
}

// prepared is the migration a plan holds, or m's document parsed.
func (s *Step) prepared(m *migrate.Migration, plan *migrate.StepPlan) (*Migration, error) {
	if plan != nil {
		if om, ok := plan.Prepared.(*Migration); ok {
			return om, nil
		}
	}
	return s.parse(m)
}

func (s *Step) runner(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) (*Runner, error) {
	r := s.Runner
	r.DB = env.DB
	r.Logger = env.Logger
	if env.Dialect != nil {
		r.Dialect = env.Dialect
	}
	if _, err := engineFor(r.dialect()); err != nil {
		return nil, fmt.Errorf("online migration %s_%s: %w", m.Version, m.Name, err)
	}
	if r.Schema == "" {
		si, err := r.dialect().DescribeSession(ctx, env.DB)
		if err != nil {
			return nil, fmt.Errorf("read the current schema: %w", err)
		}
		r.Schema = si.Schema
	}
	r.KeepVersions = slices.Clone(s.Runner.KeepVersions)
	for _, other := range env.Expanded {
		r.KeepVersions = append(r.KeepVersions, string(other.Version))
	}
	emit := env.Emit
	r.Progress = func(e Event) {
		if s.Runner.Progress != nil {
			s.Runner.Progress(e)
		}
		if emit == nil {
			return
		}
		me := migrate.Event{Version: m.Version, Name: m.Name, Table: e.Table, SQL: e.Statement, Duration: e.Elapsed, Message: e.Message}
		switch e.Kind {
		case EventBatch:
			me.Kind, me.Rows, me.RowsTotal = migrate.EventBatchDone, e.Rows, e.Total
		case EventLockRetry:
			me.Kind = migrate.EventRetry
		case EventStatement:
			me.Kind = migrate.EventStatementFinished
		case EventReplicationLag:
			me.Kind, me.Lag, me.Stream, me.Duration = migrate.EventReplicationLag, e.Lag, "standby", 0
		default:
			return
		}
		emit(ctx, me)
	}
	return &r, nil
}

func (s *Step) state(env migrate.StepEnv) (*State, error) {
	if env.Record.Progress == "" {
		return nil, nil
	}
	st, err := ParseState([]byte(env.Record.Progress))
	if err != nil {
		return nil, fmt.Errorf("read the recorded progress of %s: %w (abort it with `strata abort %s`)", env.Record.Version, err, env.Record.Version)
	}
	return st, nil
}

type saver struct {
	env  migrate.StepEnv
	last string
}

func (sv *saver) Save(ctx context.Context, st *State) error {
	b, err := st.JSON()
	if err != nil {
		return err
	}
	sv.last = string(b)
	return sv.env.SaveProgress(ctx, sv.last)
}

// Up implements [migrate.StepRunner]: it starts (expands) the migration,
// resuming from the recorded state when there is one.
func (s *Step) Up(ctx context.Context, env migrate.StepEnv, m *migrate.Migration, plan *migrate.StepPlan) (string, error) {
	om, err := s.prepared(m, plan)
	if err != nil {
		return "", err
	}
	for _, other := range env.Expanded {
		oo, err := s.parse(other)
		if err != nil {
			continue
		}
		for _, t := range om.Tables() {
			if slices.Contains(oo.Tables(), t) {
				return "", fmt.Errorf("table %s is already being changed by expanded migration %s_%s: run `strata complete %s` (or `strata abort %s`) first; only one online migration may be expanded per table",
					t, other.Version, other.Name, other.Version, other.Version)
			}
		}
	}
	r, err := s.runner(ctx, env, m)
	if err != nil {
		return "", err
	}
	st, err := s.state(env)
	if err != nil {
		return "", err
	}
	sv := &saver{env: env, last: env.Record.Progress}
	if err := r.Start(ctx, string(m.Version), om, st, sv); err != nil {
		if errors.Is(err, ErrPrecondition) {
			err = fmt.Errorf("%w\nnothing was changed: fix the database, then `strata up` runs it (to edit %s instead, `strata abort %s` first)", err, m.File(), m.Version)
		}
		return sv.last, err
	}
	return sv.last, nil
}

// Preflight checks the preconditions of a pending migration's operations
// against the live catalog without changing anything ([Runner.Check]): what
// `strata plan` shows and what `strata up` checks before anything starts,
// so a migration that cannot run fails before its history row is written.
// Errors wrap [ErrPrecondition] and list every problem with the file, the
// operation and the field. A migration that has already started is not
// checked: its own operations changed what the checks read.
func (s *Step) Preflight(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) error {
	om, err := s.parse(m)
	if err != nil {
		return err
	}
	st, err := s.state(env)
	if err != nil {
		return err
	}
	if st != nil && !st.fresh() {
		return nil
	}
	r, err := s.runner(ctx, env, m)
	if err != nil {
		return err
	}
	return r.Check(ctx, string(m.Version), om)
}

// Down implements [migrate.StepRunner]: an expanded migration is aborted; a
// completed one cannot be undone (its old shape is gone).
func (s *Step) Down(ctx context.Context, env migrate.StepEnv, m *migrate.Migration, _ *migrate.StepPlan) error {
	if env.Record.State == migrate.StateApplied {
		return fmt.Errorf("%w: online migration %s_%s was completed, so its old shape is gone; write a new migration that changes it back", migrate.ErrNoDown, m.Version, m.Name)
	}
	return s.Abort(ctx, env, m)
}

// Complete implements [migrate.Finisher].
func (s *Step) Complete(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) (string, error) {
	om, r, st, err := s.expanded(ctx, env, m)
	if err != nil {
		return "", err
	}
	sv := &saver{env: env, last: env.Record.Progress}
	err = r.Complete(ctx, string(m.Version), om, st, sv)
	return sv.last, err
}

// Abort implements [migrate.Finisher].
func (s *Step) Abort(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) error {
	om, r, st, err := s.expanded(ctx, env, m)
	if err != nil {
		return err
	}
	return r.Abort(ctx, string(m.Version), om, st, &saver{env: env, last: env.Record.Progress})
}

// expanded reads what Complete and Abort work from: m's document, the
// runner for env and the state its history row recorded.
func (s *Step) expanded(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) (*Migration, *Runner, *State, error) {
	om, err := s.parse(m)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := s.runner(ctx, env, m)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := s.state(env)
	if err != nil {
		return nil, nil, nil, err
	}
	return om, r, st, nil
}

var (
	_ migrate.StepRunner  = (*Step)(nil)
	_ migrate.Finisher    = (*Step)(nil)
	_ migrate.Preflighter = (*Step)(nil)
)
