package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/strata-db/strata/migrate"
)

// Engine is what one store engine gives the shared step runner.
type Engine interface {
	// Name is the engine's name, for messages ("mongodb").
	Name() string
	// Op builds the operation r names, given the operations before it in
	// the same list; an unknown name or a bad field is a parse error.
	Op(r RawOp, prev []Op) (Op, error)
	// Mode says how the engine's operations run, for plans: in
	// multi-document transactions, or batch by batch.
	Mode() string
	// Exists reports whether the object an operation needs (a collection,
	// a table, an index) is there, for preflight checks.
	Exists(ctx context.Context, object string) (bool, error)
}

// Op is one operation of a migration.
type Op interface {
	// Describe says what the operation does, for `strata plan`.
	Describe() []string
	// Run does it. It must be safe to run again after a failure or a kill
	// part-way (from x.Cursor, the last checkpoint, when it saves any).
	Run(ctx context.Context, x *Exec) error
}

// Inverter is an [Op] that can be undone. Inverse returns nil when this
// instance cannot (a drop, a transform without a down expression).
type Inverter interface {
	Inverse() Op
}

// Phased is an [Op] that leaves a migration expanded: Run builds the new
// shape beside the old one, Complete removes the old, Abort the new.
type Phased interface {
	Complete(ctx context.Context, x *Exec) error
	Abort(ctx context.Context, x *Exec) error
	// Next says what a human does next, for version v.
	Next(v migrate.Version) string
}

// Needer is an [Op] that needs objects to exist; Creator one that creates
// objects. Preflight checks the needs no earlier operation creates.
type Needer interface{ Needs() []string }

// Creator is an [Op] that creates the objects it names.
type Creator interface{ Creates() []string }

// GoFunc is a migration written in Go against the engine's client.
type GoFunc struct {
	Up, Down func(ctx context.Context) error
}

// Runner is the [migrate.StepRunner] of a store engine: it claims YAML
// migrations with operations:, plans them, runs them batch by batch with
// progress saved in the history row, and undoes them. It is safe for
// concurrent use.
type Runner struct {
	E Engine
	// Go holds the engine's Go migrations by version.
	Go map[migrate.Version]GoFunc
}

var (
	_ migrate.StepRunner  = (*Runner)(nil)
	_ migrate.Finisher    = (*Runner)(nil)
	_ migrate.Preflighter = (*Runner)(nil)
)

// prepared is what a plan hands back to Up and Down.
type prepared struct {
	ops  []Op
	raws []RawOp
	goFn func(ctx context.Context) error
}

// Claim implements [migrate.StepRunner].
func (r *Runner) Claim(doc []byte) bool { return Claim(doc) }

// Plan implements [migrate.StepRunner].
func (r *Runner) Plan(m *migrate.Migration, dir migrate.Direction) (*migrate.StepPlan, error) {
	if m.Document == nil {
		return r.planGo(m, dir)
	}
	d, err := ParseDoc(m)
	if err != nil {
		return nil, err
	}
	up, err := r.build(d.Up)
	if err != nil {
		return nil, err
	}
	if dir == migrate.Up {
		sp := &migrate.StepPlan{Mode: r.E.Mode(), Prepared: &prepared{ops: up, raws: d.Up}}
		for i, op := range up {
			for _, line := range op.Describe() {
				sp.Actions = append(sp.Actions, fmt.Sprintf("%d. %s", i+1, line))
			}
			if ph, ok := op.(Phased); ok {
				sp.Ends = migrate.StateExpanded
				sp.Next = ph.Next(m.Version)
			}
		}
		return sp, nil
	}
	var down []Op
	var raws []RawOp
	if d.HasDown {
		if down, err = r.build(d.Down); err != nil {
			return nil, err
		}
		raws = d.Down
	} else {
		for i := len(up) - 1; i >= 0; i-- {
			inv := inverse(up[i])
			if inv == nil {
				return nil, fmt.Errorf("%w: %s: operation %d (%s, line %d) cannot be undone; add a down: list of operations that undo the migration", migrate.ErrNoDown, m.File(), i+1, d.Up[i].Name, d.Up[i].Line)
			}
			down = append(down, inv)
			raws = append(raws, d.Up[i])
		}
	}
	sp := &migrate.StepPlan{Mode: r.E.Mode(), Prepared: &prepared{ops: down, raws: raws}}
	for i, op := range down {
		for _, line := range op.Describe() {
			sp.Actions = append(sp.Actions, fmt.Sprintf("%d. %s", i+1, line))
		}
	}
	return sp, nil
}

func (r *Runner) build(raws []RawOp) ([]Op, error) {
	var ops []Op
	var perrs migrate.ParseErrors
	for _, raw := range raws {
		op, err := r.E.Op(raw, ops)
		if err != nil {
			var pe *migrate.ParseError
			if !errors.As(err, &pe) {
				pe = raw.Errorf("%v", err)
			}
			perrs = append(perrs, pe)
			continue
		}
		ops = append(ops, op)
	}
	if len(perrs) > 0 {
		return nil, perrs
	}
	return ops, nil
}

