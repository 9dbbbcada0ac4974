package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// execute runs a plan's steps in order on the run's connection, stopping
// at the first failure or when the lock is lost.
func (p *Provider) execute(ctx context.Context, conn *sql.Conn, pl *Plan, res *Result) error {
	if pl.SingleTransaction && len(pl.Steps) > 0 {
		return p.executeSingle(ctx, conn, pl, res)
	}
	for i, st := range pl.Steps {
		err := ctx.Err()
		if err != nil {
			err = context.Cause(ctx)
		} else {
			err = lockHeld(ctx)
		}
		if err != nil {
			res.NotRun = append(res.NotRun, versions(pl.Steps[i:])...)
			return fmt.Errorf("stopped before %s: %w", st.Migration.File(), err)
		}
		sr, err := p.runStep(ctx, conn, st)
		if err != nil {
			res.NotRun = append(res.NotRun, versions(pl.Steps[i+1:])...)
			return err
		}
		res.Done = append(res.Done, sr)
	}
	return nil
}

// runStep runs one step in the mode its plan chose, reporting it.
func (p *Provider) runStep(ctx context.Context, conn *sql.Conn, st Step) (StepResult, error) {
	m := st.Migration
	start := time.Now()
	n := 0
	if st.Script != nil {
		n = len(st.Script.Statements)
	}
	p.emit(ctx, Event{Kind: EventMigrationStarted, Version: m.key(), Name: m.Name, Direction: st.Direction, Statements: n, File: m.File()})
	p.o.logger.Info("migration started", "version", m.key(), "name", m.Name, "direction", st.Direction, "mode", st.Mode)
	var state State
	var err error
	switch {
	case m.Go != nil:
		state, err = p.runGo(ctx, conn, st, start)
	case st.Declarative != nil:
		state, err = p.runKind(ctx, st, start)
	case st.Transactional:
		state, err = p.runInTx(ctx, conn, st, start)
	default:
		state, err = p.runNoTx(ctx, conn, st, start)
	}
	elapsed := time.Since(start)
	if err != nil {
		p.emit(ctx, Event{Kind: EventMigrationFailed, Version: m.key(), Name: m.Name, Direction: st.Direction, Duration: elapsed, Err: err})
		p.o.logger.Error("migration failed", "version", m.key(), "name", m.Name, "direction", st.Direction, "elapsed", elapsed, "error", err)
		return StepResult{}, err
	}
	sr := StepResult{Version: m.key(), Name: m.Name, Direction: st.Direction, State: state, Duration: elapsed, Statements: n}
	if st.Declarative != nil && state != StateApplied && st.Direction == Up {
		sr.Next = st.Declarative.Next
	}
	p.emit(ctx, Event{Kind: EventMigrationFinished, Version: m.key(), Name: m.Name, Direction: st.Direction, Duration: elapsed, Statements: n, State: state, Message: sr.Next})
	p.o.logger.Info("migration finished", "version", m.key(), "name", m.Name, "direction", st.Direction, "state", state, "elapsed", elapsed)
	return sr, nil
}

// statementRunner runs one script's statements on one connection or
// transaction, so that session settings made by one statement hold for the
// next, reporting each statement and stopping at the first failure.
type statementRunner struct {
	p        *Provider
	m        *Migration
	dir      Direction
	sc       *Script
	ex       Querier
	connID   int64 // the session's id, to stop an interrupted statement on the server
	onDone   func(ctx context.Context, done int) error
	skipGone bool // treat "object does not exist" as done (auto-rollback)
	skipped  int
}

// run executes the statements from index from (0-based); it returns how many
// statements completed in total.
func (r *statementRunner) run(ctx context.Context, from int) (int, error) {
	total := len(r.sc.Statements)
	for i := from; i < total; i++ {
		if err := r.one(ctx, i); err != nil {
			return i, err
		}
		if r.onDone != nil {
			if err := r.onDone(ctx, i+1); err != nil {
				return i + 1, err
			}
		}
	}
	return total, nil
}

