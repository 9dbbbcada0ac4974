package online

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Steps of Start, recorded in State.Step so a resumed run skips what is done.
const (
	stepExpand   = 0 // operations' Start: DDL and triggers
	stepBackfill = 1 // backfill passes
	stepFinish   = 2 // validations and indexes that wait for backfills
	stepViews    = 3 // version schema
	stepExpanded = 4

	stepContracted = 10 // Complete's cut-over transaction committed
)

func (r *Runner) newExec(version string, m *Migration, st *State, store StateStore) (*Exec, *State, error) {
	if r.DB == nil {
		return nil, nil, errors.New("online: Runner.DB is nil")
	}
	if m == nil || len(m.Operations) == 0 {
		return nil, nil, errors.New("online: migration has no operations")
	}
	d := r.dialect()
	eng, err := engineFor(d)
	if err != nil {
		return nil, nil, err
	}
	if st == nil {
		st = newState(version, m)
	} else if err := st.check(version, m); err != nil {
		return nil, nil, err
	}
	return &Exec{quoting: quoting{d}, r: r, d: d, eng: eng, version: version, m: m, st: st, store: store}, st, nil
}

func (r *Runner) phaseEvent(x *Exec, msg string) {
	r.logger().Info(msg, "version", x.version, "phase", x.st.Phase)
	r.emit(Event{Kind: EventPhase, Version: x.version, Phase: x.st.Phase, Message: msg})
}

// Start expands migration version: it creates the new shape beside the
// old, installs the triggers that keep both in step, backfills existing
// rows and creates the version schema of views. st is the state saved by an
// earlier, interrupted Start (nil for a fresh one); store receives the state
// after every step and batch. On success the state's phase is
// [PhaseExpanded]. On error the state says how far it got: call Start again
// to resume, or Abort to undo.
func (r *Runner) Start(ctx context.Context, version string, m *Migration, st *State, store StateStore) error {
	x, st, err := r.newExec(version, m, st, store)
	if err != nil {
		return err
	}
	switch st.Phase {
	case PhaseExpanded:
		return nil
	case PhaseStarting:
	default:
		return fmt.Errorf("start %s: phase is %s: %w", version, st.Phase, ErrPhase)
	}
	if st.fresh() {
		if err := r.Check(ctx, version, m); err != nil {
			// Saved, the untouched state tells `strata status` the next
			// step (State.Next) as it does for any stopped start.
			_ = x.save(ctx)
			return fmt.Errorf("start %s: %w", version, err)
		}
	}
	t0 := time.Now()
	r.phaseEvent(x, "start")
	// Operations' Start always runs again on resume: they are idempotent, and
	// they register the backfill passes the next step needs.
	// Started is saved before an operation runs: from then on Abort must
	// undo whatever part of it got done.
	for i, op := range m.Operations {
		x.idx = i
		if !st.Ops[i].Started {
			st.Ops[i].Started = true
			if err := x.save(ctx); err != nil {
				return err
			}
		}
		if err := op.Start(ctx, x); err != nil {
			return fmt.Errorf("start %s: %s: %w", version, m.opLoc(i), err)
		}
	}
	st.Step = max(st.Step, stepBackfill)
	for _, p := range x.passes {
		r.logger().Info("backfill", "version", version, "table", p.table, "pass", p.key)
		if err := x.runPass(ctx, p); err != nil {
			return fmt.Errorf("start %s: %w", version, err)
		}
	}
	st.Step = max(st.Step, stepFinish)
	for i, op := range m.Operations {
		if ab, ok := op.(afterBackfiller); ok {
			x.idx = i
			if err := ab.afterBackfill(ctx, x); err != nil {
				return fmt.Errorf("start %s: %s: %w", version, m.opLoc(i), err)
			}
		}
	}
	st.Step = stepViews
	if err := x.save(ctx); err != nil {
		return err
	}
	if err := x.createViews(ctx); err != nil {
		return fmt.Errorf("start %s: create version schema: %w", version, err)
	}
	if err := x.durable(ctx); err != nil {
		return fmt.Errorf("start %s: %w", version, err)
	}
	st.Step = stepExpanded
	st.Phase = PhaseExpanded
	if err := x.save(ctx); err != nil {
		return err
	}
	r.emit(Event{Kind: EventDone, Version: version, Phase: st.Phase, Elapsed: time.Since(t0)})
	r.logger().Info("expanded", "version", version, "elapsed", time.Since(t0))
	return nil
}

