package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Result is what a run did.
type Result struct {
	Direction Direction
	// Done lists the migrations that finished, in order.
	Done []StepResult
	// NotRun lists planned migrations that did not run because an earlier
	// one failed or the run was cancelled.
	NotRun []Version
	// Warnings repeats the plan's warnings.
	Warnings []string
	// LockWait is how long the run waited for another runner.
	LockWait time.Duration
	// Safety is what the safety gate ([WithSafety]) found in the plan, when
	// it found anything; with [SafetyOptions.AllowUnsafe] the run went ahead
	// anyway.
	Safety *SafetyReport
}

// StepResult is one finished migration.
type StepResult struct {
	Version   Version
	Name      string
	Direction Direction
	// State is the state recorded in history after the step: applied, or
	// expanded for an online change that waits for `strata complete`;
	// empty when the row was removed (down, abort).
	State      State
	Duration   time.Duration
	Statements int
	// Next says what a human does next when State is not applied (the
	// step plan's Next).
	Next string
}

// Up applies every pending migration.
func (p *Provider) Up(ctx context.Context) (*Result, error) {
	return p.Run(ctx, Request{Direction: Up})
}

// UpTo applies pending migrations up to and including v.
func (p *Provider) UpTo(ctx context.Context, v Version) (*Result, error) {
	return p.Run(ctx, Request{Direction: Up, To: v})
}

// UpBy applies the next n pending migrations.
func (p *Provider) UpBy(ctx context.Context, n int) (*Result, error) {
	return p.Run(ctx, Request{Direction: Up, Steps: n})
}

// Down undoes the last applied migration.
func (p *Provider) Down(ctx context.Context) (*Result, error) {
	return p.Run(ctx, Request{Direction: Down, Steps: 1})
}

// DownTo undoes every applied migration above v; "0" undoes them all.
func (p *Provider) DownTo(ctx context.Context, v Version) (*Result, error) {
	return p.Run(ctx, Request{Direction: Down, To: v})
}

// Run takes the runner lock, plans req against the history as it is under
// the lock, and executes the plan. On failure the error is a
// *[MigrationError] saying what state the failed migration was left in, and
// the Result lists what finished before it.
func (p *Provider) Run(ctx context.Context, req Request) (*Result, error) {
	if req.Direction == "" {
		req.Direction = Up
	}
	res := &Result{Direction: req.Direction}
	err := p.withLock(ctx, res, func(ctx context.Context, conn *sql.Conn, recs []Record) error {
		pl, err := p.plan(req, recs)
		if err != nil {
			return err
		}
		// strata.sum is checked after the plan, so that an edited applied
		// file is reported as drift (`strata repair`) rather than as a sum
		// mismatch whose advice, `strata hash`, would bless the edit.
		if req.Direction == Up && p.o.checkSum {
			if err := CheckSum(p.fsys); err != nil {
				return err
			}
		}
		if err := p.gate(ctx, pl, res); err != nil {
			res.NotRun = versions(pl.Steps)
			return err
		}
		res.Warnings = pl.Warnings
		for _, w := range pl.Warnings {
			p.o.logger.Warn(w)
		}
		return p.execute(ctx, conn, pl, res)
	})
	return res, err
}

// gate runs the checks a plan must pass before anything of it runs, under
// the lock: the safety gate, then the caller's own check.
func (p *Provider) gate(ctx context.Context, pl *Plan, res *Result) error {
	if len(pl.Steps) == 0 {
		return nil
	}
	if p.o.safety != nil && pl.Direction == Up {
		rep, err := p.inspect(ctx, pl)
		if err != nil {
			return err
		}
		if len(rep.Findings) > 0 {
			res.Safety = rep
		}
		if err := p.o.safety.decide(ctx, rep); err != nil {
			return err
		}
	}
	if p.o.planCheck != nil {
		return p.o.planCheck(ctx, pl)
	}
	return nil
}

// Redo undoes the last applied migration and applies it again.
func (p *Provider) Redo(ctx context.Context) (*Result, error) {
	res := &Result{Direction: Down}
	err := p.withLock(ctx, res, func(ctx context.Context, conn *sql.Conn, recs []Record) error {
		down, err := p.plan(Request{Direction: Down, Steps: 1}, recs)
		if err != nil {
			return err
		}
		if len(down.Steps) == 0 {
			return fmt.Errorf("%w: nothing is applied, so there is nothing to redo", ErrNoChange)
		}
		if err := p.execute(ctx, conn, down, res); err != nil {
			return err
		}
		st, err := p.step(down.Steps[0].Migration, Up, nil)
		if err != nil {
			return err
		}
		return p.execute(ctx, conn, &Plan{Direction: Up, Steps: []Step{st}}, res)
	})
	return res, err
}

func versions(steps []Step) []Version {
	out := make([]Version, len(steps))
	for i, s := range steps {
		out[i] = s.Migration.key()
	}
	return out
}
