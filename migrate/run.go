package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
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
}

// StepResult is one finished migration.
type StepResult struct {
	Version    Version
	Name       string
	Direction  Direction
	State      string // state recorded in history after the step (empty when removed)
	Duration   time.Duration
	Statements int
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
	var pl *Plan
	err := p.withLock(ctx, res, func(ctx context.Context, conn *sql.Conn, recs []Record) error {
		if req.Direction == Up && p.o.checkSum {
			if err := CheckSum(p.fsys); err != nil {
				return err
			}
		}
		var err error
		if pl, err = p.plan(req, recs); err != nil {
			return err
		}
		if p.o.planCheck != nil && len(pl.Steps) > 0 {
			if err := p.o.planCheck(ctx, pl); err != nil {
				res.NotRun = versions(pl.Steps)
				return err
			}
		}
		res.Warnings = pl.Warnings
		for _, w := range pl.Warnings {
			p.o.logger.Warn(w)
		}
		return p.execute(ctx, conn, pl, res)
	})
	return res, err
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
		up := &Plan{Direction: Up, Steps: []Step{p.step(down.Steps[0].Migration, Up, nil)}}
		return p.execute(ctx, conn, up, res)
	})
	return res, err
}

// withLock runs fn holding the runner lock, with the history table created
// if missing and its rows as they are under the lock; fn's context is
// cancelled if the lock is lost. fn gets the one connection every migration
// of the run uses, so that session settings a file makes (SET search_path)
// carry to the files after it, as they do with golang-migrate and goose.
func (p *Provider) withLock(ctx context.Context, res *Result, fn func(ctx context.Context, conn *sql.Conn, recs []Record) error) error {
	if err := p.resolve(ctx); err != nil {
		return err
	}
	start := time.Now()
	lk, err := p.d.Lock(ctx, p.db, p.o.table, dialect.LockOptions{
		Wait: p.o.lockWait,
		OnWait: func(waited time.Duration, holder string) {
			msg := fmt.Sprintf("waiting for the runner lock (%s so far)", waited.Round(time.Second))
			if holder != "" {
				msg += "; held by " + holder
			}
			p.o.logger.Info(msg)
			p.emit(ctx, Event{Kind: EventLockWaiting, Duration: waited, Message: msg})
		},
	})
	if err != nil {
		return err
	}
	res.LockWait = time.Since(start)
	p.emit(ctx, Event{Kind: EventLockAcquired, Duration: res.LockWait})
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-lk.Lost():
			p.emit(ctx, Event{Kind: EventLockLost, Message: "runner lock lost"})
			cancel(errLockLost)
		case <-stop:
		}
	}()
	if conn, cerr := p.db.Conn(runCtx); cerr != nil {
		err = fmt.Errorf("open a connection for the run: %w", cerr)
	} else {
		err = p.hist.ensure(runCtx, conn)
		var recs []Record
		if err == nil {
			recs, err = p.hist.list(runCtx, conn)
		}
		if err == nil {
			err = fn(context.WithValue(runCtx, lockKey{}, lk), conn, recs)
		}
		p.releaseConn(conn)
	}
	if cause := context.Cause(runCtx); errors.Is(cause, errLockLost) && err != nil && !errors.Is(err, errLockLost) {
		err = fmt.Errorf("%w: %w", errLockLost, err)
	}
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer ucancel()
	if uerr := lk.Unlock(uctx); uerr != nil {
		p.o.logger.Warn("release the runner lock", "error", uerr)
	}
	p.emit(ctx, Event{Kind: EventLockReleased})
	return err
}

var errLockLost = dialect.ErrLockLost

// lockKey carries the held lock in the run's context, so each step can check
// it is still held before it starts.
type lockKey struct{}

