package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/lint"
)

// lintCmd builds `strata lint`.
func (app *App) lintCmd() *cobra.Command {
	var (
		engine, serverVersion, format string
		includeDown, statements       bool
		history                       bool
		trace, listRules              bool
	)
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Report statements that lock or rewrite tables, with the safe rewrite",
		Long: `lint parses SQL migrations with the engine's own grammar and reports, for each
statement, the lock it takes and on which object, whether it rewrites or scans the
whole table, and whether it can run inside a transaction. Unsafe statements come
with a rewrite to paste.

A PATH is a migration file or directory (default: the migration directory), read
as strata up reads it: the sections and directives of every format strata runs
(strata, golang-migrate, goose, dbmate, Flyway); a .sql file not named as a
migration is plain SQL. Only the up part of a file is linted unless --include-down. Without --engine the engine
comes from --database / STRATA_DATABASE_URL, else PostgreSQL.

Silence a finding on one statement with a comment that gives a reason:
  -- strata:lint-ignore drop-column -- the app stopped reading it in v41
and set rules to error, warning or off in strata.yaml under lint.rules.

--trace (PostgreSQL) runs each file inside a transaction on a scratch copy of the
schema of --database (no data), reads pg_locks after each statement, reports the
locks really taken and rolls back.

Exit status: 0 no error-level finding, 3 error-level findings, 2 a file cannot be
parsed.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.EqualFold(format, "json") {
				// One JSON document on stdout, also when a file does not
				// parse (as with --json).
				app.holdDocument()
			}
			if listRules {
				return app.listRules(format)
			}
			if app.JSON && !cmd.Flags().Changed("format") {
				format = "json"
			}
			run, err := app.lintRun(cmd.Context(), engine, serverVersion, format, lint.Options{IncludeDown: includeDown, History: history})
			if err != nil {
				return err
			}
			run.statements, run.trace = statements, trace
			return run.lint(cmd.Context(), args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&engine, "engine", "", "SQL engine: postgres or mysql (default: from --database, else postgres)")
	fl.StringVar(&serverVersion, "server-version", "", "target server version, such as 15, 9.6, 8.0.35 or 10.6 (MariaDB); default PostgreSQL 14, MySQL 8.0.35")
	fl.StringVar(&format, "format", "text", "output format: text, json, sarif or github")
	fl.BoolVar(&includeDown, "include-down", false, "also lint down migrations")
	fl.BoolVar(&history, "history", false, "the PATHs are one migration history: what earlier files set up (a validated NOT NULL check, a column's type) informs later ones")
	fl.BoolVar(&statements, "statements", false, "list every statement with the locks it takes")
	fl.BoolVar(&listRules, "rules", false, "list the rule catalogue and exit")
	fl.BoolVar(&trace, "trace", false, "PostgreSQL: run each file in a rolled-back transaction on a scratch copy of the schema and report the locks really taken")
	return cmd
}

// listRules prints the rule catalogue.
func (app *App) listRules(format string) error {
	if app.JSON || format == "json" {
		return writeJSON(app.Stdout, lint.Rules())
	}
	for _, r := range lint.Rules() {
		var es []string
		for _, e := range r.Engines {
			es = append(es, string(e))
		}
		fmt.Fprintf(app.Stdout, "%-32s %-7s %-15s %s\n", r.ID, r.Severity, strings.Join(es, ","), r.Summary)
	}
	return nil
}

// lintRun is one `strata lint`: the linter and how to report.
type lintRun struct {
	app               *App
	cfg               *resolved
	l                 *lint.Linter
	format            lint.Format
	includeDown       bool
	statements, trace bool
}

// lintRun builds the linter for the engine (--engine, else the database's,
// else PostgreSQL), the server version (--server-version, else the
// database's) and strata.yaml's lint rules.
func (app *App) lintRun(ctx context.Context, engine, serverVersion, format string, opts lint.Options) (*lintRun, error) {
	cfg := app.config()
	if cfg == nil {
		cfg = &resolved{Dir: "migrations"}
	}
	e, err := app.lintEngine(engine, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Lint.Kind != 0 {
		if err := cfg.Lint.Decode(&opts.Config); err != nil {
			return nil, Exit(ExitUsage, fmt.Errorf("%s: lint: %w", orStr(cfg.File, "strata.yaml"), err))
		}
	}
	f := lint.Format(strings.ToLower(format))
	switch f {
	case lint.FormatText, lint.FormatJSON, lint.FormatSARIF, lint.FormatGitHub:
	default:
		return nil, Exit(ExitUsage, fmt.Errorf("--format %q: want text, json, sarif or github", format))
	}
	if serverVersion == "" && cfg.DatabaseURL != "" {
		// Lint for the server the migrations will run on.
		serverVersion = app.detectServerVersion(ctx, cfg.DatabaseURL, e)
	}
	opts.Engine, opts.ServerVersion, opts.Logger = e, serverVersion, app.logger()
	l, err := lint.New(opts)
	if err != nil {
		return nil, Exit(ExitUsage, err)
	}
	return &lintRun{app: app, cfg: cfg, l: l, format: f, includeDown: opts.IncludeDown}, nil
}

// lintEngine is the engine --engine names, else the one of the database
// URL, else PostgreSQL.
func (app *App) lintEngine(flag, dbURL string) (lint.Engine, error) {
	if flag != "" {
		e, err := lint.ParseEngine(flag)
		if err != nil {
			return "", Exit(ExitUsage, fmt.Errorf("--engine: %w", err))
		}
		return e, nil
	}
	if dbURL == "" {
		return lint.Postgres, nil
	}
	name, err := connect.Engine(dbURL)
	if err != nil {
		return "", Exit(ExitUsage, err)
	}
	e, err := lint.ParseEngine(name)
	if err != nil {
		return "", Exit(ExitUsage, fmt.Errorf("lint checks PostgreSQL and MySQL migrations, and --database is a %s database: pass --engine postgres or --engine mysql", name))
	}
	return e, nil
}

// lint lints paths (default: the migration directory), optionally traces
// them, and reports.
func (r *lintRun) lint(ctx context.Context, paths []string) error {
	app := r.app
	if len(paths) == 0 {
		paths = []string{r.cfg.Dir}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return Exit(ExitUsage, fmt.Errorf("lint: %w", err))
		}
	}
	if app.Getenv("GOGC") == "" && app.Getenv("GOMEMLIMIT") == "" {
		// Parse trees are short-lived garbage (about 75 MB per 1,000
		// files): collect only once the heap reaches 256 MiB, which most
		// runs never do, instead of spending a tenth of the CPU on it.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	}
	r.withDatabaseColumns(ctx, paths)
	rep, lintErr := r.l.LintPaths(ctx, paths)
	if rep == nil {
		rep = &lint.Report{}
	}
	if r.trace && lintErr == nil {
		if err := r.traceInto(ctx, rep); err != nil {
			return err
		}
	}
	if lintErr == nil || len(rep.Files) > 0 || r.format == lint.FormatJSON {
		// In JSON the document is written even when no file
		// parsed; the CLI adds the error to it.
		if err := lint.Write(app.Stdout, rep, r.format, lint.TextOptions{Statements: r.statements || r.trace, ToolVersion: Version}); err != nil {
			return err
		}
	}
	if lintErr != nil {
		var pe *lint.ParseError
		if errors.As(lintErr, &pe) {
			lintErr = pe
		}
		return Exit(ExitUsage, lintErr)
	}
	if n := rep.Errors(); n > 0 {
		return reported(ExitRefused, fmt.Errorf("%w: %s", errLintFindings, plural(n, "error", "errors")))
	}
	return nil
}

// withDatabaseColumns gives the linter, from --database (PostgreSQL), the
// type of every column the files change the type of, as strata up reads
// it: a type change is then judged from the column's old type instead of
// refused for not knowing it. When the database cannot be read it says so
// on stderr and lints without.
func (r *lintRun) withDatabaseColumns(ctx context.Context, paths []string) {
	url := r.cfg.DatabaseURL
	if url == "" || r.l.Engine() != lint.Postgres {
		return
	}
	if name, err := connect.Engine(url); err != nil {
		return
	} else if e, err := lint.ParseEngine(name); err != nil || e != lint.Postgres {
		return
	}
	var sql []string
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".sql") {
				if b, err := os.ReadFile(path); err == nil {
					sql = append(sql, string(b))
				}
			}
			return nil
		})
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	t, err := connect.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(r.app.Stderr, "strata: lint: cannot read column types from the database (%s); type changes are judged without them\n", err)
		return
	}
	defer t.Close()
	lc, err := lint.ReadLiveColumns(ctx, t.Dialect, t.DB, sql...)
	if err == nil {
		var l *lint.Linter
		if l, err = r.l.WithLive(lc); err == nil {
			r.l = l
			return
		}
	}
	fmt.Fprintf(r.app.Stderr, "strata: lint: cannot read column types from the database (%s); type changes are judged without them\n", t.Scrub(err.Error()))
}

// traceInto runs the files of rep on a scratch copy of the database's
// schema and adds what PostgreSQL did to rep.
func (r *lintRun) traceInto(ctx context.Context, rep *lint.Report) error {
	if r.l.Engine() != lint.Postgres {
		return Exit(ExitUsage, errors.New("--trace needs PostgreSQL"))
	}
	if r.cfg.DatabaseURL == "" {
		return Exit(ExitUsage, errors.New("--trace needs --database (or STRATA_DATABASE_URL): a PostgreSQL server whose schema is copied, without data, to a scratch database"))
	}
	tr, err := lint.Trace(ctx, r.cfg.DatabaseURL, rep.Files, lint.TraceOptions{IncludeDown: r.includeDown})
	if err != nil {
		return Exit(ExitFailed, fmt.Errorf("lint --trace: %s", connect.Redact(err.Error())))
	}
	rep.Merge(tr.Report(rep))
	return nil
}

// detectServerVersion asks the server at url for its product and version,
// for the version-dependent rules of engine e. It returns "" (the linter's
// default) when the URL is not of engine e, and, saying so on stderr, when
// the server cannot tell.
func (app *App) detectServerVersion(ctx context.Context, url string, e lint.Engine) string {
	name, err := connect.Engine(url)
	if err != nil {
		return ""
	}
	if ue, err := lint.ParseEngine(name); err != nil || ue != e {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t, err := connect.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(app.Stderr, "strata: lint: cannot read the server version (%s); assuming the default, pass --server-version\n", err)
		return ""
	}
	defer t.Close()
	v, err := t.Dialect.ServerVersion(ctx, t.DB)
	if err != nil {
		fmt.Fprintf(app.Stderr, "strata: lint: cannot read the server version (%s); assuming the default, pass --server-version\n", t.Scrub(err.Error()))
		return ""
	}
	got, version, ok := lint.ForServer(v)
	if !ok || got != e {
		return ""
	}
	return version
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
