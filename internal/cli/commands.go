package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
	"github.com/strata-db/strata/transfer"
)

// Version is strata's version, set at build time with
// -ldflags "-X github.com/strata-db/strata/internal/cli.Version=v1.2.3".
var Version = "v0.1.0-dev"

func (app *App) commands() []*cobra.Command {
	return []*cobra.Command{
		app.demoCmd(),
		app.newCmd(),
		app.upCmd(),
		app.downCmd(),
		app.redoCmd(),
		app.statusCmd(),
		app.planCmd(),
		app.validateCmd(),
		app.baselineCmd(),
		app.repairCmd(),
		app.hashCmd(),
		app.completeCmd(),
		app.abortCmd(),
		app.lintCmd(),
		app.checkCmd(),
		app.verifyCmd(),
		app.restoreCmd(),
		app.pruneCmd(),
		app.transferCmd(),
		app.versionCmd(),
		app.serveCmd(), app.dashboardCmd(),
	}
}

// runFlags are the flags of commands that open the migration history.
// Each command registers only the ones it uses (see runFlag), so that its
// help lists no flag that does nothing there.
type runFlags struct {
	onlineLockTimeout time.Duration
	onlineMaxWait     time.Duration
	batchTime         time.Duration
	lockTimeout       time.Duration
	allowOutOfOrder   bool
	allowDrift        bool
	autoRollback      bool
	skipMissingDown   bool
	allowUnsafe       bool
	cmd               *cobra.Command
	table             string
	has               runFlag
	// create: the command may create a SQLite database file that does
	// not exist (up); every other command refuses to, so that a typo in
	// the path is an error instead of an empty database.
	create bool
	// planOnly: a missing SQLite file is planned for as a new, empty
	// database (plan before the first up), without creating the file.
	planOnly bool
}

// runFlag names a group of runFlags.
type runFlag uint

const (
	flagTable           runFlag = 1 << iota // --table: every command that reads the history
	flagLockTimeout                         // --lock-timeout: commands that take the runner lock
	flagOutOfOrder                          // --allow-out-of-order: commands that plan an up run
	flagDrift                               // --allow-drift: commands that plan a run
	flagAutoRollback                        // --auto-rollback: commands that apply migrations
	flagSkipMissingDown                     // --skip-missing-down: commands that plan a down run
	flagOnlineLock                          // --online-lock-timeout, --online-max-lock-wait: commands that run online DDL
	flagBatchTime                           // --batch-time: commands that backfill
)

func (f *runFlags) register(cmd *cobra.Command, has runFlag) {
	f.cmd, f.has = cmd, has
	f.autoRollback = true
	f.onlineLockTimeout = online.DefaultLockTimeout
	fl := cmd.Flags()
	// Usage strings must not hold backquotes: pflag shows a backquoted
	// word as the flag's value name ("--allow-drift strata repair").
	if has&flagLockTimeout != 0 {
		fl.DurationVar(&f.lockTimeout, "lock-timeout", 0, "how long to wait for another runner's lock (default 5m, env STRATA_LOCK_TIMEOUT)")
	}
	if has&flagOutOfOrder != 0 {
		fl.BoolVar(&f.allowOutOfOrder, "allow-out-of-order", false, "apply pending migrations older than the newest applied one")
	}
	if has&flagDrift != 0 {
		fl.BoolVar(&f.allowDrift, "allow-drift", false, "run although applied files were edited (prefer 'strata repair V', which records the edit)")
	}
	if has&flagAutoRollback != 0 {
		fl.BoolVar(&f.autoRollback, "auto-rollback", true, "when a migration fails outside a transaction, run its down section to undo it")
	}
	if has&flagTable != 0 {
		fl.StringVar(&f.table, "table", "", "history table, name or schema.name (default strata_schema_migrations, env STRATA_TABLE)")
	}
	if has&flagSkipMissingDown != 0 {
		fl.BoolVar(&f.skipMissingDown, "skip-missing-down", false, "step over migrations without a down part (remove their history rows), as golang-migrate and goose do")
	}
	if has&flagOnlineLock != 0 {
		fl.DurationVar(&f.onlineLockTimeout, "online-lock-timeout", online.DefaultLockTimeout, "online migrations: lock_timeout of each DDL statement, retried with backoff when it expires")
		fl.DurationVar(&f.onlineMaxWait, "online-max-lock-wait", 0, "online migrations: total retry time of one DDL statement before giving up (default 2m)")
	}
	if has&flagBatchTime != 0 {
		fl.DurationVar(&f.batchTime, "batch-time", 0, "online migrations: target time of one backfill batch (default 100ms)")
	}
}