func (p *Provider) execute(ctx context.Context, conn *sql.Conn, pl *Plan, res *Result) error {
	if pl.SingleTransaction && len(pl.Steps) > 0 {
		return p.executeSingle(ctx, conn, pl, res)
	}
	for i, st := range pl.Steps {
		if err := ctx.Err(); err != nil {
			res.NotRun = append(res.NotRun, versions(pl.Steps[i:])...)
			return fmt.Errorf("stopped before %s: %w", st.Migration.File(), context.Cause(ctx))
		}
		if lk, ok := ctx.Value(lockKey{}).(dialect.Lock); ok {
			if err := lk.Held(ctx); err != nil {
				res.NotRun = append(res.NotRun, versions(pl.Steps[i:])...)
				return fmt.Errorf("stopped before %s: %w", st.Migration.File(), err)
			}
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

func versions(steps []Step) []Version {
	out := make([]Version, len(steps))
	for i, s := range steps {
		out[i] = s.Migration.key()
	}
	return out
}

// bookkeeping is the context for history writes after a failure or a
// cancellation: they must happen even though the run's context is done.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
}

func (p *Provider) record(m *Migration, state string, start time.Time) Record {
	return Record{
		Version: m.key(), Name: m.Name, Kind: m.Kind, Checksum: m.Checksum, State: state,
		StartedAt: start, AppliedBy: p.o.appliedBy, StrataVersion: p.o.strataVersion, Source: m.Source,
	}
}

func (p *Provider) runStep(ctx context.Context, conn *sql.Conn, st Step) (StepResult, error) {
	m := st.Migration
	start := time.Now()
	n := 0
	if st.Script != nil {
		n = len(st.Script.Statements)
	}
	p.emit(ctx, Event{Kind: EventMigrationStarted, Version: m.key(), Name: m.Name, Direction: st.Direction, Statements: n, File: m.File()})
	p.o.logger.Info("migration started", "version", m.key(), "name", m.Name, "direction", st.Direction, "mode", st.Mode)
	var state string
	var err error
	switch {
	case m.Go != nil:
		state, err = p.runGo(ctx, conn, st, start)
	case m.Kind != KindSQL:
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
	p.emit(ctx, Event{Kind: EventMigrationFinished, Version: m.key(), Name: m.Name, Direction: st.Direction, Duration: elapsed, Statements: n})
	p.o.logger.Info("migration finished", "version", m.key(), "name", m.Name, "direction", st.Direction, "elapsed", elapsed)
	return StepResult{Version: m.key(), Name: m.Name, Direction: st.Direction, State: state, Duration: elapsed, Statements: n}, nil
}

// render applies ${NAME} placeholders when the script enables them.
func (p *Provider) render(sc *Script, s Statement) (string, error) {
	if sc.Placeholders {
		return p.flywayPlaceholders(sc, s)
	}
	if !sc.Envsub && !s.Envsub {
		return s.SQL, nil
	}
	out, err := sqlsplit.Envsub(s.SQL, SplitDialect(p.d.Name()), p.o.vars)
	if err != nil {
		line, col, msg := 0, 0, ""
		var se *sqlsplit.SyntaxError
		var ue *sqlsplit.UnsetError
		switch {
		case errors.As(err, &ue):
			line, col, msg = ue.Line, ue.Col, fmt.Sprintf("${%s} is not set (set it in strata.yaml vars or the environment)", ue.Name)
		case errors.As(err, &se):
			line, col, msg = se.Line, se.Col, se.Msg
		}
		if line > 0 {
			if line == 1 {
				col += s.Col - 1
			}
			return "", &ParseError{File: sc.File, Line: s.Line + line - 1, Col: col, Msg: msg}
		}
		return "", &ParseError{File: sc.File, Line: s.Line, Msg: err.Error()}
	}
	return out, nil
}

// statementRunner runs one script's statements on one connection or
// transaction, so that session settings made by one statement hold for the
// next, reporting each statement and stopping at the first failure.
type statementRunner struct {
	p        *Provider
	m        *Migration
	dir      Direction
	sc       *Script
	ex       execer
	connID   int64 // MySQL connection id, for KILL QUERY on cancel
	onDone   func(ctx context.Context, done int) error
	skipGone bool // treat "object does not exist" as done (auto-rollback)
	skipped  int
}

// run executes the statements from index from (0-based); it returns how many
// statements completed in total.
func (r *statementRunner) run(ctx context.Context, from int) (int, error) {
	total := len(r.sc.Statements)
	for i := from; i < total; i++ {
		s := r.sc.Statements[i]
		sqlText, err := r.p.render(r.sc, s)
		if err != nil {
			return i, err
		}
		r.p.emit(ctx, Event{Kind: EventStatementStarted, Version: r.m.key(), Name: r.m.Name, Direction: r.dir, File: r.sc.File, Line: s.Line, Index: i + 1, Statements: total, SQL: sqlText})
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
			r.p.killQuery(r.connID)
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
			return i, &StatementError{Version: r.m.key(), File: r.sc.File, Line: s.Line, Index: i + 1, Statement: sqlText, Err: err}
		}
		r.p.emit(ctx, Event{Kind: EventStatementFinished, Version: r.m.key(), Name: r.m.Name, Direction: r.dir, File: r.sc.File, Line: s.Line, Index: i + 1, Statements: total, Duration: time.Since(t0)})
		if r.onDone != nil {
			if err := r.onDone(ctx, i+1); err != nil {
				return i + 1, err
			}
		}
	}
	return total, nil
}

// killQuery stops a MySQL statement that the client gave up on: the server
// would otherwise finish it after the connection closed.
func (p *Provider) killQuery(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.db.ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", id)); err != nil {
		p.o.logger.Warn("stop the interrupted statement on the server", "connection", id, "error", err)
	}
}

// preCheck runs the migration's pre-checks; a failure blocks it before
// anything ran.
func (p *Provider) preCheck(ctx context.Context, q Querier, st Step) error {
	if p.o.checker == nil || st.Direction != Up {
		return nil
	}
	if err := p.o.checker.Pre(ctx, q, st.Migration); err != nil {
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
	if err := p.o.checker.Post(ctx, q, st.Migration); err != nil {
		return fmt.Errorf("post-check: %w", err)
	}
	return nil
}

// connectionID returns the MySQL connection id of conn (0 elsewhere), so
// that an interrupted statement can be stopped on the server.
func (p *Provider) connectionID(ctx context.Context, conn *sql.Conn) int64 {
	var id int64
	if p.d.Name() == "mysql" {
		_ = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id)
	}
	return id
}

func (p *Provider) execTimeouts(ctx context.Context, ex execer, stmts []string) error {
	for _, s := range stmts {
		if _, err := ex.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// runInTx runs a script and its history change in one transaction.
func (p *Provider) runInTx(ctx context.Context, conn *sql.Conn, st Step, start time.Time) (string, error) {
	m := st.Migration
	if err := p.preCheck(ctx, conn, st); err != nil {
		return "", err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: err, Outcome: "could not begin a transaction; nothing ran"}
	}
	fail := func(err error, done int) (string, error) {
		_ = tx.Rollback()
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: err,
			Outcome: fmt.Sprintf("rolled back: the transaction is undone, nothing of %s was %s (%d of %d statements had run inside it)", m.key(), pastTense(st.Direction), done, len(st.Script.Statements))}
	}
	set, _ := p.d.TimeoutSQL(st.Script.LockTimeout, st.Script.StatementTimeout, true)
	if err := p.execTimeouts(ctx, tx, set); err != nil {
		return fail(err, 0)
	}
	r := &statementRunner{p: p, m: m, dir: st.Direction, sc: st.Script, ex: tx, connID: p.connectionID(ctx, conn)}
	done, err := r.run(ctx, 0)
	if err != nil {
		return fail(err, done)
	}
	if err := p.postCheck(ctx, tx, st); err != nil {
		return fail(err, done)
	}
	state, err := p.recordDone(ctx, tx, st, start)
	if err != nil {
		return fail(err, done)
	}
	if err := tx.Commit(); err != nil {
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: fmt.Errorf("commit: %w", err),
			Outcome: "the commit failed, so the transaction is undone and nothing was " + pastTense(st.Direction)}
	}
	return state, nil
}

