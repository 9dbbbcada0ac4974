package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

// checkHook attaches the integrity checks to every run: pre-checks block a
// migration, post-checks roll it back, and each phase's report is printed
// as it happens (text mode; in --json mode failures are in the run's error).
func (app *App) checkHook(_ *cobra.Command) error {
	cfg := app.config()
	if cfg == nil || cfg.DatabaseURL == "" {
		return nil
	}
	engine, err := connect.Engine(cfg.DatabaseURL)
	if err != nil {
		return nil // the command that opens the database reports it
	}
	d, err := connect.ForEngine(engine)
	if err != nil {
		return nil
	}
	c, err := check.New(d, check.WithDirName(cfg.Dir), check.WithObserver(func(rep *check.Report) {
		app.checkReports = append(app.checkReports, rep)
		if app.JSON {
			return
		}
		app.writeCheckReport(rep)
	}), check.WithRestoreObserver(func(cps []check.Copy) {
		for _, c := range cps {
			fmt.Fprintf(app.Stderr, "restore point of %s: %s copied to %s (%s); `strata restore %s` puts it back\n", c.Version, c.Table, c.CopyName, plural(c.Rows, "row", "rows"), c.Version)
		}
	}))
	if err != nil {
		return nil
	}
	app.extraOptions = append(app.extraOptions, migrate.WithChecker(c))
	// Reports are stored once the command is done, on a connection of
	// their own: a rolled-back migration must not take its report with it,
	// and SQLite allows one writer while the migration's transaction is open.
	url := cfg.DatabaseURL
	app.cleanups = append(app.cleanups, func() {
		reports := app.checkReports
		if len(reports) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		t, err := connect.Open(ctx, url)
		if err != nil {
			fmt.Fprintf(app.Stderr, "warning: check reports not stored: %s\n", app.redact(err.Error()))
			return
		}
		defer t.Close()
		for _, rep := range reports {
			if err := check.Store(ctx, t.DB, t.Dialect, rep); err != nil {
				fmt.Fprintf(app.Stderr, "warning: %s\n", app.redact(err.Error()))
				return
			}
		}
	})
	return nil
}

func (app *App) writeCheckReport(rep *check.Report) {
	fmt.Fprintf(app.Stdout, "%s-checks of %s_%s (%s):\n", rep.Phase, rep.Version, rep.Name, rep.File)
	_ = check.WriteText(app.Stdout, rep)
}