// Complete contracts an expanded migration: in one short transaction under
// lock_timeout (retried with backoff) it drops the triggers and the old
// shape, renames the new shape into place and drops the version schema;
// then it drops what no longer has a use without blocking anyone (old
// indexes, backup tables).
//
// A version schema lives exactly as long as its migration is expanded: from
// Start (strata up) to Complete or Abort. Once the cut-over commits there is
// one shape again, the physical tables, and views kept over them would make
// every later plain migration that changes or drops a column they show
// fail. The cut-over transaction therefore drops this migration's version
// schema and those of older versions (left by earlier releases of strata),
// except those of migrations still expanded ([Runner.KeepVersions]); in
// those, the views of the tables this migration changed are rebuilt over
// the tables' final shape in the same transaction.
func (r *Runner) Complete(ctx context.Context, version string, m *Migration, st *State, store StateStore) error {
	x, st, err := r.newExec(version, m, st, store)
	if err != nil {
		return err
	}
	switch st.Phase {
	case PhaseCompleted:
		return nil
	case PhaseExpanded, PhaseCompleting:
	default:
		return fmt.Errorf("complete %s: phase is %s, run start (strata up) first: %w", version, st.Phase, ErrPhase)
	}
	t0 := time.Now()
	st.Phase = PhaseCompleting
	if err := x.save(ctx); err != nil {
		return err
	}
	r.phaseEvent(x, "complete")
	for i, op := range m.Operations {
		x.idx = i
		if err := op.Complete(ctx, x); err != nil {
			return fmt.Errorf("complete %s: %s: %w", version, m.opLoc(i), err)
		}
	}
	if st.Step < stepContracted {
		if err := x.cutOver(ctx); err != nil {
			return fmt.Errorf("complete %s: %w", version, err)
		}
		st.Step = stepContracted
		if err := x.save(ctx); err != nil {
			return err
		}
	}
	for _, a := range x.after {
		if err := x.concurrent(ctx, a.table, a.stmt); err != nil {
			return fmt.Errorf("complete %s: %w", version, err)
		}
	}
	if err := x.durable(ctx); err != nil {
		return fmt.Errorf("complete %s: %w", version, err)
	}
	st.Phase = PhaseCompleted
	if err := x.save(ctx); err != nil {
		return err
	}
	r.emit(Event{Kind: EventDone, Version: version, Phase: st.Phase, Elapsed: time.Since(t0)})
	r.logger().Info("completed", "version", version, "elapsed", time.Since(t0))
	return nil
}