// session is an open database and a provider over the migration directory.
type session struct {
	target   *connect.Target
	provider *migrate.Provider
}

func (s *session) Close() {
	if s.target != nil {
		s.target.Close()
	}
}

func (app *App) logger() *slog.Logger {
	if app.Logger != nil {
		return app.Logger
	}
	// The CLI prints results and errors itself; the library's log lines
	// are for -v (and for applications that embed it).
	level := slog.LevelError + 1
	if app.Verbose {
		// Info, not debug: -v's statement lines come from statementLog,
		// which hides secrets; the runner's own debug lines do not.
		level = slog.LevelInfo
	}
	if app.JSON {
		return slog.New(slog.NewJSONHandler(app.Stderr, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewTextHandler(app.Stderr, &slog.HandlerOptions{Level: level}))
}

// open connects to the configured database and loads the migration
// directory. Malformed files fail before the database is touched.
func (app *App) open(ctx context.Context, f *runFlags, extra ...migrate.Option) (*session, error) {
	cfg := app.config()
	if cfg.DatabaseURL == "" {
		return nil, Exit(ExitUsage, errors.New("no database: pass --database URL, set STRATA_DATABASE_URL, or set database in strata.yaml"))
	}
	if connect.IsStore(cfg.DatabaseURL) {
		return app.openStore(ctx, f, extra...)
	}
	engine, err := connect.Engine(cfg.DatabaseURL)
	if err != nil {
		return nil, Exit(ExitUsage, err)
	}
	fsys, err := app.migrationFS()
	if err != nil {
		return nil, err
	}
	// Parse before connecting, so a malformed file is reported even when
	// the database is down.
	var skipped []string
	loaded, err := migrate.Load(fsys, migrate.LoadOptions{Engine: engine, OnSkip: func(file, reason string) {
		skipped = append(skipped, fmt.Sprintf("%s left out: %s", joinPath(cfg.Dir, file), reason))
	}})
	if err != nil {
		return nil, app.prefixParse(err)
	}
	dbURL := cfg.DatabaseURL
	if f == nil || !f.create {
		if err := app.requireSQLiteFile(dbURL, ""); err != nil {
			if f == nil || !f.planOnly || !errors.Is(err, errNoDatabase) {
				return nil, err
			}
			// Planning the first up of a new SQLite database is the usual
			// first step; plan it against an empty in-memory database so
			// the file is still not created by a command that only reads.
			fmt.Fprintf(app.Stderr, "strata: %s does not exist yet: planning for a new, empty database (`strata up` creates it)\n", dbURL)
			dbURL = "sqlite::memory:"
		}
	}
	t, err := connect.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	sess := &session{target: t}
	opts := []migrate.Option{
		migrate.WithMigrations(loaded, skipped),
		migrate.WithDialect(t.Dialect),
		migrate.WithLogger(app.logger()),
		migrate.WithVars(app.lookupVar),
		migrate.WithStrataVersion(Version),
		migrate.WithDirName(cfg.Dir),
		migrate.WithLockTimeout(cfg.LockTimeout),
		migrate.WithAllowOutOfOrder(cfg.AllowOutOfOrder),
		migrate.WithAutoRollback(cfg.AutoRollback),
	}
	table := cfg.Table
	if f != nil {
		if f.lockTimeout > 0 || (f.cmd != nil && f.cmd.Flags().Changed("lock-timeout")) {
			opts = append(opts, migrate.WithLockTimeout(f.lockTimeout))
		}
		if f.allowOutOfOrder {
			opts = append(opts, migrate.WithAllowOutOfOrder(true))
		}
		opts = append(opts, migrate.WithAllowDrift(f.allowDrift), migrate.WithSkipMissingDown(f.skipMissingDown))
		if f.has&flagAutoRollback != 0 && !f.autoRollback {
			opts = append(opts, migrate.WithAutoRollback(false))
		}
		if f.table != "" {
			table = f.table
		}
	}
	if table != "" {
		opts = append(opts, migrate.WithTable(table))
	}
	if t.Dialect.Name() == "postgres" {
		step := &online.Step{}
		if f != nil {
			step.Runner.LockTimeout, step.Runner.MaxLockWait, step.Runner.BatchTime = f.onlineLockTimeout, f.onlineMaxWait, f.batchTime
		}
		opts = append(opts, migrate.WithStepRunner(migrate.KindOnline, step))
	}
	opts = append(opts, migrate.WithStepRunner(migrate.KindTransfer, &transfer.Step{}))
	opts = append(opts, app.progressObserver())
	if app.Verbose {
		opts = append(opts, app.statementLog())
	}
	if f != nil {
		gate, err := app.safetyOption(t, f.allowUnsafe)
		if err != nil {
			t.Close()
			return nil, err
		}
		if gate != nil {
			opts = append(opts, gate)
		}
	}
	opts = append(opts, app.extraOptions...)
	opts = append(opts, extra...)
	p, err := migrate.NewProvider(t.DB, fsys, opts...)
	if err != nil {
		t.Close()
		return nil, app.prefixParse(err)
	}
	sess.target, sess.provider = t, p
	return sess, nil
}

func (app *App) prefixParse(err error) error {
	var pe *migrate.ParseError
	if errors.As(err, &pe) {
		return Exit(ExitUsage, err)
	}
	return err
}

func (app *App) migrationFS() (fs.FS, error) {
	dir := app.config().Dir
	st, err := os.Stat(dir)
	if err != nil {
		return nil, Exit(ExitUsage, fmt.Errorf("migration directory %s: %w (set --dir or STRATA_DIR; `strata new NAME` creates it)", dir, errors.Unwrap(err)))
	}
	if !st.IsDir() {
		return nil, Exit(ExitUsage, fmt.Errorf("migration directory %s is not a directory", dir))
	}
	return os.DirFS(dir), nil
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

func roundDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

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
	Lint    *lintJSON     `json:"lint,omitempty"`
	elapsed time.Duration `json:"-"`
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

func (app *App) report(ctx context.Context, cmdName string, s *session, res *migrate.Result, runErr error, start time.Time) error {
	out := runResult{Command: cmdName, NotRun: []string{}, Warnings: []string{}, Done: []stepJSON{}, OK: runErr == nil, ElapsedMS: time.Since(start).Milliseconds()}
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
	n := len(out.Done)
	if cmdName == "redo" {
		// A redo is a down and an up of the same migrations.
		n = len(out.Done) / 2
	}
	noun := "migrations"
	if n == 1 {
		noun = "migration"
	}
	verb := map[string]string{"up": "applied", "down": "undone", "redo": "redone", "baseline": "recorded as applied", "complete": "completed", "abort": "aborted"}[cmdName]
	if runErr == nil {
		expanded := expandedSteps(res)
		switch {
		case n == 0:
			fmt.Fprintf(app.Stdout, "nothing to do; database is at version %s\n", out.Version)
		case cmdName == "up" && len(expanded) == n:
			fmt.Fprintf(app.Stdout, "%d %s expanded in %s; database is at version %s\n", n, noun, roundDur(time.Since(start)), out.Version)
		case cmdName == "up" && len(expanded) > 0:
			fmt.Fprintf(app.Stdout, "%d %s applied or expanded (%d expanded) in %s; database is at version %s\n", n, noun, len(expanded), roundDur(time.Since(start)), out.Version)
		default:
			fmt.Fprintf(app.Stdout, "%d %s %s in %s; database is at version %s\n", n, noun, verb, roundDur(time.Since(start)), out.Version)
		}
		for _, d := range expanded {
			fmt.Fprintf(app.Stdout, "%s is expanded, not applied yet: %s\n", d.Version, d.Next)
		}
		return nil
	}
	if n > 0 {
		fmt.Fprintf(app.Stderr, "%d %s %s before the failure; database is at version %s\n", n, noun, verb, out.Version)
	}
	if len(out.NotRun) > 0 {
		fmt.Fprintf(app.Stderr, "not run: %s\n", strings.Join(out.NotRun, ", "))
	}
	return runErr
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

func (app *App) upCmd() *cobra.Command {
	var f runFlags
	var to string
	var single, dryRun bool
	cmd := &cobra.Command{
		Use:   "up [N]",
		Short: "Apply pending migrations (all, the next N, or up to --to V)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := migrate.Request{Direction: migrate.Up, SingleTransaction: single}
			if len(args) == 1 {
				n, err := strconv.Atoi(args[0])
				if err != nil || n <= 0 {
					return Exit(ExitUsage, fmt.Errorf("up N: %q is not a positive number", args[0]))
				}
				req.Steps = n
			}
			if to != "" {
				v, err := migrate.ParseVersion(to)
				if err != nil {
					return Exit(ExitUsage, fmt.Errorf("--to: %w", err))
				}
				req.To = v
			}
			if dryRun {
				return app.showPlan(cmd.Context(), &f, req)
			}
			f.create = true
			return app.run(cmd.Context(), "up", &f, req)
		},
	}
	f.register(cmd, flagTable|flagLockTimeout|flagOutOfOrder|flagDrift|flagAutoRollback|flagOnlineLock|flagBatchTime)
	cmd.Flags().StringVar(&to, "to", "", "apply pending migrations up to and including version V")
	cmd.Flags().BoolVar(&single, "single-transaction", false, "apply all pending migrations in one transaction (PostgreSQL, SQLite)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would run (same as strata plan)")
	cmd.Flags().BoolVar(&f.allowUnsafe, "allow-unsafe", false, "run migrations although the linter finds statements that lock or rewrite tables in use")
	return cmd
}

func (app *App) run(ctx context.Context, name string, f *runFlags, req migrate.Request) error {
	start := time.Now()
	s, err := app.open(ctx, f)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.provider.Run(ctx, req)
	return app.report(ctx, name, s, res, app.unsafe(err), start)
}

func (app *App) downCmd() *cobra.Command {
	var f runFlags
	var to string
	var yes bool
	cmd := &cobra.Command{
		Use:   "down [N]",
		Short: "Undo the last migration, the last N, or all above --to V (--to 0 undoes everything)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := migrate.Request{Direction: migrate.Down, Steps: 1}
			if len(args) == 1 {
				n, err := strconv.Atoi(args[0])
				if err != nil || n <= 0 {
					return Exit(ExitUsage, fmt.Errorf("down N: %q is not a positive number", args[0]))
				}
				req.Steps = n
			}
			if to != "" {
				if len(args) == 1 {
					return Exit(ExitUsage, errors.New("down takes N or --to V, not both"))
				}
				v, err := migrate.ParseVersion(to)
				if err != nil {
					return Exit(ExitUsage, fmt.Errorf("--to: %w", err))
				}
				req.To, req.Steps = v, 0
				if v.IsZero() && !yes && !app.confirm("Undo every applied migration?") {
					return Exit(ExitRefused, errors.New("not confirmed; pass --yes to undo every migration"))
				}
			}
			return app.run(cmd.Context(), "down", &f, req)
		},
	}
	f.register(cmd, flagTable|flagLockTimeout|flagDrift|flagSkipMissingDown|flagOnlineLock)
	cmd.Flags().StringVar(&to, "to", "", "undo every applied migration above version V (0: all)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation on a terminal")
	return cmd
}

func (app *App) redoCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "redo",
		Short: "Undo the last applied migration and apply it again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			s, err := app.open(cmd.Context(), &f)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.provider.Redo(cmd.Context())
			return app.report(cmd.Context(), "redo", s, res, err, start)
		},
	}
	f.register(cmd, flagTable|flagLockTimeout|flagDrift|flagAutoRollback|flagSkipMissingDown|flagOnlineLock|flagBatchTime)
	return cmd
}

