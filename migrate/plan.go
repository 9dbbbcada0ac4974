package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
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
	// Declarative is what a declarative step's runner planned; the run
	// hands it back to the runner, so what runs is what the plan shows.
	Declarative *StepPlan
	// Describe is what a declarative step would do, in SQL and words: its
	// Declarative.Actions.
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
	pl, err := p.plan(req, recs)
	if err != nil {
		return nil, err
	}
	return pl, p.preflightPlan(ctx, pl)
}

// preflightPlan checks the preconditions of the pending declarative steps
// of an up plan against the database as it is now. The first step's
// problems are errors; a later step's are warnings, since an earlier step
// of the same run may create what it needs (the run checks each step again
// right before it starts).
func (p *Provider) preflightPlan(ctx context.Context, pl *Plan) error {
	if pl.Direction != Up {
		return nil
	}
	for i, st := range pl.Steps {
		kr, ok := p.o.kinds[st.Migration.Kind]
		if !ok || st.Record != nil || st.Migration.Go != nil {
			continue
		}
		err := p.preflight(ctx, kr, st.Migration)
		if err == nil {
			continue
		}
		if i == 0 {
			return fmt.Errorf("%s: %w", st.Migration.File(), err)
		}
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s may not be able to start (unless an earlier migration of this run creates what it needs): %v", st.Migration.File(), err))
	}
	return nil
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
	if err := p.checkHistory(pl, recs, byKey); err != nil {
		return nil, err
	}
	var err error
	if pl.Direction == Up {
		err = p.planUp(pl, req, byKey)
	} else {
		err = p.planDown(pl, req, recs)
	}
	if err != nil {
		return nil, err
	}
	return pl, p.renderPlan(pl)
}

// checkHistory refuses what must stop any run: rows a human must look at
// (failed or running), then applied files that were edited. It warns about
// rows whose file is gone.
func (p *Provider) checkHistory(pl *Plan, recs []Record, byKey map[Version]Record) error {
	// Declarative (online) migrations stopped part-way resume from their
	// recorded progress instead: their runner knows how.
	for _, r := range recs {
		if (r.State == StateFailed || r.State == StateRunning) && !p.resumable(r) {
			return &DirtyError{Version: r.Version, Name: r.Name, State: r.State, Error_: r.Error, Detail: describeProgress(r.Progress)}
		}
	}
	drifts := p.drift(byKey)
	if p.o.allowDrift {
		for _, de := range drifts {
			pl.Warnings = append(pl.Warnings, de.Error()+" (allowed by --allow-drift)")
		}
	} else if len(drifts) > 0 {
		errs := make([]error, len(drifts))
		for i, de := range drifts {
			errs[i] = de
		}
		return errors.Join(errs...)
	}
	for _, r := range recs {
		if p.find(r.Version) == nil {
			pl.Warnings = append(pl.Warnings, fmt.Sprintf("version %s (%s) is in history but has no file in the migration directory", r.Version, r.Name))
		}
	}
	return nil
}

// drift lists the applied migrations whose files changed since they ran.
func (p *Provider) drift(byKey map[Version]Record) []*DriftError {
	var out []*DriftError
	for _, m := range p.migrations {
		r, ok := byKey[m.key()]
		if !ok || m.Repeatable || r.Checksum == m.Checksum {
			continue
		}
		out = append(out, &DriftError{Version: m.Version, File: editedFile(m, r), Stored: r.Checksum, Current: m.Checksum, CanDiff: r.Source != ""})
	}
	return out
}

// editedFile names the file of m that changed since r was recorded: the
// down file of a pair when only it changed. Without the old text it names
// the first file.
func editedFile(m *Migration, r Record) string {
	if r.Source == "" || len(m.Files) < 2 {
		return m.File()
	}
	was, now := fileTexts(r.Source), fileTexts(m.Source)
	if len(was) == len(now) && was[0] == now[0] {
		for i := 1; i < len(now); i++ {
			if was[i] != now[i] {
				return m.Files[i]
			}
		}
	}
	return m.File()
}

