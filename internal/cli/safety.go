package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
)

// The safety gate of `up` is the library's (migrate.WithSafety): under the
// runner lock, error-level lint findings on tables in use refuse the run.
// The CLI plugs the linter in, prints what the gate found, and adds the
// flag hints.

// ErrUnsafe is returned by up when the linter found error-level findings.
var ErrUnsafe = errors.New("refused: the migrations to run have unsafe statements (pass --allow-unsafe to run them anyway, or add -- strata:lint-ignore RULE -- reason)")

// safetyOption returns the provider option that lints what up is about to
// run on srv.
func (app *App) safetyOption(srv *server, allowUnsafe bool) (migrate.Option, error) {
	var lc lint.Config
	if cfg := app.config(); cfg.Lint.Kind != 0 {
		if err := cfg.Lint.Decode(&lc); err != nil {
			return nil, Exit(ExitUsage, fmt.Errorf("strata.yaml lint: %w", err))
		}
	}
	opts := lint.Options{Config: lc, Runner: true}
	if _, err := lint.New(opts); err != nil {
		return nil, Exit(ExitUsage, fmt.Errorf("strata.yaml lint: %w", err))
	}
	in := &serverLinter{srv: srv, opts: opts}
	return migrate.WithSafety(in, migrate.SafetyOptions{AllowUnsafe: allowUnsafe, OnAllowed: func(_ context.Context, r *migrate.SafetyReport) {
		rep := lint.SafetyReport(r)
		if app.JSON {
			app.planLint = rep // the findings are in the document, not on stderr
			return
		}
		fmt.Fprintf(app.Stderr, "strata: %s, run anyway (--allow-unsafe):\n", plural(rep.Errors(), "unsafe statement", "unsafe statements"))
		_ = lint.WriteText(app.Stderr, rep, lint.TextOptions{})
	}}), nil
}

// serverLinter builds the linter for the server's product and version the
// first time a plan is linted, so commands that lint nothing do not ask
// for them. On a server the linter does not check (SQLite) it finds
// nothing.
type serverLinter struct {
	srv  *server
	opts lint.Options
	once sync.Once
	l    *lint.Linter // nil: the linter does not check this server
	err  error
}

func (s *serverLinter) Inspect(ctx context.Context, m *migrate.Migration, sc *migrate.Script) ([]migrate.Finding, error) {
	s.once.Do(func() {
		v, err := s.srv.version(ctx)
		if err != nil {
			s.err = err
			return
		}
		e, ver, ok := lint.ForServer(v)
		if !ok {
			return
		}
		s.opts.Engine, s.opts.ServerVersion = e, ver
		s.l, s.err = lint.New(s.opts)
	})
	if s.err != nil || s.l == nil {
		return nil, s.err
	}
	// A type change is judged from the column's type in the database.
	return s.l.InspectLive(ctx, s.srv.d, s.srv.db, m, sc)
}

// unsafe prints the findings of a run the safety gate refused and gives
// the refusal the CLI's flag hint; other errors pass unchanged.
func (app *App) unsafe(err error) error {
	var ue *migrate.UnsafeError
	if !errors.As(err, &ue) {
		return err
	}
	rep := lint.SafetyReport(ue.Report)
	if app.JSON {
		app.planLint = rep // the findings are in the document, not on stderr
	} else {
		_ = lint.WriteText(app.Stderr, rep, lint.TextOptions{})
	}
	return Exit(ExitRefused, &hinted{msg: ErrUnsafe.Error(), err: err})
}

// hinted is a library error with the CLI's wording (flag hints); it unwraps
// to the library's error, whose fields stay reachable with errors.As.
type hinted struct {
	msg string
	err error
}

func (e *hinted) Error() string { return e.msg }
func (e *hinted) Unwrap() error { return e.err }