func (app *App) statusCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every migration and its state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := app.open(cmd.Context(), &f)
			if err != nil {
				return err
			}
			defer s.Close()
			sts, err := s.provider.Status(cmd.Context())
			if err != nil {
				return err
			}
			v, _ := s.provider.Version(cmd.Context())
			if app.JSON {
				if sts == nil {
					sts = []migrate.MigrationStatus{}
				}
				return writeJSON(app.Stdout, map[string]any{"database": s.target.URL, "version": string(v), "migrations": sts})
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT\tDURATION")
			pending := 0
			for _, st := range sts {
				at, dur := "-", "-"
				if !st.AppliedAt.IsZero() {
					at = st.AppliedAt.UTC().Format("2006-01-02 15:04:05")
					dur = roundDur(st.Duration)
				}
				state := st.State
				if st.Drift {
					if st.Repeatable {
						state += " (changed, will run again)"
					} else {
						state += " (EDITED since applied: see `strata repair`)"
					}
				}
				if st.State == migrate.StatePending {
					pending++
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Version, st.Name, state, at, dur)
			}
			tw.Flush()
			fmt.Fprintf(app.Stdout, "\ndatabase %s is at version %s; %d pending\n", s.target.URL, v, pending)
			for _, st := range sts {
				if st.State == migrate.StateExpanded {
					fmt.Fprintf(app.Stdout, "%s is expanded: the new shape is live beside the old one (views in schema %s); %s\n  move the application over, then `strata complete %s` (or `strata abort %s` to undo)\n",
						st.Version, online.VersionSchema(string(st.Version)), backfillSummary(string(st.Progress)), st.Version, st.Version)
				}
				if st.State == migrate.StateFailed || st.State == migrate.StateRunning {
					fmt.Fprintf(app.Stdout, "%s is %s: %s\n  fix the database, then `strata repair %s` (or `--pending` if you undid it)\n", st.Version, st.State, st.Error, st.Version)
				}
			}
			return nil
		},
	}
	f.register(cmd, flagTable)
	return cmd
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (app *App) planCmd() *cobra.Command {
	var f runFlags
	var to string
	var down, single bool
	cmd := &cobra.Command{
		Use:   "plan [N]",
		Short: "Show what up (or down with --down) would run, in order, without touching anything",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := migrate.Request{Direction: migrate.Up, SingleTransaction: single}
			if down {
				req.Direction, req.Steps = migrate.Down, 1
			}
			if len(args) == 1 {
				n, err := strconv.Atoi(args[0])
				if err != nil || n <= 0 {
					return Exit(ExitUsage, fmt.Errorf("plan N: %q is not a positive number", args[0]))
				}
				req.Steps = n
			}
			if to != "" {
				v, err := migrate.ParseVersion(to)
				if err != nil {
					return Exit(ExitUsage, fmt.Errorf("--to: %w", err))
				}
				req.To, req.Steps = v, 0
			}
			f.planOnly = true
			return app.showPlan(cmd.Context(), &f, req)
		},
	}
	f.register(cmd, flagTable|flagOutOfOrder|flagDrift|flagSkipMissingDown)
	cmd.Flags().StringVar(&to, "to", "", "plan up to version V (or down to V with --down)")
	cmd.Flags().BoolVar(&down, "down", false, "plan a down run instead of up")
	cmd.Flags().BoolVar(&single, "single-transaction", false, "plan an up run in one transaction")
	return cmd
}