func pastTense(d Direction) string {
	if d == Down {
		return "undone"
	}
	return "applied"
}

// recordDone writes the history change that completes a step: a new row
// (up), a replaced row (repeatable re-run) or a removed row (down).
func (p *Provider) recordDone(ctx context.Context, ex execer, st Step, start time.Time) (string, error) {
	m := st.Migration
	if st.Direction == Down {
		return "", p.hist.remove(ctx, ex, m.key())
	}
	if st.Rerun {
		if err := p.hist.remove(ctx, ex, m.key()); err != nil {
			return "", err
		}
	}
	rec := p.record(m, StateApplied, start)
	rec.FinishedAt = time.Now()
	rec.ExecutionMS = rec.FinishedAt.Sub(start).Milliseconds()
	return StateApplied, p.hist.insert(ctx, ex, rec)
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
	d := fmt.Sprintf("%s: %d of %d statements completed", pr.Direction, pr.Done, pr.Total)
	if pr.FailedAt > 0 {
		d += fmt.Sprintf(", statement %d (%s:%d) failed", pr.FailedAt, pr.File, pr.Line)
	}
	return d
}

// runNoTx runs a script statement by statement outside a transaction,
// recording progress after each one, and on failure undoes what ran with the
// down section when auto-rollback is on.
func (p *Provider) runNoTx(ctx context.Context, conn *sql.Conn, st Step, start time.Time) (string, error) {
	m, sc := st.Migration, st.Script
	total := len(sc.Statements)
	if err := p.preCheck(ctx, conn, st); err != nil {
		return "", err
	}
	connID := p.connectionID(ctx, conn)
	pr := progress{Direction: st.Direction, Total: total, File: sc.File}
	// History writes go through another connection, so they commit at once
	// even while the file has a transaction of its own open. SQLite allows
	// one writer at a time, so there they share the run's connection.
	book := execer(p.db)
	if p.d.Name() == "sqlite" {
		book = conn
	}
	// The row says "running" before anything runs, so a kill -9 leaves a
	// trace that the next run refuses to ignore.
	if st.Direction == Up {
		if st.Rerun {
			if err := p.hist.remove(ctx, book, m.key()); err != nil {
				return "", err
			}
		}
		rec := p.record(m, StateRunning, start)
		rec.Progress = pr.json()
		if err := p.hist.insert(ctx, book, rec); err != nil {
			return "", err
		}
	} else {
		if err := p.hist.finish(ctx, book, m.key(), StateRunning, time.Now(), 0, "", pr.json()); err != nil {
			return "", err
		}
	}
	set, reset := p.d.TimeoutSQL(sc.LockTimeout, sc.StatementTimeout, false)
	r := &statementRunner{p: p, m: m, dir: st.Direction, sc: sc, ex: conn, connID: connID,
		onDone: func(ctx context.Context, done int) error {
			pr.Done = done
			return p.hist.setProgress(ctx, book, m.key(), pr.json())
		}}
	done := 0
	err := p.execTimeouts(ctx, conn, set)
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
	if err == nil {
		if st.Direction == Down {
			return "", p.hist.remove(bctx, book, m.key())
		}
		fin := time.Now()
		return StateApplied, p.hist.finish(bctx, book, m.key(), StateApplied, fin, fin.Sub(start).Milliseconds(), "", "")
	}
	return "", p.failNoTx(ctx, conn, st, start, done, err, pr)
}

