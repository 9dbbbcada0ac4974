package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Request says what a run should do.
type Request struct {
	Direction Direction
	// To is the target version: up applies pending migrations up to and
	// including To; down undoes applied ones above To ("0" undoes all).
	// Empty means no bound.
	To Version
	// Steps limits how many migrations run; 0 means no limit (up) or one
	// (down, when To is empty too).
	Steps int
	// SingleTransaction applies all pending migrations in one transaction
	// (PostgreSQL and SQLite).
	SingleTransaction bool
}

// Plan is what a run would do, as plain data: `strata plan` prints it, tests
// inspect it, and the runner executes it.
type Plan struct {
	Direction         Direction
	Steps             []Step
	SingleTransaction bool
	// Warnings are things worth knowing that do not stop the run: applied
	// versions whose files are gone, drift that was allowed.
	Warnings []string
}

// Step is one migration in one direction.
type Step struct {
	Migration *Migration
	Direction Direction
	// Script is the SQL that runs (nil for Go and declarative migrations).
	Script *Script
	// Transactional is true when the step runs in one transaction together
	// with its history row.
	Transactional bool
	// Mode says how the step runs, in words, for `strata plan`.
	Mode string
	// Rerun is set for a repeatable migration that runs again.
	Rerun bool
	// Record is the migration's history row, when it has one.
	Record *Record
	// Describe is what a declarative step would do, in SQL and words.
	Describe []string
}

// Plan computes what req would do now, without taking the lock or changing
// anything. The run recomputes it under the lock, so a plan shown to a human
// and the run that follows agree unless another runner ran in between.
func (p *Provider) Plan(ctx context.Context, req Request) (*Plan, error) {
	recs, err := p.readHistory(ctx)
	if err != nil {
		return nil, err
	}
	return p.plan(req, recs)
}

func (p *Provider) plan(req Request, recs []Record) (*Plan, error) {
	byKey := map[Version]Record{}
	for _, r := range recs {
		byKey[r.Version] = r
	}
	pl := &Plan{Direction: req.Direction, SingleTransaction: req.SingleTransaction, Warnings: append([]string(nil), p.skipped...)}
	if req.Direction == "" {
		pl.Direction = Up
	}
	// Rows a human must look at come first: nothing runs over them.
	// Declarative (online) migrations stopped part-way resume from their
	// recorded progress instead: their runner knows how.
	for _, r := range recs {
		if (r.State == StateFailed || r.State == StateRunning) && !p.resumable(r) {
			return nil, &DirtyError{Version: r.Version, Name: r.Name, State: r.State, Error_: r.Error, Detail: describeProgress(r.Progress)}
		}
	}
	var drifts []error
	fileOf := map[Version]*Migration{}
	for _, m := range p.migrations {
		fileOf[m.key()] = m
		r, ok := byKey[m.key()]
		if !ok || m.Repeatable || r.Checksum == m.Checksum {
			continue
		}
		de := &DriftError{Version: m.Version, File: m.File(), Stored: r.Checksum, Current: m.Checksum, CanDiff: r.Source != ""}
		if p.o.allowDrift {
			pl.Warnings = append(pl.Warnings, de.Error()+" (allowed by --allow-drift)")
			continue
		}
		drifts = append(drifts, de)
	}
	if len(drifts) > 0 {
		return nil, errors.Join(drifts...)
	}
	for _, r := range recs {
		if _, ok := fileOf[r.Version]; !ok {
			pl.Warnings = append(pl.Warnings, fmt.Sprintf("version %s (%s) is in history but has no file in the migration directory", r.Version, r.Name))
		}
	}
	var err error
	if pl.Direction == Up {
		pl, err = p.planUp(pl, req, byKey)
	} else {
		pl, err = p.planDown(pl, req, recs, fileOf)
	}
	if err != nil {
		return nil, err
	}
	return pl, p.renderPlan(pl)
}