func (app *App) checkCmd() *cobra.Command {
	var f runFlags
	var phase string
	var maxKeys int
	var history bool
	cmd := &cobra.Command{
		Use:   "check [V]",
		Short: "Run a migration's integrity checks now (pre-checks of pending migrations, post-checks of applied ones)",
		Long: `check runs the checks declared beside migrations (V_name.checks.yaml, or the checks: key of a
YAML migration) against the database without running any migration. Without V it runs the
checks of every migration that has some. --phase auto (the default) runs the pre-checks of
pending migrations and the post-checks of applied ones. Exits 1 when an error-level check
fails or cannot run.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch phase {
			case "auto", "pre", "post", "both":
			default:
				return Exit(ExitUsage, fmt.Errorf("--phase %q: want auto, pre, post or both", phase))
			}
			var want migrate.Version
			if len(args) == 1 {
				v, err := migrate.ParseVersion(args[0])
				if err != nil {
					return Exit(ExitUsage, err)
				}
				want = v
			}
			if history {
				return app.checkHistory(cmd.Context(), &f, want)
			}
			return app.runChecks(cmd.Context(), &f, want, phase, maxKeys)
		},
	}
	f.register(cmd, flagTable)
	cmd.Flags().StringVar(&phase, "phase", "auto", "which checks: auto (pre for pending, post for applied), pre, post or both")
	cmd.Flags().IntVar(&maxKeys, "max-keys", check.DefaultMaxKeys, "offending keys to list per check")
	cmd.Flags().BoolVar(&history, "history", false, "show the stored reports of the checks that ran with up (of V, or all) instead of running them")
	return cmd
}

func (app *App) checkHistory(ctx context.Context, f *runFlags, want migrate.Version) error {
	s, err := app.open(ctx, f)
	if err != nil {
		return err
	}
	defer s.Close()
	reps, err := check.Stored(ctx, s.target.DB, s.target.Dialect, string(want))
	if err != nil {
		return err
	}
	if reps == nil {
		reps = []*check.Report{}
	}
	if app.JSON {
		return writeJSON(app.Stdout, checkRunJSON{OK: true, Reports: reps})
	}
	if len(reps) == 0 {
		fmt.Fprintln(app.Stdout, "no stored check reports")
	}
	for i, rep := range reps {
		if i > 0 {
			fmt.Fprintln(app.Stdout)
		}
		fmt.Fprintf(app.Stdout, "%s  ", rep.At.Format("2006-01-02 15:04:05"))
		app.writeCheckReport(rep)
	}
	return nil
}

type checkRunJSON struct {
	OK      bool            `json:"ok"`
	Reports []*check.Report `json:"reports"`
}

func (app *App) runChecks(ctx context.Context, f *runFlags, want migrate.Version, phase string, maxKeys int) error {
	s, err := app.open(ctx, f)
	if err != nil {
		return err
	}
	defer s.Close()
	states := map[migrate.Version]migrate.State{}
	if sts, err := s.provider.Status(ctx); err == nil {
		for _, st := range sts {
			states[st.Version] = st.State
		}
	}
	c, err := check.New(s.target.Dialect, check.WithMaxKeys(maxKeys), check.WithDirName(app.config().Dir))
	if err != nil {
		return err
	}
	out := checkRunJSON{OK: true, Reports: []*check.Report{}}
	found := false
	for _, m := range s.provider.Migrations() {
		if want != "" && m.Version != want {
			continue
		}
		found = true
		set, err := c.Load(m)
		if err != nil {
			return Exit(ExitUsage, err)
		}
		var phases []check.Phase
		switch phase {
		case "pre":
			phases = []check.Phase{check.PhasePre}
		case "post":
			phases = []check.Phase{check.PhasePost}
		case "both":
			phases = []check.Phase{check.PhasePre, check.PhasePost}
		default:
			if st := states[m.Version]; st == migrate.StateApplied || st == migrate.StateExpanded {
				phases = []check.Phase{check.PhasePost}
			} else {
				phases = []check.Phase{check.PhasePre}
			}
		}
		for _, ph := range phases {
			rep, err := c.RunPhase(ctx, s.target.DB, m, set, ph)
			if err != nil {
				return err
			}
			if rep == nil {
				continue
			}
			out.Reports = append(out.Reports, rep)
			if !rep.Passed() {
				out.OK = false
			}
		}
	}
	if want != "" && !found {
		return Exit(ExitUsage, fmt.Errorf("no migration %s in %s", want, app.config().Dir))
	}
	// Stored like the reports of up, so that `strata check --history` and
	// the status page of `strata serve` show the latest result.
	for _, rep := range out.Reports {
		if err := check.Store(ctx, s.target.DB, s.target.Dialect, rep); err != nil {
			app.logger().Warn("check report not stored", "version", rep.Version, "error", app.redact(err.Error()))
			break
		}
	}
	if app.JSON {
		_ = writeJSON(app.Stdout, out)
	} else {
		if len(out.Reports) == 0 {
			fmt.Fprintln(app.Stdout, "no checks to run")
		}
		for i, rep := range out.Reports {
			if i > 0 {
				fmt.Fprintln(app.Stdout)
			}
			app.writeCheckReport(rep)
		}
	}
	if !out.OK {
		var errs []error
		for _, rep := range out.Reports {
			if err := rep.Err(); err != nil {
				errs = append(errs, fmt.Errorf("%s_%s %s-checks: %w", rep.Version, rep.Name, rep.Phase, err))
			}
		}
		return reported(ExitFailed, errors.Join(errs...))
	}
	return nil
}

func (app *App) verifyCmd() *cobra.Command {
	var (
		source, target, key string
		tables, columns     []string
		o                   check.CompareOptions
		normalize           bool
	)
	cmd := &cobra.Command{
		Use:   "verify --source URL --target URL --table T [--table U ...] --key COL",
		Short: "Compare tables between two databases (PostgreSQL, MySQL/MariaDB) by chunked checksums; exit 1 on any difference",
		Long: `verify compares each --table on --source and --target (T, or SOURCE_NAME:TARGET_NAME when the
names differ) without copying them: both servers hash key ranges, only ranges that differ are
split further, and only ranges of a few dozen keys are read, so identical tables cost a hash per
range. Every differing key is printed: changed, missing on target, extra on target. PostgreSQL
against MySQL/MariaDB compares values after normalising their types (integers, decimals, text,
timestamps in UTC, NULLs). The key is one column: an integer (ranges are cut by arithmetic), or
text, uuid, date or timestamp (ranges are cut at keys read from the source's index; across
engines both must order the keys alike, e.g. binary collations).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if source == "" || target == "" || len(tables) == 0 || key == "" {
				return Exit(ExitUsage, errors.New("verify needs --source URL, --target URL, --table T and --key COL"))
			}
			o.Key, o.Columns, o.Normalize = key, columns, normalize
			return app.verify(cmd.Context(), source, target, tables, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&source, "source", "", "database URL of the reference copy")
	fl.StringVar(&target, "target", "", "database URL of the copy to verify")
	fl.StringArrayVar(&tables, "table", nil, "table to compare, or SOURCE_TABLE:TARGET_TABLE (repeatable)")
	fl.StringVar(&key, "key", "", "key column the tables are chunked and matched by (integer, text, uuid, date or timestamp)")
	fl.StringSliceVar(&columns, "columns", nil, "columns to compare (default: every column of the source table)")
	fl.Int64Var(&o.ChunkRows, "chunk-rows", 100_000, "rows per top-level chunk")
	fl.IntVar(&o.Parallel, "parallel", 2, "chunks compared at once")
	fl.IntVar(&o.MaxKeys, "max-keys", 0, "differing keys to print per table (0: all)")
	fl.BoolVar(&normalize, "normalize", false, "use the cross-engine normalised hash even between two PostgreSQL databases")
	return cmd
}

type verifyJSON struct {
	OK     bool          `json:"ok"`
	Source string        `json:"source"`
	Target string        `json:"target"`
	Tables []*check.Diff `json:"tables"`
	Error  string        `json:"error,omitempty"`
}

func (app *App) verify(ctx context.Context, sourceURL, targetURL string, tables []string, o check.CompareOptions) error {
	t0 := time.Now()
	for _, side := range []struct{ url, what string }{{sourceURL, "--source: "}, {targetURL, "--target: "}} {
		if err := app.requireSQLiteFile(side.url, side.what); err != nil {
			return err
		}
	}
	src, err := connect.Open(ctx, sourceURL)
	if err != nil {
		return Exit(ExitFailed, fmt.Errorf("source: %w", app.urlSource(err, "flag --source")))
	}
	defer src.Close()
	tgt, err := connect.Open(ctx, targetURL)
	if err != nil {
		return Exit(ExitFailed, fmt.Errorf("target: %w", app.urlSource(err, "flag --target")))
	}
	defer tgt.Close()
	for _, t := range []*connect.Target{src, tgt} {
		t.DB.SetMaxOpenConns(2*max(o.Parallel, 1) + 1)
		t.DB.SetMaxIdleConns(2*max(o.Parallel, 1) + 1)
	}
	scrub := func(s string) string {
		for _, p := range []string{src.Password, tgt.Password} {
			if p != "" {
				s = connect.Scrub(s, p)
			}
		}
		return s
	}
	out := verifyJSON{OK: true, Source: src.URL, Target: tgt.URL, Tables: []*check.Diff{}}
	var runErr error
	for _, t := range tables {
		sn, tn, ok := strings.Cut(t, ":")
		if !ok {
			tn = sn
		}
		d, err := check.Compare(ctx,
			check.Side{DB: src.DB, Dialect: src.Dialect, Table: sn},
			check.Side{DB: tgt.DB, Dialect: tgt.Dialect, Table: tn}, o)
		if err != nil {
			runErr = fmt.Errorf("verify %s: %s", t, scrub(err.Error()))
			out.OK, out.Error = false, runErr.Error()
			break
		}
		out.Tables = append(out.Tables, d)
		if !d.Equal() {
			out.OK = false
		}
	}
	if app.JSON {
		_ = writeJSON(app.Stdout, out)
		if runErr != nil {
			return reported(ExitFailed, runErr)
		}
		if !out.OK {
			return reported(ExitFailed, fmt.Errorf("%w: %s", errVerifyDiffers, differing(out.Tables)))
		}
		return nil
	}
	if len(out.Tables) > 0 {
		tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE\tSOURCE ROWS\tTARGET ROWS\tCHANGED\tMISSING\tEXTRA\tROWS READ\tRESULT")
		for _, d := range out.Tables {
			name := d.Source
			if d.Target != d.Source {
				name += ":" + d.Target
			}
			res := "identical"
			if !d.Equal() {
				res = "DIFFERENT"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", name, d.SourceRows, d.TargetRows, d.Changed, d.Missing, d.Extra, d.RowsRead, res)
		}
		tw.Flush()
		for _, d := range out.Tables {
			for _, k := range d.Keys {
				fmt.Fprintf(app.Stdout, "%s: %-17s %s\n", d.Source, k.Kind, k.Key)
			}
			if d.Truncated {
				fmt.Fprintf(app.Stdout, "%s: more differing keys not listed (--max-keys %d)\n", d.Source, o.MaxKeys)
			}
		}
	}
	if runErr != nil {
		return Exit(ExitFailed, runErr)
	}
	if !out.OK {
		fmt.Fprintf(app.Stderr, "%s (%s)\n", differing(out.Tables), roundDur(time.Since(t0)))
		return reported(ExitFailed, errVerifyDiffers)
	}
	fmt.Fprintf(app.Stdout, "%s identical (%s)\n", plural(len(out.Tables), "table", "tables"), roundDur(time.Since(t0)))
	return nil
}

// differing says how many of the compared tables differ: "1 of 2 tables differs".
func differing(tables []*check.Diff) string {
	n := 0
	for _, d := range tables {
		if !d.Equal() {
			n++
		}
	}
	verb := "differ"
	if n == 1 {
		verb = "differs"
	}
	return fmt.Sprintf("%d of %s %s", n, plural(len(tables), "table", "tables"), verb)
}

func (app *App) restoreCmd() *cobra.Command {
	var list, yes bool
	cmd := &cobra.Command{
		Use:   "restore V",
		Short: "Put back the tables copied by version V's restore point (-- strata:restore-point); --list shows them",
		Long: `restore empties each table of V's restore point and refills it from its copy, in one
transaction; indexes, constraints and grants of the table stay. The schema is not changed:
undo the migration's schema change first (strata down) if the copy's columns no longer fit.
The history table is not changed either.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !list && len(args) == 0 {
				return Exit(ExitUsage, errors.New("restore needs a version (or --list)"))
			}
			ctx := cmd.Context()
			s, err := app.open(ctx, nil)
			if err != nil {
				return err
			}
			defer s.Close()
			rp, err := check.NewRestorePoints(s.target.Dialect)
			if err != nil {
				return err
			}
			if list {
				v := ""
				if len(args) == 1 {
					v = args[0]
				}
				cps, err := rp.List(ctx, s.target.DB, v)
				if err != nil {
					return err
				}
				return app.writeCopies(cps, "restore points")
			}
			v, err := migrate.ParseVersion(args[0])
			if err != nil {
				return Exit(ExitUsage, err)
			}
			if !yes && !app.confirm(fmt.Sprintf("Replace the rows of the tables of %s's restore point with their copies?", v)) {
				return Exit(ExitRefused, errors.New("not confirmed; pass --yes to restore"))
			}
			cps, err := rp.Restore(ctx, s.target.DB, string(v))
			if err != nil {
				if errors.Is(err, check.ErrNoRestorePoint) {
					return Exit(ExitUsage, err)
				}
				return err
			}
			return app.writeCopies(cps, "restored")
		},
	}
	cmd.Flags().BoolVar(&list, "list", false, "list restore points (of V, or all)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation on a terminal")
	return cmd
}

func (app *App) pruneCmd() *cobra.Command {
	var olderThan time.Duration
	var keep int
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Drop restore-point copies older than --older-than, keeping the newest --keep versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := app.open(ctx, nil)
			if err != nil {
				return err
			}
			defer s.Close()
			rp, err := check.NewRestorePoints(s.target.Dialect)
			if err != nil {
				return err
			}
			cps, err := rp.Prune(ctx, s.target.DB, time.Now().Add(-olderThan), keep)
			if err != nil {
				return err
			}
			return app.writeCopies(cps, "dropped")
		},
	}
	cmd.Flags().DurationVar(&olderThan, "older-than", 7*24*time.Hour, "drop restore points older than this")
	cmd.Flags().IntVar(&keep, "keep", 1, "always keep the restore points of the newest N versions")
	return cmd
}

func (app *App) writeCopies(cps []check.Copy, what string) error {
	if cps == nil {
		cps = []check.Copy{}
	}
	if app.JSON {
		return writeJSON(app.Stdout, map[string]any{what: cps})
	}
	if len(cps) == 0 {
		fmt.Fprintf(app.Stdout, "%s: none\n", what)
		return nil
	}
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tTABLE\tCOPY\tROWS\tCREATED")
	for _, c := range cps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", c.Version, c.Table, c.CopyName, c.Rows, c.CreatedAt.Format("2006-01-02 15:04:05"))
	}
	tw.Flush()
	fmt.Fprintf(app.Stdout, "%s: %s\n", what, plural(len(cps), "table", "tables"))
	return nil
}