type planJSON struct {
	Direction         string     `json:"direction"`
	SingleTransaction bool       `json:"single_transaction"`
	Steps             []stepPlan `json:"steps"`
	Warnings          []string   `json:"warnings"`
}

type stepPlan struct {
	Version       string   `json:"version"`
	Name          string   `json:"name"`
	File          string   `json:"file"`
	Direction     string   `json:"direction"`
	Transactional bool     `json:"transactional"`
	Mode          string   `json:"mode"`
	Statements    []string `json:"statements"`
}

func (app *App) showPlan(ctx context.Context, f *runFlags, req migrate.Request) error {
	s, err := app.open(ctx, f)
	if err != nil {
		return err
	}
	defer s.Close()
	pl, err := s.provider.Plan(ctx, req)
	if err != nil {
		return err
	}
	out := planJSON{Direction: string(pl.Direction), SingleTransaction: pl.SingleTransaction, Steps: []stepPlan{}, Warnings: append([]string{}, pl.Warnings...)}
	for _, st := range pl.Steps {
		sp := stepPlan{Version: string(st.Migration.Version), Name: st.Migration.Name, File: st.Migration.File(), Direction: string(st.Direction), Transactional: st.Transactional, Mode: st.Mode, Statements: []string{}}
		if st.Migration.Repeatable {
			sp.Version = "R__" + st.Migration.Name
		}
		if st.Script != nil {
			sp.File = st.Script.File
			for _, stmt := range st.Script.Statements {
				sp.Statements = append(sp.Statements, stmt.SQL)
			}
		}
		sp.Statements = append(sp.Statements, st.Describe...)
		out.Steps = append(out.Steps, sp)
	}
	if app.JSON {
		return writeJSON(app.Stdout, out)
	}
	if len(out.Steps) == 0 {
		fmt.Fprintln(app.Stdout, "-- nothing to run")
	}
	if pl.SingleTransaction {
		fmt.Fprintln(app.Stdout, "-- all migrations below run in ONE transaction")
	}
	for _, sp := range out.Steps {
		fmt.Fprintf(app.Stdout, "-- %s %s_%s (%s)\n-- runs %s\n", sp.Direction, sp.Version, sp.Name, sp.File, sp.Mode)
		for _, stmt := range sp.Statements {
			fmt.Fprintf(app.Stdout, "%s;\n", stmt)
		}
		fmt.Fprintln(app.Stdout)
	}
	for _, w := range out.Warnings {
		fmt.Fprintf(app.Stderr, "warning: %s\n", w)
	}
	if sr, err := s.provider.Inspect(ctx, pl); err == nil && len(sr.Findings) > 0 {
		rep := lint.SafetyReport(sr)
		fmt.Fprintf(app.Stdout, "-- lint: %s (up refuses them without --allow-unsafe), %s\n", plural(rep.Errors(), "error", "errors"), plural(rep.Warnings(), "warning", "warnings"))
		_ = lint.WriteText(app.Stdout, rep, lint.TextOptions{})
	}
	return nil
}