// failNoTx decides and records what a failed no-transaction script leaves
// behind.
func (p *Provider) failNoTx(ctx context.Context, conn *sql.Conn, st Step, start time.Time, done int, runErr error, pr progress) error {
	m := st.Migration
	total := len(st.Script.Statements)
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	var se *StatementError
	if errors.As(runErr, &se) {
		pr.FailedAt, pr.Line = se.Index, se.Line
	}
	pr.Done = done
	ranText := fmt.Sprintf("%d of %d statements ran and stay %s (no transaction)", done, total, pastTense(st.Direction))
	if done == 0 {
		ranText = fmt.Sprintf("the first of %d statements failed, so nothing ran", total)
	}
	interrupted := ctx.Err() != nil
	merr := &MigrationError{Version: m.key(), Name: m.Name, Direction: st.Direction, Err: runErr}

	if done == 0 && st.Direction == Up {
		if err := p.hist.remove(bctx, p.db, m.key()); err != nil {
			merr.Outcome = ranText + "; removing the running row failed: " + err.Error()
			merr.Dirty = true
			return merr
		}
		merr.Outcome = ranText + fmt.Sprintf("; %s is still pending", m.key())
		return merr
	}
	if st.Direction == Up && p.o.autoRollback && m.Down != nil && !interrupted {
		undone, skipped, rbErr := p.autoRollback(bctx, conn, m)
		if rbErr == nil {
			if err := p.hist.remove(bctx, p.db, m.key()); err != nil {
				merr.Outcome = ranText + "; auto-rollback ran the down section, but removing the history row failed: " + err.Error()
				merr.Dirty = true
				return merr
			}
			note := ""
			if skipped > 0 {
				note = fmt.Sprintf(", %d skipped because their objects did not exist yet", skipped)
			}
			merr.Outcome = fmt.Sprintf("%s; auto-rollback ran the down section (%d statements%s): the change is undone and %s is pending again", ranText, undone, note, m.key())
			return merr
		}
		pr.Direction = Up
		errText := fmt.Sprintf("%v; auto-rollback failed: %v", runErr, rbErr)
		_ = p.hist.finish(bctx, p.db, m.key(), StateFailed, time.Now(), time.Since(start).Milliseconds(), errText, pr.json())
		merr.Dirty = true
		merr.Outcome = fmt.Sprintf("%s; auto-rollback ran the down section but it failed (%v), so part of %s is still in the database. It is recorded as failed: fix the database by hand, then `strata repair %s` (change complete) or `strata repair %s --pending` (change undone)",
			ranText, rbErr, m.key(), m.key(), m.key())
		return merr
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
	_ = p.hist.finish(bctx, p.db, m.key(), StateFailed, time.Now(), time.Since(start).Milliseconds(), runErr.Error(), pr.json())
	merr.Dirty = true
	merr.Outcome = fmt.Sprintf("%s; %s. %s is recorded as failed: finish or undo it by hand, then run `strata repair %s` (change complete) or `strata repair %s --pending` (change undone)",
		ranText, why, m.key(), m.key(), m.key())
	return merr
}

// autoRollback runs m's down section to undo a partly applied up. Statements
// whose object does not exist are taken as already undone: the up never got
// that far.
func (p *Provider) autoRollback(ctx context.Context, conn *sql.Conn, m *Migration) (undone, skipped int, err error) {
	p.emit(ctx, Event{Kind: EventRollbackStarted, Version: m.key(), Name: m.Name, Direction: Down})
	defer func() {
		p.emit(ctx, Event{Kind: EventRollbackFinished, Version: m.key(), Name: m.Name, Direction: Down, Err: err})
	}()
	sc := m.Down
	// Autocommit, statement by statement: in a transaction, the error of a
	// skipped statement would abort the rest on PostgreSQL.
	r := &statementRunner{p: p, m: m, dir: Down, sc: sc, ex: conn, skipGone: true}
	n, err := r.run(ctx, 0)
	return n - r.skipped, r.skipped, err
}

// runGo runs a Go migration.
func (p *Provider) runGo(ctx context.Context, conn *sql.Conn, st Step, start time.Time) (string, error) {
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
		return p.recordDone(bctx, p.db, st, start)
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
	if err := fn(ctx, tx); err != nil {
		_ = tx.Rollback()
		return "", merr(err, "rolled back: nothing of it was "+pastTense(st.Direction))
	}
	state, err := p.recordDone(ctx, tx, st, start)
	if err != nil {
		_ = tx.Rollback()
		return "", merr(err, "rolled back: nothing of it was "+pastTense(st.Direction))
	}
	if err := tx.Commit(); err != nil {
		return "", merr(fmt.Errorf("commit: %w", err), "the commit failed; nothing of it was "+pastTense(st.Direction))
	}
	return state, nil
}

// runKind hands a declarative migration to its plugged-in runner.
func (p *Provider) runKind(ctx context.Context, st Step, start time.Time) (string, error) {
	m := st.Migration
	kr := p.o.kinds[m.Kind]
	env, err := p.stepEnv(ctx, m, st.Record)
	if err != nil {
		return "", err
	}
	if st.Direction == Down {
		if err := kr.Down(ctx, env, m); err != nil {
			return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: Down, Err: err, Outcome: "the history row is unchanged; see the error for the database's state"}
		}
		bctx, cancel := bookkeeping(ctx)
		defer cancel()
		return "", p.hist.remove(bctx, p.db, m.key())
	}
	if st.Record == nil {
		if err := p.preCheck(ctx, p.db, st); err != nil {
			return "", err
		}
		if err := p.hist.insert(ctx, p.db, p.record(m, StateRunning, start)); err != nil {
			return "", err
		}
	} else if err := p.hist.finish(ctx, p.db, m.key(), StateRunning, time.Now(), 0, "", st.Record.Progress); err != nil {
		return "", err
	}
	state, prog, err := kr.Up(ctx, env, m)
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err != nil {
		_ = p.hist.finish(bctx, p.db, m.key(), StateFailed, time.Now(), time.Since(start).Milliseconds(), err.Error(), prog)
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err, Dirty: true,
			Outcome: fmt.Sprintf("recorded as failed with its progress: `strata up` resumes it, `strata abort %s` undoes it", m.key())}
	}
	if err := p.postCheck(ctx, p.db, st); err != nil {
		// Online changes commit as they go: undo this one with its runner
		// (the online abort), as a failed statement would be undone.
		env.Record = Record{Version: m.key(), Name: m.Name, Kind: m.Kind, State: state, Progress: prog}
		if aerr := kr.Down(bctx, env, m); aerr != nil {
			_ = p.hist.finish(bctx, p.db, m.key(), StateFailed, time.Now(), time.Since(start).Milliseconds(), err.Error(), prog)
			return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err, Dirty: true,
				Outcome: fmt.Sprintf("the post-check failed and undoing the change failed too (%v): recorded as failed; run `strata abort %s`", aerr, m.key())}
		}
		_ = p.hist.remove(bctx, p.db, m.key())
		return "", &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err,
			Outcome: fmt.Sprintf("the post-check failed, so the online change was aborted: the old shape and its rows are as before, and %s is pending", m.key())}
	}
	fin := time.Now()
	return state, p.hist.finish(bctx, p.db, m.key(), state, fin, fin.Sub(start).Milliseconds(), "", prog)
}