// renderPlan substitutes ${NAME} placeholders in every step before anything
// runs, so an unset name stops the run before its first statement and
// `strata plan` shows the SQL that will really run.
func (p *Provider) renderPlan(pl *Plan) error {
	for i := range pl.Steps {
		sc := pl.Steps[i].Script
		if sc == nil || !(sc.Envsub || sc.Placeholders || anyEnvsub(sc)) {
			continue
		}
		out := *sc
		out.Envsub, out.Placeholders = false, false
		out.Statements = make([]Statement, len(sc.Statements))
		for j, st := range sc.Statements {
			text, err := p.render(sc, st)
			if err != nil {
				return err
			}
			st.SQL, st.Envsub = text, false
			out.Statements[j] = st
		}
		pl.Steps[i].Script = &out
	}
	return nil
}

func (p *Provider) planUp(pl *Plan, req Request, byKey map[Version]Record) (*Plan, error) {
	if req.To != "" && !req.To.IsZero() && p.find(req.To) == nil {
		return nil, fmt.Errorf("%w %s: no migration has it (see `strata status`)", ErrUnknownVersion, req.To)
	}
	var newest Version
	for v, r := range byKey {
		if !v.isRepeatable() && r.State != StatePending && (newest == "" || v.Compare(newest) > 0) {
			newest = v
		}
	}
	var outOfOrder []Version
	for _, m := range p.migrations {
		if m.Repeatable {
			continue
		}
		if r, ok := byKey[m.key()]; ok {
			if (r.State == StateFailed || r.State == StateRunning) && p.resumable(r) {
				st := p.step(m, Up, nil)
				rc := r
				st.Record = &rc
				st.Mode = "resume from recorded progress: " + st.Mode
				pl.Steps = append(pl.Steps, st)
			}
			continue
		}
		if req.To != "" && m.Version.Compare(req.To) > 0 {
			break
		}
		if newest != "" && m.Version.Compare(newest) < 0 {
			outOfOrder = append(outOfOrder, m.Version)
		}
		pl.Steps = append(pl.Steps, p.step(m, Up, nil))
	}
	if len(outOfOrder) > 0 && !p.o.allowOutOfOrder {
		return nil, &OutOfOrderError{Pending: outOfOrder, Newest: newest}
	}
	if req.Steps > 0 && len(pl.Steps) > req.Steps {
		pl.Steps = pl.Steps[:req.Steps]
	}
	// Repeatables run after the versioned ones, when the run is not bounded.
	if req.To == "" && req.Steps == 0 {
		for _, m := range p.migrations {
			if !m.Repeatable {
				continue
			}
			r, ok := byKey[m.key()]
			if ok && r.Checksum == m.Checksum {
				continue
			}
			st := p.step(m, Up, nil)
			if ok {
				st.Rerun = true
				rc := r
				st.Record = &rc
			}
			pl.Steps = append(pl.Steps, st)
		}
	}
	if req.SingleTransaction {
		if !p.d.TransactionalDDL() {
			return nil, fmt.Errorf("--single-transaction needs transactional DDL; %s commits DDL implicitly", p.d.Name())
		}
		for _, st := range pl.Steps {
			if !st.Transactional {
				return nil, fmt.Errorf("--single-transaction: %s cannot run in a transaction: %s", st.Migration.File(), st.Mode)
			}
		}
	}
	return pl, nil
}