func (app *App) validateCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check that every file parses, strata.sum matches, and (with a database) nothing applied was edited",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := app.config()
			fsys, err := app.migrationFS()
			if err != nil {
				return err
			}
			engine := "postgres"
			if cfg.DatabaseURL != "" && !connect.IsStore(cfg.DatabaseURL) {
				if engine, err = connect.Engine(cfg.DatabaseURL); err != nil {
					return Exit(ExitUsage, err)
				}
			}
			ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: engine})
			if err != nil {
				return app.prefixParse(err)
			}
			out := validateJSON{OK: true, Migrations: len(ms), Sum: "none"}
			if _, err := fs.Stat(fsys, migrate.SumFile); err == nil {
				out.Sum = "ok"
			}
			if cfg.DatabaseURL == "" {
				// With a database, Validate reports drift before the sum:
				// an edited applied file is drift, not a sum to rewrite.
				if err := migrate.CheckSum(fsys); err != nil {
					return err
				}
			}
			if cfg.DatabaseURL != "" {
				s, err := app.open(cmd.Context(), &f)
				if err != nil {
					return err
				}
				defer s.Close()
				if err := s.provider.Validate(cmd.Context()); err != nil {
					return err
				}
				out.DriftChecked = true
			}
			if app.JSON {
				return writeJSON(app.Stdout, out)
			}
			sum := "strata.sum ok"
			if out.Sum == "none" {
				sum = "no strata.sum (`strata hash` writes one)"
			}
			drift := " (no database given, so drift was not checked)"
			if out.DriftChecked {
				drift = "; no applied migration was edited"
			}
			verb := "parse"
			if len(ms) == 1 {
				verb = "parses"
			}
			fmt.Fprintf(app.Stdout, "%s %s; %s%s\n", plural(len(ms), "migration", "migrations"), verb, sum, drift)
			return nil
		},
	}
	f.register(cmd, flagTable)
	return cmd
}