// stepEnv builds the environment of a plugged-in runner for m.
func (p *Provider) stepEnv(ctx context.Context, m *Migration, rec *Record) (StepEnv, error) {
	env := StepEnv{DB: p.db, Dialect: p.d, Logger: p.o.logger, Emit: p.emit}
	if rec != nil {
		env.Record = *rec
	}
	env.SaveProgress = func(ctx context.Context, progress string) error {
		return p.hist.setProgress(ctx, p.db, m.key(), progress)
	}
	recs, err := p.hist.list(ctx, p.db)
	if err != nil {
		return env, err
	}
	for _, r := range recs {
		if r.State == StateExpanded && r.Version != m.key() {
			if other := p.find(r.Version); other != nil && other.Kind == m.Kind {
				env.Expanded = append(env.Expanded, other)
			}
		}
	}
	return env, nil
}

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

func (p *Provider) finishExpanded(ctx context.Context, v Version, complete bool) (*Result, error) {
	res := &Result{Direction: Up}
	verb := "complete"
	if !complete {
		verb, res.Direction = "abort", Down
	}
	err := p.withLock(ctx, res, func(ctx context.Context, _ *sql.Conn, recs []Record) error {
		var todo []Record
		for _, r := range recs {
			if v != "" && r.Version != v {
				continue
			}
			ok := r.State == StateExpanded || (!complete && (r.State == StateRunning || r.State == StateFailed) && p.resumable(r))
			if ok {
				todo = append(todo, r)
			} else if v != "" {
				return fmt.Errorf("%w: %s is %s; only an expanded online migration can be %sd", ErrNoChange, v, r.State, verb)
			}
		}
		if len(todo) == 0 {
			if v != "" {
				return fmt.Errorf("%w %s: it is not in history", ErrUnknownVersion, v)
			}
			return nil
		}
		if !complete {
			for i, j := 0, len(todo)-1; i < j; i, j = i+1, j-1 {
				todo[i], todo[j] = todo[j], todo[i]
			}
		}
		for _, r := range todo {
			m := p.find(r.Version)
			if m == nil {
				return fmt.Errorf("cannot %s %s (%s): its file is gone from the migration directory", verb, r.Version, r.Name)
			}
			fin, ok := p.o.kinds[m.Kind].(Finisher)
			if !ok {
				return fmt.Errorf("cannot %s %s: %s migrations have no second phase", verb, r.Version, m.Kind)
			}
			rc := r
			env, err := p.stepEnv(ctx, m, &rc)
			if err != nil {
				return err
			}
			start := time.Now()
			p.emit(ctx, Event{Kind: EventMigrationStarted, Version: m.key(), Name: m.Name, Direction: res.Direction, File: m.File(), Message: verb})
			if complete {
				prog, err := fin.Complete(ctx, env, m)
				if err != nil {
					return &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: fmt.Errorf("complete: %w", err),
						Outcome: fmt.Sprintf("still expanded: run `strata complete %s` again, or `strata abort %s`", m.key(), m.key())}
				}
				fin := time.Now()
				if err := p.hist.finish(ctx, p.db, m.key(), StateApplied, fin, r.ExecutionMS+fin.Sub(start).Milliseconds(), "", prog); err != nil {
					return err
				}
				res.Done = append(res.Done, StepResult{Version: m.key(), Name: m.Name, Direction: Up, State: StateApplied, Duration: time.Since(start)})
			} else {
				if err := fin.Abort(ctx, env, m); err != nil {
					return &MigrationError{Version: m.key(), Name: m.Name, Direction: Down, Err: fmt.Errorf("abort: %w", err),
						Outcome: fmt.Sprintf("the history row is unchanged: run `strata abort %s` again", m.key())}
				}
				if err := p.hist.remove(ctx, p.db, m.key()); err != nil {
					return err
				}
				res.Done = append(res.Done, StepResult{Version: m.key(), Name: m.Name, Direction: Down, Duration: time.Since(start)})
			}
			p.emit(ctx, Event{Kind: EventMigrationFinished, Version: m.key(), Name: m.Name, Direction: res.Direction, Duration: time.Since(start)})
		}
		return nil
	})
	return res, err
}