func inverse(op Op) Op {
	if inv, ok := op.(Inverter); ok {
		return inv.Inverse()
	}
	return nil
}

func (r *Runner) planGo(m *migrate.Migration, dir migrate.Direction) (*migrate.StepPlan, error) {
	g, ok := r.Go[m.Version]
	if !ok {
		return nil, fmt.Errorf("%s: no Go function for version %s is registered with the %s engine", m.File(), m.Version, r.E.Name())
	}
	fn := g.Up
	if dir == migrate.Down {
		if g.Down == nil {
			return nil, fmt.Errorf("%w: %s has no Down function", migrate.ErrNoDown, m.File())
		}
		fn = g.Down
	}
	return &migrate.StepPlan{Mode: "a Go function with the " + r.E.Name() + " client", Actions: []string{fmt.Sprintf("run the %s function of %s", dir, m.File())},
		Prepared: &prepared{goFn: fn}}, nil
}

// progress is the history row's progress JSON while a migration runs and
// after: how many operations finished and each one's last checkpoint, so a
// failed or killed run resumes where it stopped.
type progress struct {
	Direction migrate.Direction `json:"direction"`
	Op        int               `json:"op"` // operations finished
	Ops       int               `json:"ops"`
	Done      int64             `json:"done,omitempty"` // items of the running operation done
	States    []json.RawMessage `json:"states,omitempty"`
}

func readProgress(s string, ops int) *progress {
	var p progress
	if s == "" || json.Unmarshal([]byte(s), &p) != nil || p.Direction != migrate.Up || p.Ops != ops || len(p.States) != ops {
		return nil
	}
	return &p
}

func (p *progress) json() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// Up implements [migrate.StepRunner]: it runs the operations in order,
// from the recorded progress when the migration stopped part-way.
func (r *Runner) Up(ctx context.Context, env migrate.StepEnv, m *migrate.Migration, plan *migrate.StepPlan) (string, error) {
	p := plan.Prepared.(*prepared)
	if p.goFn != nil {
		return "", p.goFn(ctx)
	}
	pr := readProgress(env.Record.Progress, len(p.ops))
	if pr == nil {
		pr = &progress{Direction: migrate.Up, Ops: len(p.ops), States: make([]json.RawMessage, len(p.ops))}
	} else if env.Logger != nil {
		env.Logger.Info("resuming from recorded progress", "version", m.Version, "operation", pr.Op+1, "done", pr.Done)
	}
	var mu sync.Mutex
	save := func(ctx context.Context) error {
		mu.Lock()
		s := pr.json()
		mu.Unlock()
		return env.SaveProgress(ctx, s)
	}
	for i := pr.Op; i < len(p.ops); i++ {
		x := r.exec(env, m, p.raws[i], pr.States[i])
		x.save = func(ctx context.Context, cursor json.RawMessage, done int64) error {
			mu.Lock()
			pr.States[i], pr.Done = cursor, done
			mu.Unlock()
			return save(ctx)
		}
		if err := p.ops[i].Run(ctx, x); err != nil {
			return pr.json(), opError(i, len(p.ops), p.raws[i], err)
		}
		mu.Lock()
		pr.Op, pr.Done = i+1, 0
		mu.Unlock()
		if i+1 < len(p.ops) {
			if err := save(ctx); err != nil {
				return pr.json(), err
			}
		}
	}
	return pr.json(), nil
}

func opError(i, n int, raw RawOp, err error) error {
	return fmt.Errorf("operation %d of %d (%s, %s:%d): %w", i+1, n, raw.Name, raw.File, raw.Line, err)
}

func (r *Runner) exec(env migrate.StepEnv, m *migrate.Migration, raw RawOp, cursor json.RawMessage) *Exec {
	lg := env.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Exec{Cursor: cursor, Logger: lg, Version: m.Version, Name: m.Name, File: raw.File, Line: raw.Line, emit: env.Emit,
		save: func(context.Context, json.RawMessage, int64) error { return nil }}
}

// Down implements [migrate.StepRunner]: it runs the down operations (the
// document's down: list, or the inverses of its operations in reverse).
func (r *Runner) Down(ctx context.Context, env migrate.StepEnv, m *migrate.Migration, plan *migrate.StepPlan) error {
	p := plan.Prepared.(*prepared)
	if p.goFn != nil {
		return p.goFn(ctx)
	}
	for i, op := range p.ops {
		if err := op.Run(ctx, r.exec(env, m, p.raws[i], nil)); err != nil {
			return opError(i, len(p.ops), p.raws[i], err)
		}
	}
	return nil
}