// cutOver runs Complete's one transaction: version schemas out, the
// contract statements, and the views other expanded migrations keep over
// this migration's tables rebuilt over their final shape.
func (x *Exec) cutOver(ctx context.Context) error {
	olds, err := x.olderVersionSchemas(ctx)
	if err != nil {
		return err
	}
	kept, err := x.keptVersionSchemas(ctx)
	if err != nil {
		return err
	}
	// After the cut-over every table this migration changed has its
	// new-shape name and columns: the final shape says which, as physical
	// names.
	final, err := x.finalShape(ctx)
	if err != nil {
		return err
	}
	touched := map[string]bool{}
	for _, t := range x.m.Tables() {
		touched[t] = true
	}
	for _, t := range createdTables(x.m, x.version) {
		touched[t] = true
	}
	after := &shape{version: final.version}
	for _, t := range final.tables {
		if !touched[t.Phys] {
			continue
		}
		nt := &tableModel{Phys: t.Name, Name: t.Name}
		for _, c := range t.Cols {
			nt.Cols = append(nt.Cols, modelCol{Name: c.Name, Phys: c.Name, Type: c.Type})
		}
		after.tables = append(after.tables, nt)
	}
	relations := x.tables(touched)
	vs := x.VersionSchema()
	stmts := []string{"DROP SCHEMA IF EXISTS " + x.ident(vs) + " CASCADE"}
	for _, o := range olds {
		stmts = append(stmts, "DROP SCHEMA IF EXISTS "+x.ident(o)+" CASCADE")
	}
	// Read before the transaction, which should hold its locks for no
	// longer than its DDL takes; the engine's lock keeps other runners from
	// changing version schemas meanwhile.
	for _, k := range kept {
		views, err := x.eng.viewsOver(ctx, x.db(), k, relations)
		if err != nil {
			return err
		}
		for _, v := range views {
			stmts = append(stmts, "DROP VIEW IF EXISTS "+x.qualified(k, v))
		}
	}
	stmts = append(stmts, x.contract...)
	for _, k := range kept {
		stmts = append(stmts, after.viewSQL(x.quoting, x.Schema(), k)[1:]...)
	}
	err = x.execTx(ctx, firstTable(x.m), "complete "+x.version, func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return wrapStmt(s, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	x.emitStmt(firstTable(x.m), strings.Join(x.contract, "; "))
	return nil
}

func firstTable(m *Migration) string {
	if t := m.Tables(); len(t) > 0 {
		return t[0]
	}
	return ""
}

// Abort undoes Start from any partial state: it drops the version schema
// and, in reverse order, what each operation created, leaving the old shape
// and every row as they were. It refuses once Complete has committed its
// cut-over.
func (r *Runner) Abort(ctx context.Context, version string, m *Migration, st *State, store StateStore) error {
	x, st, err := r.newExec(version, m, st, store)
	if err != nil {
		return err
	}
	switch st.Phase {
	case PhaseAborted:
		return nil
	case PhaseCompleted:
		return fmt.Errorf("abort %s: already completed; write a new migration to change it back: %w", version, ErrPhase)
	case PhaseCompleting:
		if st.Step >= stepContracted {
			return fmt.Errorf("abort %s: complete already cut over; run complete again to finish: %w", version, ErrPhase)
		}
	}
	t0 := time.Now()
	st.Phase = PhaseAborting
	if err := x.save(ctx); err != nil {
		return err
	}
	r.phaseEvent(x, "abort")
	if err := x.ddl(ctx, "", "DROP SCHEMA IF EXISTS "+x.ident(x.VersionSchema())+" CASCADE",
		"DROP SCHEMA IF EXISTS "+x.ident(x.buildSchema())+" CASCADE"); err != nil {
		return fmt.Errorf("abort %s: %w", version, err)
	}
	if err := x.releaseKeptViews(ctx); err != nil {
		return fmt.Errorf("abort %s: %w", version, err)
	}
	for i := len(m.Operations) - 1; i >= 0; i-- {
		x.idx = i
		op := m.Operations[i]
		if !st.Ops[i].Started {
			continue
		}
		if err := op.Rollback(ctx, x); err != nil {
			return fmt.Errorf("abort %s: %s: %w; operations after it were undone, run abort again once fixed", version, m.opLoc(i), err)
		}
	}
	if err := x.durable(ctx); err != nil {
		return fmt.Errorf("abort %s: %w", version, err)
	}
	st.Phase = PhaseAborted
	if err := x.save(ctx); err != nil {
		return err
	}
	r.emit(Event{Kind: EventDone, Version: version, Phase: st.Phase, Elapsed: time.Since(t0)})
	return nil
}