// validateJSON is the --json document of validate.
type validateJSON struct {
	OK         bool `json:"ok"`
	Migrations int  `json:"migrations"`
	// Sum is "ok" when strata.sum matches, "none" when there is none.
	Sum string `json:"strata_sum"`
	// DriftChecked: a database was given and no applied file was edited.
	DriftChecked bool `json:"drift_checked"`
}

func (app *App) baselineCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "baseline V",
		Short: "Adopt an existing database: record every migration up to V as applied without running it",
		Args:  needArg("V, the version of the newest migration the database already has (`strata status` lists the versions)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := migrate.ParseVersion(args[0])
			if err != nil {
				return Exit(ExitUsage, err)
			}
			start := time.Now()
			s, err := app.open(cmd.Context(), &f)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.provider.Baseline(cmd.Context(), v)
			return app.report(cmd.Context(), "baseline", s, res, err, start)
		},
	}
	f.register(cmd, flagTable|flagLockTimeout)
	return cmd
}

func (app *App) repairCmd() *cobra.Command {
	var f runFlags
	var pending bool
	cmd := &cobra.Command{
		Use:   "repair V",
		Short: "After a human fixed the database: mark a failed migration applied (or --pending), or accept an edited file",
		Args:  needArg("V, the version of the migration to repair (`strata status` shows which are failed or edited)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := migrate.ParseVersion(args[0])
			if err != nil && strings.HasPrefix(args[0], "R__") {
				v, err = migrate.Version(args[0]), nil
			}
			if err != nil {
				return Exit(ExitUsage, err)
			}
			s, err := app.open(cmd.Context(), &f)
			if err != nil {
				return err
			}
			defer s.Close()
			rr, err := s.provider.Repair(cmd.Context(), v, pending)
			if err != nil {
				return err
			}
			if app.JSON {
				return writeJSON(app.Stdout, rr)
			}
			if rr.Diff != "" {
				fmt.Fprintf(app.Stdout, "what changed since %s was applied:\n%s\n", v, rr.Diff)
			}
			fmt.Fprintf(app.Stdout, "repaired %s: %s (was %s)\n", v, rr.Action, rr.OldState)
			return nil
		},
	}
	f.register(cmd, flagTable|flagLockTimeout)
	cmd.Flags().BoolVar(&pending, "pending", false, "remove the history row instead, so the migration runs again")
	return cmd
}