// executeSingle applies every step of the plan in one transaction, with one
// history insert at the end.
func (p *Provider) executeSingle(ctx context.Context, conn *sql.Conn, pl *Plan, res *Result) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin the single transaction: %w", err)
	}
	start := time.Now()
	var recs []Record
	var done []StepResult
	for _, st := range pl.Steps {
		m := st.Migration
		t0 := time.Now()
		p.emit(ctx, Event{Kind: EventMigrationStarted, Version: m.key(), Name: m.Name, Direction: Up, File: m.File()})
		var err error
		if m.Go != nil {
			err = m.Go.Up(ctx, tx)
		} else {
			set, _ := p.d.TimeoutSQL(st.Script.LockTimeout, st.Script.StatementTimeout, true)
			if err = p.execTimeouts(ctx, tx, set); err == nil {
				r := &statementRunner{p: p, m: m, dir: Up, sc: st.Script, ex: tx}
				_, err = r.run(ctx, 0)
			}
			if err == nil && len(set) > 0 && p.d.Name() == "postgres" {
				err = p.execTimeouts(ctx, tx, []string{"SET LOCAL lock_timeout TO DEFAULT", "SET LOCAL statement_timeout TO DEFAULT"})
			}
		}
		if err != nil {
			_ = tx.Rollback()
			res.NotRun = versions(pl.Steps)
			return &MigrationError{Version: m.key(), Name: m.Name, Direction: Up, Err: err,
				Outcome: fmt.Sprintf("rolled back: --single-transaction undid all %d migrations of this run, none was applied", len(pl.Steps))}
		}
		rec := p.record(m, StateApplied, t0)
		rec.FinishedAt = time.Now()
		rec.ExecutionMS = rec.FinishedAt.Sub(t0).Milliseconds()
		if st.Rerun {
			if err := p.hist.remove(ctx, tx, m.key()); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		recs = append(recs, rec)
		done = append(done, StepResult{Version: m.key(), Name: m.Name, Direction: Up, State: StateApplied, Duration: time.Since(t0)})
		p.emit(ctx, Event{Kind: EventMigrationFinished, Version: m.key(), Name: m.Name, Direction: Up, Duration: time.Since(t0)})
	}
	if err := p.hist.insertMany(ctx, tx, recs); err != nil {
		_ = tx.Rollback()
		res.NotRun = versions(pl.Steps)
		return err
	}
	if err := tx.Commit(); err != nil {
		res.NotRun = versions(pl.Steps)
		return fmt.Errorf("commit the single transaction: %w; none of the %d migrations was applied", err, len(pl.Steps))
	}
	res.Done = append(res.Done, done...)
	p.o.logger.Info("single transaction committed", "migrations", len(done), "elapsed", time.Since(start))
	return nil
}