// one runs statement i, reporting it before and after.
func (r *statementRunner) one(ctx context.Context, i int) error {
	s, total := r.sc.Statements[i], len(r.sc.Statements)
	sqlText, err := r.p.render(r.sc, s)
	if err != nil {
		return err
	}
	file := r.sc.File
	if s.File != "" {
		file = joinDir(r.p.o.dirName, s.File)
	}
	ev := Event{Version: r.m.key(), Name: r.m.Name, Direction: r.dir, File: file, Line: s.Line, Index: i + 1, Statements: total, SQL: sqlText}
	ev.Kind = EventStatementStarted
	r.p.emit(ctx, ev)
	t0 := time.Now()
	sctx, cancel := ctx, context.CancelFunc(func() {})
	if r.sc.StatementTimeout > 0 {
		// The server enforces it too where it can; the deadline is the
		// backstop for engines that cannot.
		sctx, cancel = context.WithTimeout(ctx, r.sc.StatementTimeout+time.Second)
	}
	_, err = r.ex.ExecContext(sctx, sqlText)
	cancel()
	if err != nil && r.connID != 0 && ctx.Err() != nil {
		r.p.cancelStatement(r.connID)
	}
	if err != nil && r.skipGone && r.p.d.IsMissingObject(err) {
		r.skipped++
		r.p.o.logger.Info("down statement skipped: its object does not exist", "version", r.m.key(), "line", s.Line, "error", err)
		err = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (interrupted)", context.Cause(ctx))
		}
		return &StatementError{Version: r.m.key(), File: file, Line: s.Line, Index: i + 1, Statement: sqlText, Err: err}
	}
	ev.Kind, ev.Duration = EventStatementFinished, time.Since(t0)
	r.p.emit(ctx, ev)
	r.p.o.logger.Debug("statement", "version", r.m.key(), "file", file, "line", s.Line, "statement", fmt.Sprintf("%d/%d", i+1, total), "elapsed", ev.Duration, "sql", firstLine(sqlText))
	return nil
}

// firstLine is a statement's first line, for logs.
func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " …"
		}
	}
	return s
}

// preCheck runs the migration's pre-checks; a failure blocks it before
// anything ran.
func (p *Provider) preCheck(ctx context.Context, q Querier, st Step) error {
	if p.o.checker == nil || st.Direction != Up {
		return nil
	}
	if err := p.runChecks(ctx, q, st.Migration, false); err != nil {
		m := st.Migration
		return &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: fmt.Errorf("pre-check: %w", err),
			Outcome: "blocked by its pre-checks before anything ran; fix the data (or the check), then run up again"}
	}
	return nil
}

// postCheck runs the migration's post-checks on q: its transaction, or its
// connection when it has none.
func (p *Provider) postCheck(ctx context.Context, q Querier, st Step) error {
	if p.o.checker == nil || st.Direction != Up {
		return nil
	}
	if err := p.runChecks(ctx, q, st.Migration, true); err != nil {
		return fmt.Errorf("post-check: %w", err)
	}
	return nil
}

// runChecks runs m's pre- or post-checks, reporting each result as an
// event when the checker gives them.
func (p *Provider) runChecks(ctx context.Context, q Querier, m *Migration, post bool) error {
	cr, ok := p.o.checker.(CheckReporter)
	if !ok {
		if post {
			return p.o.checker.Post(ctx, q, m)
		}
		return p.o.checker.Pre(ctx, q, m)
	}
	run := cr.PreResults
	if post {
		run = cr.PostResults
	}
	results, err := run(ctx, q, m)
	for i := range results {
		r := results[i]
		ev := Event{Kind: EventCheckResult, Version: m.key(), Name: m.Name, Direction: Up, File: r.File, Line: r.Line, Check: &r, Message: r.Detail}
		if r.Blocking() {
			ev.Err = fmt.Errorf("check %s %s", r.Name, r.Outcome)
			if r.Detail != "" {
				ev.Err = fmt.Errorf("check %s %s: %s", r.Name, r.Outcome, r.Detail)
			}
		}
		p.emit(ctx, ev)
	}
	return err
}

// runInTx runs a script and its history change in one transaction.
func (p *Provider) runInTx(ctx context.Context, conn *sql.Conn, st Step, start time.Time) (State, error) {
	m := st.Migration
	if err := p.preCheck(ctx, conn, st); err != nil {
		return "", err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: err, Outcome: "could not begin a transaction; nothing ran"}
	}
	state, done, err := p.inTx(ctx, conn, tx, st, start)
	if err != nil {
		_ = tx.Rollback()
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: err,
			Outcome: fmt.Sprintf("rolled back: the transaction is undone, nothing of %s was %s (%d of %s had run inside it)", m.key(), pastTense(st.Direction), done, plural(len(st.Script.Statements), "statement", "statements"))}
	}
	if err := tx.Commit(); err != nil {
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: fmt.Errorf("commit: %w", err),
			Outcome: "the commit failed, so the transaction is undone and nothing was " + pastTense(st.Direction)}
	}
	return state, nil
}

// inTx runs the body of a transactional step in tx: timeouts, statements,
// post-checks and the history change. done counts the statements that ran.
func (p *Provider) inTx(ctx context.Context, conn *sql.Conn, tx *sql.Tx, st Step, start time.Time) (state State, done int, err error) {
	set, reset := p.d.TimeoutSQL(st.Script.LockTimeout, st.Script.StatementTimeout, true)
	if err := p.execTimeouts(ctx, tx, set); err != nil {
		return "", 0, err
	}
	r := &statementRunner{p: p, m: st.Migration, dir: st.Direction, sc: st.Script, ex: tx, connID: p.connectionID(ctx, conn)}
	if done, err = r.run(ctx, 0); err != nil {
		return "", done, err
	}
	if err := p.postCheck(ctx, tx, st); err != nil {
		return "", done, err
	}
	// The history write and the migrations after this one run without its
	// timeouts.
	if err := p.execTimeouts(ctx, tx, reset); err != nil {
		return "", done, err
	}
	s, err := p.storeIn(tx)
	if err != nil {
		return "", done, err
	}
	state, err = p.recordDone(ctx, s, st, start)
	return state, done, err
}