// fileTexts cuts a migration's stored source back into its files' texts.
func fileTexts(source string) []string {
	var out []string
	for {
		i := strings.Index(source, "\n-- strata:file ")
		if i < 0 {
			return append(out, source)
		}
		out = append(out, source[:i])
		source = source[i+1:]
		if j := strings.IndexByte(source, '\n'); j >= 0 {
			source = source[j+1:]
		} else {
			source = ""
		}
	}
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

func (p *Provider) planUp(pl *Plan, req Request, byKey map[Version]Record) error {
	if req.To != "" && !req.To.IsZero() && p.find(req.To) == nil {
		return fmt.Errorf("%w %s: no migration has it (see `strata status`)", ErrUnknownVersion, req.To)
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
				rc := r
				st, err := p.step(m, Up, &rc)
				if err != nil {
					return err
				}
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
		st, err := p.step(m, Up, nil)
		if err != nil {
			return err
		}
		pl.Steps = append(pl.Steps, st)
	}
	if len(outOfOrder) > 0 && !p.o.allowOutOfOrder {
		return &OutOfOrderError{Pending: outOfOrder, Newest: newest}
	}
	if req.Steps > 0 && len(pl.Steps) > req.Steps {
		pl.Steps = pl.Steps[:req.Steps]
	}
	// Repeatables run after the versioned ones, when the run is not bounded.
	if req.To == "" && req.Steps == 0 {
		if err := p.planRepeatables(pl, byKey); err != nil {
			return err
		}
	}
	if req.SingleTransaction {
		if !p.d.TransactionalDDL() {
			return fmt.Errorf("--single-transaction needs transactional DDL; %s commits DDL implicitly", p.d.Name())
		}
		for _, st := range pl.Steps {
			if !st.Transactional {
				return fmt.Errorf("--single-transaction: %s cannot run in a transaction: %s", st.Migration.File(), st.Mode)
			}
		}
	}
	return nil
}

// planRepeatables adds the repeatable migrations that are new or changed.
func (p *Provider) planRepeatables(pl *Plan, byKey map[Version]Record) error {
	for _, m := range p.migrations {
		if !m.Repeatable {
			continue
		}
		r, ok := byKey[m.key()]
		if ok && r.Checksum == m.Checksum {
			continue
		}
		st, err := p.step(m, Up, nil)
		if err != nil {
			return err
		}
		if ok {
			st.Rerun = true
			rc := r
			st.Record = &rc
		}
		pl.Steps = append(pl.Steps, st)
	}
	return nil
}

func (p *Provider) planDown(pl *Plan, req Request, recs []Record) error {
	if req.SingleTransaction {
		return errors.New("--single-transaction applies to up only")
	}
	if req.To != "" && !req.To.IsZero() && p.find(req.To) == nil && !slices.ContainsFunc(recs, func(r Record) bool { return r.Version == req.To }) {
		return fmt.Errorf("%w %s: no migration has it (see `strata status`)", ErrUnknownVersion, req.To)
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
		m := p.find(r.Version)
		if m == nil {
			return fmt.Errorf("%w: cannot undo version %s (%s): its file is gone from the migration directory; restore it, or remove the row by hand", ErrNoDown, r.Version, r.Name)
		}
		rc := r
		st, err := p.step(m, Down, &rc)
		if errors.Is(err, ErrNoDown) && p.o.skipMissingDown && m.Go == nil {
			st = Step{Migration: m, Direction: Down, Record: &rc, Script: &Script{File: m.File(), Empty: true}, Transactional: true,
				Mode: "no down part: nothing runs, the history row is removed (--skip-missing-down, as golang-migrate and goose do)"}
		} else if err != nil {
			return err
		}
		pl.Steps = append(pl.Steps, st)
	}
	return nil
}

// step decides how m runs in direction dir: the script, whether it runs in
// one transaction with its history row, and the words that say so. It
// fails with [ErrNoDown] when m has no way back.
func (p *Provider) step(m *Migration, dir Direction, rec *Record) (Step, error) {
	st := Step{Migration: m, Direction: dir, Record: rec}
	switch {
	case m.Go != nil:
		if dir == Down && !m.HasDown() {
			return st, fmt.Errorf("%w: cannot undo %s: it has no Down function", ErrNoDown, m.File())
		}
		st.Transactional = !m.Go.NoTransaction
		st.Mode = "one transaction with its history row (Go)"
		if m.Go.NoTransaction {
			st.Mode = "no transaction (Go, NoTransaction)"
		}
		return st, nil
	case m.Kind != KindSQL:
		sp, err := p.stepPlan(m, dir)
		if err != nil {
			return st, err
		}
		st.Declarative, st.Mode, st.Describe = sp, sp.Mode, sp.Actions
		return st, nil
	}
	st.Script = m.Up
	if dir == Down {
		if m.Down == nil {
			return st, p.noDown(m)
		}
		st.Script = m.Down
	}
	sc := st.Script
	switch {
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
	return st, nil
}

// noDown is the refusal to undo m, which has no down part (or an empty one).
func (p *Provider) noDown(m *Migration) error {
	e := &NoDownError{Version: m.Version, File: m.File(), Empty: m.EmptyDown != ""}
	if strings.HasSuffix(m.File(), ".up.sql") {
		e.Pair = true
		e.File = strings.TrimSuffix(m.File(), ".up.sql") + ".down.sql"
	}
	if m.EmptyDown != "" {
		e.File = m.EmptyDown
	}
	return e
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

func firstKeyword(sql string) string {
	kw := sqlsplit.Keywords(sql, 1)
	if len(kw) == 0 {
		return ""
	}
	return strings.ToUpper(kw[0])
}
