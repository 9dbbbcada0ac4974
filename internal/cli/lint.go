package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
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

A PATH is a migration file or directory (default: the migration directory). Only
the up part of a file is linted unless --include-down. Without --engine the engine
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
			ctx := cmd.Context()
			if strings.EqualFold(format, "json") {
				// One JSON document on stdout, also when a file does not
				// parse (as with --json).
				app.holdDocument()
			}
			if listRules {
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
			cfg := app.config()
			if cfg == nil {
				cfg = &resolved{Dir: "migrations"}
			}
			eng := engine
			if eng == "" && cfg.DatabaseURL != "" {
				e, err := connect.Engine(cfg.DatabaseURL)
				if err != nil {
					return Exit(ExitUsage, err)
				}
				eng = e
			}
			if eng == "sqlite" {
				return Exit(ExitUsage, errors.New("lint checks PostgreSQL and MySQL migrations; pass --engine postgres or --engine mysql"))
			}
			le, err := lint.ParseEngine(eng)
			if err != nil {
				return Exit(ExitUsage, err)
			}
			var lc lint.Config
			if cfg.Lint.Kind != 0 {
				if err := cfg.Lint.Decode(&lc); err != nil {
					return Exit(ExitUsage, fmt.Errorf("%s: lint: %w", orStr(cfg.File, "strata.yaml"), err))
				}
			}
			if app.JSON && !cmd.Flags().Changed("format") {
				format = "json"
			}
			f := lint.Format(strings.ToLower(format))
			switch f {
			case lint.FormatText, lint.FormatJSON, lint.FormatSARIF, lint.FormatGitHub:
			default:
				return Exit(ExitUsage, fmt.Errorf("--format %q: want text, json, sarif or github", format))
			}
			if urlEngine, _ := connect.Engine(cfg.DatabaseURL); serverVersion == "" && cfg.DatabaseURL != "" && urlEngine == string(le) {
				// Lint for the server the migrations will run on.
				serverVersion = app.detectServerVersion(ctx, cfg.DatabaseURL, le)
			}
			l, err := lint.New(lint.Options{Engine: le, ServerVersion: serverVersion, Config: lc, IncludeDown: includeDown, History: history, Logger: app.logger()})
			if err != nil {
				return Exit(ExitUsage, err)
			}
			paths := args
			if len(paths) == 0 {
				paths = []string{cfg.Dir}
			}
			for _, p := range paths {
				if _, err := os.Stat(p); err != nil {
					return Exit(ExitUsage, fmt.Errorf("lint: %w", err))
				}
			}
			if app.Getenv("GOGC") == "" {
				// Parse trees are short-lived garbage: collecting less often
				// cuts a fifth of the CPU time on large directories.
				defer debug.SetGCPercent(debug.SetGCPercent(400))
			}
			rep, lintErr := l.LintPaths(ctx, paths)
			if rep == nil {
				rep = &lint.Report{}
			}
			if trace && lintErr == nil {
				if le != lint.Postgres {
					return Exit(ExitUsage, errors.New("--trace needs PostgreSQL"))
				}
				if cfg.DatabaseURL == "" {
					return Exit(ExitUsage, errors.New("--trace needs --database (or STRATA_DATABASE_URL): a PostgreSQL server whose schema is copied, without data, to a scratch database"))
				}
				tr, err := lint.Trace(ctx, cfg.DatabaseURL, rep.Files, lint.TraceOptions{IncludeDown: includeDown})
				if err != nil {
					return Exit(ExitFailed, fmt.Errorf("lint --trace: %s", connect.Redact(err.Error())))
				}
				rep.Merge(tr.Report(rep))
			}
			tv := Version
			if lintErr != nil {
				var pe *lint.ParseError
				if errors.As(lintErr, &pe) {
					lintErr = pe
				}
			}
			if lintErr == nil || len(rep.Files) > 0 || f == lint.FormatJSON {
				// In JSON the document is written even when no file
				// parsed; the CLI adds the error to it.
				if err := lint.Write(app.Stdout, rep, f, lint.TextOptions{Statements: statements || trace, ToolVersion: tv}); err != nil {
					return err
				}
			}
			if lintErr != nil {
				return Exit(ExitUsage, lintErr)
			}
			if n := rep.Errors(); n > 0 {
				return reported(ExitRefused, fmt.Errorf("%w: %s", errLintFindings, plural(n, "error", "errors")))
			}
			return nil
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

// detectServerVersion asks the server at url for its version, for the
// version-dependent rules; on failure it says so on stderr and returns ""
// (the linter's default).
func (app *App) detectServerVersion(ctx context.Context, url string, e lint.Engine) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t, err := connect.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(app.Stderr, "strata: lint: cannot read the server version (%s); assuming the default, pass --server-version\n", err)
		return ""
	}
	defer t.Close()
	q := "SHOW server_version"
	if e == lint.MySQL {
		q = "SELECT VERSION()"
	}
	var v string
	if err := t.DB.QueryRowContext(ctx, q).Scan(&v); err != nil {
		fmt.Fprintf(app.Stderr, "strata: lint: cannot read the server version (%s); assuming the default, pass --server-version\n", connect.Scrub(err.Error(), t.Password))
		return ""
	}
	if e == lint.MySQL && strings.Contains(strings.ToLower(v), "mariadb") {
		return "mariadb " + strings.SplitN(v, "-", 2)[0]
	}
	return strings.Fields(v + " ")[0]
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