// Complete implements [migrate.Finisher]: it finishes the operations that
// left the migration expanded.
func (r *Runner) Complete(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) (string, error) {
	p, pr, err := r.recorded(env, m)
	if err != nil {
		return "", err
	}
	for i, op := range p.ops {
		if ph, ok := op.(Phased); ok {
			if err := ph.Complete(ctx, r.exec(env, m, p.raws[i], pr.States[i])); err != nil {
				return pr.json(), opError(i, len(p.ops), p.raws[i], err)
			}
		}
	}
	return pr.json(), nil
}

// Abort implements [migrate.Finisher]: it undoes the operations that
// started, newest first, from their checkpoints.
func (r *Runner) Abort(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) error {
	p, pr, err := r.recorded(env, m)
	if err != nil {
		return err
	}
	started := pr.Op
	if started < len(p.ops) {
		started++ // the one that stopped part-way
	}
	for i := started - 1; i >= 0; i-- {
		x := r.exec(env, m, p.raws[i], pr.States[i])
		op := p.ops[i]
		if ph, ok := op.(Phased); ok {
			err = ph.Abort(ctx, x)
		} else if inv := inverse(op); inv != nil {
			err = inv.Run(ctx, x)
		} else {
			err = fmt.Errorf("it cannot be undone: undo it by hand, then `strata repair %s --pending`", m.Version)
		}
		if err != nil {
			return opError(i, len(p.ops), p.raws[i], err)
		}
	}
	return nil
}

// recorded is m's up plan and the progress its history row holds.
func (r *Runner) recorded(env migrate.StepEnv, m *migrate.Migration) (*prepared, *progress, error) {
	if m.Document == nil {
		return nil, nil, fmt.Errorf("%s is a Go migration: it has no second phase", m.File())
	}
	sp, err := r.Plan(m, migrate.Up)
	if err != nil {
		return nil, nil, err
	}
	p := sp.Prepared.(*prepared)
	pr := readProgress(env.Record.Progress, len(p.ops))
	if pr == nil {
		// Nothing recorded: the first operation may have started.
		pr = &progress{Direction: migrate.Up, Ops: len(p.ops), States: make([]json.RawMessage, len(p.ops))}
	}
	return p, pr, nil
}

// Preflight implements [migrate.Preflighter]: every object an operation
// needs exists, unless an earlier operation of the same migration creates
// it.
func (r *Runner) Preflight(ctx context.Context, env migrate.StepEnv, m *migrate.Migration) error {
	if m.Document == nil {
		return nil
	}
	sp, err := r.Plan(m, migrate.Up)
	if err != nil {
		return err
	}
	p := sp.Prepared.(*prepared)
	created := map[string]bool{}
	for i, op := range p.ops {
		if n, ok := op.(Needer); ok {
			for _, obj := range n.Needs() {
				if created[obj] {
					continue
				}
				ok, err := r.E.Exists(ctx, obj)
				if err != nil {
					return opError(i, len(p.ops), p.raws[i], err)
				}
				if !ok {
					return opError(i, len(p.ops), p.raws[i], fmt.Errorf("%s does not exist; create it first (an earlier migration or operation), or fix the name", obj))
				}
			}
		}
		if c, ok := op.(Creator); ok {
			for _, obj := range c.Creates() {
				created[obj] = true
			}
		}
	}
	return nil
}

// Exec is what an operation gets while it runs: its last checkpoint, a way
// to save the next one, and progress events.
type Exec struct {
	// Cursor is the operation's last checkpoint (JSON it saved), nil when
	// it starts afresh.
	Cursor  json.RawMessage
	Logger  *slog.Logger
	Version migrate.Version
	Name    string
	File    string
	Line    int

	save func(ctx context.Context, cursor json.RawMessage, done int64) error
	emit func(ctx context.Context, e migrate.Event)
}

// Checkpoint records cursor (marshalled to JSON) and the items done so
// far in the history row, so a failure or a kill resumes after it.
func (x *Exec) Checkpoint(ctx context.Context, cursor any, done int64) error {
	b, err := json.Marshal(cursor)
	if err != nil {
		return fmt.Errorf("encode the checkpoint: %w", err)
	}
	x.Cursor = b
	return x.save(ctx, b, done)
}

// Resume decodes the last checkpoint into v and reports whether there was
// one.
func (x *Exec) Resume(v any) (bool, error) {
	if len(x.Cursor) == 0 || string(x.Cursor) == "null" {
		return false, nil
	}
	if err := json.Unmarshal(x.Cursor, v); err != nil {
		return false, fmt.Errorf("the recorded checkpoint %s cannot be read (%v): run `strata abort %s` and start again", x.Cursor, err, x.Version)
	}
	return true, nil
}

// Batch reports a finished batch: done items of total (0 when unknown) of
// object so far.
func (x *Exec) Batch(ctx context.Context, object string, done, total int64, took time.Duration) {
	if x.emit != nil {
		x.emit(ctx, migrate.Event{Kind: migrate.EventBatchDone, Version: x.Version, Name: x.Name, Direction: migrate.Up, File: x.File, Line: x.Line, Table: object, Rows: done, RowsTotal: total, Duration: took})
	}
}