func firstKeyword(sql string) string {
	kw := sqlsplit.Keywords(sql, 1)
	if len(kw) == 0 {
		return ""
	}
	return strings.ToUpper(kw[0])
}

// releaseConn returns the run's connection to the pool with the session
// settings migrations made undone, so an application sharing the pool does
// not inherit a migration's search_path.
func (p *Provider) releaseConn(conn *sql.Conn) {
	if p.d.Name() == "postgres" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = conn.ExecContext(ctx, "RESET ALL")
		cancel()
	}
	conn.Close()
}

var placeholderRe = regexp.MustCompile(`\$\{([A-Za-z0-9_.:-]+)\}`)

// flywayPlaceholders replaces ${name} everywhere in a Flyway file, strings
// included, as Flyway does by default: its built-in flyway:* names, then
// strata.yaml vars and the environment. An unknown name is an error, as in
// Flyway.
func (p *Provider) flywayPlaceholders(sc *Script, s Statement) (string, error) {
	if !strings.Contains(s.SQL, "${") {
		return s.SQL, nil
	}
	var missing string
	out := placeholderRe.ReplaceAllStringFunc(s.SQL, func(m string) string {
		name := m[2 : len(m)-1]
		switch name {
		case "flyway:filename":
			return path.Base(sc.File)
		case "flyway:timestamp":
			return time.Now().UTC().Format("2006-01-02 15:04:05")
		case "flyway:workingDirectory":
			wd, _ := os.Getwd()
			return wd
		}
		if v, ok := p.flyway[name]; ok {
			return v
		}
		if v, ok := p.o.vars(name); ok {
			return v
		}
		if missing == "" {
			missing = name
		}
		return m
	})
	if missing != "" {
		return "", &ParseError{File: sc.File, Line: s.Line, Msg: fmt.Sprintf("no value for Flyway placeholder ${%s}: set it in strata.yaml vars or the environment", missing)}
	}
	return out, nil
}