func (p *Provider) planDown(pl *Plan, req Request, recs []Record, fileOf map[Version]*Migration) (*Plan, error) {
	if req.SingleTransaction {
		return nil, errors.New("--single-transaction applies to up only")
	}
	if req.To != "" && !req.To.IsZero() && p.find(req.To) == nil {
		if _, ok := fileOf[req.To]; !ok {
			found := false
			for _, r := range recs {
				found = found || r.Version == req.To
			}
			if !found {
				return nil, fmt.Errorf("%w %s: no migration has it (see `strata status`)", ErrUnknownVersion, req.To)
			}
		}
	}
	applied := make([]Record, 0, len(recs))
	for _, r := range recs {
		if r.Version.isRepeatable() || (r.State != StateApplied && r.State != StateExpanded) {
			continue
		}
		applied = append(applied, r)
	}
	sort.Slice(applied, func(i, j int) bool { return applied[i].Version.Compare(applied[j].Version) > 0 })
	limit := req.Steps
	if limit == 0 && req.To == "" {
		limit = 1
	}
	for _, r := range applied {
		if req.To != "" && r.Version.Compare(req.To) <= 0 {
			break
		}
		if limit > 0 && len(pl.Steps) >= limit {
			break
		}
		m := fileOf[r.Version]
		if m == nil {
			return nil, fmt.Errorf("%w: cannot undo version %s (%s): its file is gone from the migration directory; restore it, or remove the row by hand", ErrNoDown, r.Version, r.Name)
		}
		if !m.HasDown() && m.Kind != KindOnline && p.o.skipMissingDown && m.Go == nil {
			rc := r
			st := p.step(m, Down, &rc)
			st.Script = &Script{File: m.File(), Empty: true}
			st.Transactional = true
			st.Mode = "no down part: nothing runs, the history row is removed (--skip-missing-down, as golang-migrate and goose do)"
			pl.Steps = append(pl.Steps, st)
			continue
		}
		if !m.HasDown() && m.Kind != KindOnline {
			how := "a -- strata:down section"
			if strings.HasSuffix(m.File(), ".up.sql") {
				how = "a " + strings.TrimSuffix(m.File(), ".up.sql") + ".down.sql file"
			}
			return nil, fmt.Errorf("%w: cannot undo %s: it has no down section (add %s), or undo it by hand and run `strata repair %s --pending` (or pass --skip-missing-down to step over it as golang-migrate and goose do)",
				ErrNoDown, m.File(), how, m.Version)
		}
		rc := r
		pl.Steps = append(pl.Steps, p.step(m, Down, &rc))
	}
	return pl, nil
}

func (p *Provider) step(m *Migration, dir Direction, rec *Record) Step {
	st := Step{Migration: m, Direction: dir, Record: rec}
	switch {
	case m.Go != nil:
		st.Transactional = !m.Go.NoTransaction
		st.Mode = "one transaction with its history row (Go)"
		if m.Go.NoTransaction {
			st.Mode = "no transaction (Go, NoTransaction)"
		}
		return st
	case m.Kind != KindSQL:
		st.Mode = string(m.Kind) + " migration"
		if m.Kind == KindOnline {
			st.Mode = "online: start expands (new shape beside the old, triggers, batched backfill) and leaves it expanded until `strata complete`"
			if dir == Down {
				st.Mode = "online: abort (drop what start created; the old shape and its rows are untouched)"
			}
		}
		if kr := p.o.kinds[m.Kind]; kr != nil && dir == Up {
			st.Describe, _ = kr.Plan(m)
		}
		return st
	}
	st.Script = m.Up
	if dir == Down {
		st.Script = m.Down
	}
	sc := st.Script
	switch {
	case sc == nil:
		st.Mode = "nothing to run"
	case sc.ManagesTransaction:
		st.Mode = "as written, without a wrapping transaction: " + sc.NoTxReason
	case sc.NoTransaction:
		st.Mode = "no transaction, statement by statement with progress recorded: " + sc.NoTxReason
	case !p.d.TransactionalDDL() && !allDML(sc):
		st.Mode = "statement by statement with progress recorded (" + p.d.Name() + " commits DDL implicitly)"
	default:
		st.Transactional = true
		st.Mode = "one transaction with its history row"
	}
	return st
}

// allDML reports whether every statement is data manipulation, which MySQL
// can run in a transaction.
func allDML(sc *Script) bool {
	for _, s := range sc.Statements {
		kw := firstKeyword(s.SQL)
		switch kw {
		case "INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "WITH", "SET":
		default:
			return false
		}
	}
	return true
}

// resumable reports whether a stopped migration's runner can resume it.
func (p *Provider) resumable(r Record) bool {
	return r.Kind != KindSQL && r.Kind != KindGo && p.o.kinds[r.Kind] != nil && p.find(r.Version) != nil
}

func anyEnvsub(sc *Script) bool {
	for _, st := range sc.Statements {
		if st.Envsub {
			return true
		}
	}
	return false
}