func (app *App) hashCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "hash",
		Short: "Write strata.sum, the integrity file of the migration directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fsys, err := app.migrationFS()
			if err != nil {
				return err
			}
			sum, err := migrate.Sum(fsys)
			if err != nil {
				return err
			}
			path := strings.TrimSuffix(app.config().Dir, "/") + "/" + migrate.SumFile
			if err := os.WriteFile(path, []byte(sum), 0o644); err != nil {
				return err
			}
			n := strings.Count(sum, "\n") - 1
			if app.JSON {
				return writeJSON(app.Stdout, map[string]any{"ok": true, "file": path, "files": n})
			}
			fmt.Fprintf(app.Stdout, "wrote %s (%s)\n", path, plural(n, "file", "files"))
			return nil
		},
	}
}

func (app *App) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print strata's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if app.JSON {
				return writeJSON(app.Stdout, map[string]any{"version": Version})
			}
			fmt.Fprintf(app.Stdout, "strata %s\n", Version)
			return nil
		},
	}
}

func (app *App) completeCmd() *cobra.Command {
	return app.phaseCmd("complete", "Finish expanded online migrations (all, or version V): drop the old shape, triggers and version schema", true)
}

func (app *App) abortCmd() *cobra.Command {
	return app.phaseCmd("abort", "Undo expanded online migrations (all, or version V): drop what start created; the old shape and its rows stay", false)
}