func pastTense(d Direction) string {
	if d == Down {
		return "undone"
	}
	return "applied"
}

// runNoTx runs a script statement by statement outside a transaction,
// recording progress after each one, and on failure undoes what ran with the
// down section when auto-rollback is on.
func (p *Provider) runNoTx(ctx context.Context, conn *sql.Conn, st Step, start time.Time) (State, error) {
	m, sc := st.Migration, st.Script
	if err := p.preCheck(ctx, conn, st); err != nil {
		return "", err
	}
	connID := p.connectionID(ctx, conn)
	// History writes go through another connection, so they commit at once
	// even while the file has a transaction of its own open. SQLite allows
	// one writer at a time, so there they share the run's connection.
	book := p.store
	if p.d.SingleWriter() {
		book = p.storeOn(conn)
	}
	row, err := p.startRow(ctx, book, st, start)
	if err != nil {
		return "", err
	}
	set, reset := p.d.TimeoutSQL(sc.LockTimeout, sc.StatementTimeout, false)
	r := &statementRunner{p: p, m: m, dir: st.Direction, sc: sc, ex: conn, connID: connID,
		onDone: func(ctx context.Context, done int) error { return row.progress(ctx, done) }}
	done := 0
	err = p.execTimeouts(ctx, conn, set)
	if err == nil {
		done, err = r.run(ctx, 0)
	}
	if err == nil {
		err = p.postCheck(ctx, conn, st)
	}
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err != nil && sc.ManagesTransaction {
		// The file's own transaction is open (and, on PostgreSQL, aborted):
		// end it so that its statements since BEGIN are undone and the
		// connection can be used again.
		if _, rerr := conn.ExecContext(bctx, "ROLLBACK"); rerr == nil {
			err = fmt.Errorf("%w (the file's own transaction was rolled back)", err)
		}
	}
	_ = p.execTimeouts(bctx, conn, reset)
	if err != nil {
		return "", p.failNoTx(ctx, conn, st, row, done, err)
	}
	if st.Direction == Down {
		return "", unrecorded(m, Down, book.Delete(bctx, m.key()))
	}
	return StateApplied, unrecorded(m, Up, row.finish(bctx, StateApplied, "", ""))
}

// unrecorded reports a step that did all it had to but whose history write
// failed, so its row does not say what happened.
func unrecorded(m *Migration, dir Direction, histErr error) error {
	if histErr == nil {
		return nil
	}
	repair := "`strata repair " + string(m.key()) + "`"
	if dir == Down {
		repair = "`strata repair " + string(m.key()) + " --pending`"
	}
	return &MigrationError{Version: m.key(), Name: m.Name, Direction: dir, Err: histErr, Dirty: true, HistoryErr: histErr,
		Outcome: fmt.Sprintf("it ran to the end and is %s, but recording that in history failed, so its history row does not say so: check, then run %s", pastTense(dir), repair)}
}

// runGo runs a Go migration.
func (p *Provider) runGo(ctx context.Context, conn *sql.Conn, st Step, start time.Time) (State, error) {
	m, g := st.Migration, st.Migration.Go
	merr := func(err error, outcome string) error {
		return &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: err, Outcome: outcome}
	}
	if g.NoTransaction {
		fn := g.UpDB
		if st.Direction == Down {
			fn = g.DownDB
		}
		if fn == nil {
			return "", merr(ErrNoDown, "nothing ran")
		}
		if err := fn(ctx, p.db); err != nil {
			return "", merr(err, "the function ran outside a transaction; whatever it changed before failing stays. Check, then `strata repair`")
		}
		bctx, cancel := bookkeeping(ctx)
		defer cancel()
		return p.recordDone(bctx, p.store, st, start)
	}
	fn := g.Up
	if st.Direction == Down {
		fn = g.Down
	}
	if fn == nil {
		return "", merr(ErrNoDown, "nothing ran")
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return "", merr(err, "could not begin a transaction; nothing ran")
	}
	state, err := p.goInTx(ctx, tx, fn, st, start)
	if err != nil {
		_ = tx.Rollback()
		return "", merr(err, "rolled back: nothing of it was "+pastTense(st.Direction))
	}
	if err := tx.Commit(); err != nil {
		return "", merr(fmt.Errorf("commit: %w", err), "the commit failed; nothing of it was "+pastTense(st.Direction))
	}
	return state, nil
}

func (p *Provider) goInTx(ctx context.Context, tx *sql.Tx, fn func(context.Context, *sql.Tx) error, st Step, start time.Time) (State, error) {
	if err := fn(ctx, tx); err != nil {
		return "", err
	}
	s, err := p.storeIn(tx)
	if err != nil {
		return "", err
	}
	return p.recordDone(ctx, s, st, start)
}
