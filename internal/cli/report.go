package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
)

// runResult is the JSON document of up, down and redo.
type runResult struct {
	Command   string     `json:"command"`
	Done      []stepJSON `json:"done"`
	NotRun    []string   `json:"not_run"`
	Warnings  []string   `json:"warnings"`
	Version   string     `json:"version"`
	OK        bool       `json:"ok"`
	Error     string     `json:"error,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
	LockWait  float64    `json:"lock_wait_seconds"`
	ElapsedMS int64      `json:"elapsed_ms"`
	// Lint is what the linter found in the migrations up was to run
	// (each finding is also one of Warnings).
	Lint *lintJSON `json:"lint,omitempty"`
	// Checks are the reports of the migrations' pre- and post-checks that
	// ran, passed or not, as `strata check --json` gives them.
	Checks []*check.Report `json:"checks"`
}

type lintJSON struct {
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Findings []lint.Finding `json:"findings"`
}

type stepJSON struct {
	Version    string `json:"version"`
	Name       string `json:"name"`
	Direction  string `json:"direction"`
	State      string `json:"state,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// runWith opens a session for f, runs do on its provider and reports the
// result as command name's.
func (app *App) runWith(ctx context.Context, name string, f *runFlags, do func(s *session) (*migrate.Result, error)) error {
	start := time.Now()
	return app.withSession(ctx, f, func(s *session) error {
		res, err := do(s)
		return app.report(ctx, name, s, res, err, start)
	})
}

// report prints what a run did (res) and how it ended (runErr), as text
// or as the --json document, and returns the command's error.
func (app *App) report(ctx context.Context, cmdName string, s *session, res *migrate.Result, runErr error, start time.Time) error {
	out := app.runDocument(ctx, cmdName, s, res, runErr, start)
	if app.JSON {
		if rep := app.planLint; rep != nil {
			out.Lint = &lintJSON{Errors: rep.Errors(), Warnings: rep.Warnings(), Findings: rep.Findings}
			for _, f := range rep.Findings {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s:%d:%d: %s %s: %s", f.File, f.Line, f.Col, f.Severity, f.Rule, f.Message))
			}
		}
		_ = writeJSON(app.Stdout, out)
		if runErr != nil {
			return reported(codeFor(runErr), runErr)
		}
		return nil
	}
	for _, w := range out.Warnings {
		fmt.Fprintf(app.Stderr, "warning: %s\n", w)
	}
	if runErr == nil {
		app.reportDone(cmdName, res, out, time.Since(start))
		return nil
	}
	n := doneCount(cmdName, out)
	if n > 0 {
		fmt.Fprintf(app.Stderr, "%s %s before the failure; database is at version %s\n", plural(n, "migration", "migrations"), runVerb(cmdName), out.Version)
	}
	if len(out.NotRun) > 0 {
		fmt.Fprintf(app.Stderr, "not run: %s\n", strings.Join(out.NotRun, ", "))
	}
	return runErr
}

// runDocument is what a run did, with the version the database is at now.
func (app *App) runDocument(ctx context.Context, cmdName string, s *session, res *migrate.Result, runErr error, start time.Time) runResult {
	out := runResult{Command: cmdName, NotRun: []string{}, Warnings: []string{}, Done: []stepJSON{}, OK: runErr == nil, ElapsedMS: time.Since(start).Milliseconds(),
		Checks: append([]*check.Report{}, app.checkReports...)}
	if res != nil {
		for _, d := range res.Done {
			out.Done = append(out.Done, stepJSON{Version: string(d.Version), Name: d.Name, Direction: string(d.Direction), State: string(d.State), DurationMS: d.Duration.Milliseconds()})
		}
		for _, v := range res.NotRun {
			out.NotRun = append(out.NotRun, string(v))
		}
		out.Warnings = append(out.Warnings, res.Warnings...)
		out.LockWait = res.LockWait.Seconds()
	}
	// The run may have ended because ctx did; the version is still worth
	// reading.
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if v, err := s.provider.Version(vctx); err == nil {
		out.Version = string(v)
	}
	var merr *migrate.MigrationError
	if runErr != nil {
		out.Error = app.redact(runErr.Error())
		if errors.As(runErr, &merr) {
			out.Error = app.redact(merr.Err.Error())
			out.Outcome = merr.Outcome
		}
	}
	return out
}

// reportDone prints the summary line of a run that succeeded, and the
// next step of each migration it left expanded.
func (app *App) reportDone(cmdName string, res *migrate.Result, out runResult, elapsed time.Duration) {
	n := doneCount(cmdName, out)
	migrations := plural(n, "migration", "migrations")
	expanded := expandedSteps(res)
	switch {
	case n == 0:
		fmt.Fprintf(app.Stdout, "nothing to do; database is at version %s\n", out.Version)
	case cmdName == "up" && len(expanded) == n:
		fmt.Fprintf(app.Stdout, "%s expanded in %s; database is at version %s\n", migrations, roundDur(elapsed), out.Version)
	case cmdName == "up" && len(expanded) > 0:
		fmt.Fprintf(app.Stdout, "%s applied or expanded (%d expanded) in %s; database is at version %s\n", migrations, len(expanded), roundDur(elapsed), out.Version)
	default:
		fmt.Fprintf(app.Stdout, "%s %s in %s; database is at version %s\n", migrations, runVerb(cmdName), roundDur(elapsed), out.Version)
	}
	for _, d := range expanded {
		fmt.Fprintf(app.Stdout, "%s is expanded, not applied yet: %s\n", d.Version, d.Next)
	}
}

// doneCount is how many migrations a run changed: a redo is a down and an
// up of the same migrations.
func doneCount(cmdName string, out runResult) int {
	if cmdName == "redo" {
		return len(out.Done) / 2
	}
	return len(out.Done)
}

// runVerb says what a command did to each migration it ran.
func runVerb(cmdName string) string {
	return map[string]string{"up": "applied", "down": "undone", "redo": "redone", "baseline": "recorded as applied", "complete": "completed", "abort": "aborted"}[cmdName]
}

// expandedSteps are the steps of an up that left their migration expanded
// (an online change waiting for `strata complete`).
func expandedSteps(res *migrate.Result) []migrate.StepResult {
	var out []migrate.StepResult
	if res == nil || res.Direction != migrate.Up {
		return nil
	}
	for _, d := range res.Done {
		if d.State == migrate.StateExpanded {
			out = append(out, d)
		}
	}
	return out
}

// progressObserver prints one line per migration as it finishes, so a long
// run shows where it is; the final summary follows.
func (app *App) progressObserver() migrate.Option {
	return migrate.WithObserver(migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
		if app.JSON {
			return
		}
		switch e.Kind {
		case migrate.EventMigrationFinished:
			verb := "applied "
			switch {
			case e.Direction == migrate.Down:
				verb = "undone  "
			case e.State == migrate.StateExpanded:
				verb = "expanded"
			}
			fmt.Fprintf(app.Stdout, "%s %s (%s)\n", verb, label(e), roundDur(e.Duration))
		case migrate.EventMigrationFailed:
			fmt.Fprintf(app.Stdout, "FAILED   %s (%s)\n", label(e), roundDur(e.Duration))
		case migrate.EventLockWaiting:
			fmt.Fprintf(app.Stderr, "strata: %s\n", e.Message)
		case migrate.EventRollbackStarted:
			fmt.Fprintf(app.Stdout, "rolling back %s_%s with its down section\n", e.Version, e.Name)
		}
	}))
}