func (app *App) phaseCmd(name, short string, complete bool) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   name + " [V]",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var v migrate.Version
			if len(args) == 1 {
				var err error
				if v, err = migrate.ParseVersion(args[0]); err != nil {
					return Exit(ExitUsage, err)
				}
			}
			start := time.Now()
			s, err := app.open(cmd.Context(), &f)
			if err != nil {
				return err
			}
			defer s.Close()
			var res *migrate.Result
			if complete {
				res, err = s.provider.Complete(cmd.Context(), v)
			} else {
				res, err = s.provider.Abort(cmd.Context(), v)
			}
			switch {
			case v == "":
			case errors.Is(err, migrate.ErrUnknownVersion):
				err = notInHistory(s.provider, name, v)
			case errors.Is(err, migrate.ErrNotExpanded):
				// Naming a migration that has no second phase to run is a
				// mistake in the command, not "nothing to do".
				if st, serr := s.provider.Status(cmd.Context()); serr == nil && pendingIn(st, v) {
					err = notInHistory(s.provider, name, v)
				} else {
					err = Exit(ExitUsage, err)
				}
			}
			return app.report(cmd.Context(), name, s, res, err, start)
		},
	}
	f.register(cmd, flagTable|flagLockTimeout|flagOnlineLock)
	return cmd
}

// pendingIn reports whether v is listed as pending.
func pendingIn(st []migrate.MigrationStatus, v migrate.Version) bool {
	for _, e := range st {
		if e.Version == v {
			return e.State == migrate.StatePending
		}
	}
	return false
}

// notInHistory explains why complete or abort V found nothing to do: V is
// pending (never started), or is no migration at all.
func notInHistory(p *migrate.Provider, verb string, v migrate.Version) error {
	for _, m := range p.Migrations() {
		if m.Version != v || m.Repeatable {
			continue
		}
		next := "`strata up` starts it"
		if m.Kind != migrate.KindOnline {
			kind := map[migrate.Kind]string{migrate.KindSQL: "SQL", "go": "Go"}[m.Kind]
			if kind == "" {
				kind = string(m.Kind)
			}
			next = fmt.Sprintf("it is a %s migration, which has no second phase: `strata up` applies it", kind)
		}
		done := map[string]string{"complete": "completed", "abort": "aborted"}[verb]
		return Exit(ExitUsage, fmt.Errorf("%s %s: %s_%s is pending, so there is nothing to %s: only an online migration that `strata up` expanded can be %s (%s)",
			verb, v, v, m.Name, verb, done, next))
	}
	return Exit(ExitUsage, fmt.Errorf("%w %s: no migration %s in the directory or in history (`strata status` lists them)", migrate.ErrUnknownVersion, v, v))
}

// backfillSummary describes an online migration's backfill progress from
// its recorded state.
func backfillSummary(progress string) string {
	st, err := online.ParseState([]byte(progress))
	if err != nil || st == nil || len(st.Backfills) == 0 {
		return "no backfill"
	}
	var parts []string
	for _, b := range st.Backfills {
		state := "running"
		if b.Done {
			state = "done"
		}
		parts = append(parts, fmt.Sprintf("%s %d of ~%d rows (%s)", b.Table, b.Rows, b.Total, state))
	}
	return "backfill: " + strings.Join(parts, "; ")
}

// label names a migration in progress lines: VERSION_name, or R__name for a
// repeatable one.
func label(e migrate.Event) string {
	if strings.HasPrefix(string(e.Version), "R__") {
		return string(e.Version)
	}
	return string(e.Version) + "_" + e.Name
}

func joinPath(dir, file string) string {
	if dir == "" || dir == "." {
		return file
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}
