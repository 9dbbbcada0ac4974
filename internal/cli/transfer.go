package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/transfer"
)

func (app *App) transferCmd() *cobra.Command {
	var o transfer.Options
	cmd := &cobra.Command{
		Use:   "transfer SPEC.yaml",
		Short: "Copy and reshape tables between engines: chunked, resumable, every row accounted for, verified",
		Long: `transfer copies the tables a spec names from its source to its target (PostgreSQL,
MySQL/MariaDB, SQLite, in any direction), mapping columns and applying rules on the way.

  source: mysql://root@127.0.0.1:3306/shop     # a URL, or an environment of strata.yaml
  target: postgres://postgres@127.0.0.1/shop
  tables:
    - from: items        # a table or a SELECT
      to: items          # default: from
      key: id            # or [order_id, product_id]
      create: true       # create the target table, types mapped between engines

Each chunk is committed with its checkpoint; after an interruption (even kill -9) run the
same command with --resume. Rows that fail a rule or that the target refuses go to
strata_transfer_quarantine with the reason. Exits 0 only when, for every table,
read = written + quarantined + skipped (and verify passed); 1 otherwise, naming the table.`,
		Args: needArg("SPEC.yaml, the file that says what to copy where"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Resume && o.Restart {
				return Exit(ExitUsage, errors.New("--resume and --restart exclude each other"))
			}
			return app.runTransfer(cmd.Context(), args[0], o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Resume, "resume", false, "continue an interrupted run from its finished chunks")
	fl.BoolVar(&o.Restart, "restart", false, "forget an interrupted run's checkpoints (and empty the tables it created) and start over")
	fl.IntVar(&o.Workers, "workers", 0, "chunks written at once (default: the spec's workers, or 2)")
	fl.BoolVar(&o.NoVerify, "no-verify", false, "skip the row count and checksum comparison after the copy")
	return cmd
}

type transferJSON struct {
	OK       bool                    `json:"ok"`
	Transfer string                  `json:"transfer"`
	Tables   []*transfer.TableResult `json:"tables"`
	// AlreadyDone: an earlier run finished the transfer; nothing was
	// copied and Tables are that run's results.
	AlreadyDone bool       `json:"already_done,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	Error       string     `json:"error,omitempty"`
}

func (app *App) runTransfer(ctx context.Context, path string, o transfer.Options) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return Exit(ExitUsage, fmt.Errorf("read spec: %w", err))
	}
	spec, err := transfer.Parse(path, data)
	if err != nil {
		return Exit(ExitUsage, err)
	}
	srcURL, err := app.transferURL(spec.Source)
	if err != nil {
		return Exit(ExitUsage, fmt.Errorf("%s: source: %w", path, err))
	}
	dstURL, err := app.transferURL(spec.Target)
	if err != nil {
		return Exit(ExitUsage, fmt.Errorf("%s: target: %w", path, err))
	}
	for i, u := range []string{srcURL, dstURL} {
		if _, err := connect.Engine(u); err != nil {
			return Exit(ExitUsage, fmt.Errorf("%s: %w", path, app.urlSource(err, "transfer spec "+path+": "+[]string{"source", "target"}[i])))
		}
	}
	// The target may be created (create: true makes its tables); the
	// source must be there.
	if err := app.requireSQLiteFile(srcURL, path+": source: "); err != nil {
		return err
	}
	src, err := connect.Open(ctx, srcURL)
	if err != nil {
		return app.urlSource(err, "transfer spec "+path+": source")
	}
	defer src.Close()
	dst, err := connect.Open(ctx, dstURL)
	if err != nil {
		return app.urlSource(err, "transfer spec "+path+": target")
	}
	defer dst.Close()
	redact := func(s string) string {
		return app.redact(connect.Scrub(connect.Scrub(s, src.Password), dst.Password))
	}
	o.Logger = app.logger()
	if !app.JSON {
		o.Observer = app.transferProgress()
	}
	res, runErr := transfer.Run(ctx, src, dst, spec, o)
	out := transferJSON{OK: runErr == nil, Transfer: spec.Name, Tables: res.Tables, AlreadyDone: res.AlreadyDone, CompletedAt: res.CompletedAt}
	if out.Tables == nil {
		out.Tables = []*transfer.TableResult{}
	}
	if unbalanced := unbalancedTables(res); runErr == nil && len(unbalanced) > 0 {
		runErr = fmt.Errorf("not every row is accounted for in %s (read ≠ written + quarantined + skipped)", strings.Join(unbalanced, ", "))
		out.OK = false
	}
	if runErr != nil {
		out.Error = redact(runErr.Error())
	}
	code := transferExit(runErr)
	if app.JSON {
		_ = writeJSON(app.Stdout, out)
		if code != ExitOK {
			return reported(code, runErr)
		}
		return nil
	}
	for _, t := range res.Tables {
		app.printTransferTable(t)
	}
	if res.AlreadyDone {
		app.printTransferDone(res)
	}
	if runErr != nil {
		return Exit(code, errors.New(redact(runErr.Error())))
	}
	return nil
}

// unbalancedTables names the tables whose rows are not all accounted for.
func unbalancedTables(res *transfer.Result) []string {
	var out []string
	for _, t := range res.Tables {
		if !t.Balanced() || !t.Complete {
			out = append(out, t.To)
		}
	}
	return out
}

// printTransferDone says that an earlier run finished the transfer.
func (app *App) printTransferDone(res *transfer.Result) {
	when := ""
	if res.CompletedAt != nil {
		when = " (" + res.CompletedAt.Local().Format("2006-01-02 15:04:05") + ")"
	}
	fmt.Fprintf(app.Stdout, "transfer %s was completed by an earlier run%s: nothing to copy; --restart copies it again\n", res.Transfer, when)
}

// transferExit is the exit code of a transfer that ended with err.
func transferExit(err error) int {
	var se *transfer.SpecError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &se):
		return ExitUsage
	case errors.Is(err, transfer.ErrInterrupted):
		return ExitRefused
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	return ExitFailed
}

func (app *App) printTransferTable(t *transfer.TableResult) {
	name := t.To
	if t.From != t.To {
		name = t.From + " → " + t.To
	}
	fmt.Fprintf(app.Stdout, "%s: read %d, written %d, quarantined %d, skipped %d", name, t.Read, t.Written, t.Quarantined, t.Skipped)
	if t.ZeroDates > 0 {
		fmt.Fprintf(app.Stdout, ", zero dates stored as NULL %d", t.ZeroDates)
	}
	fmt.Fprintf(app.Stdout, " (%s", plural(t.Chunks, "chunk", "chunks"))
	if t.Resumed > 0 {
		fmt.Fprintf(app.Stdout, ", %d done by an earlier run", t.Resumed)
	}
	fmt.Fprintf(app.Stdout, ", %s, %.0f rows/s)\n", roundDur(time.Duration(t.Elapsed*float64(time.Second))), t.RowsPerSecond)
	if t.Created {
		fmt.Fprintf(app.Stdout, "  created %s\n", t.To)
	}
	app.printCarried(t.Carried)
	for _, n := range t.Notes {
		where := n.Table
		if n.Column != "" {
			where += "." + n.Column
		}
		fmt.Fprintf(app.Stdout, "  note: %s: %s\n", where, n.Note)
	}
	if t.Quarantined > 0 {
		fmt.Fprintf(app.Stdout, "  %s quarantined: SELECT source_key, error FROM %s WHERE tbl = '%s'\n", plural(t.Quarantined, "row", "rows"), transfer.QuarantineTable, t.To)
	}
	if v := t.Verify; v != nil {
		if v.OK {
			fmt.Fprintf(app.Stdout, "  verify: ok (%s; %s, %s", v.Method, plural(v.SourceRows, "source row", "source rows"), plural(v.TargetRows, "target row", "target rows"))
			if len(v.Columns) > 0 {
				fmt.Fprintf(app.Stdout, "; columns %s", strings.Join(v.Columns, ", "))
			}
			fmt.Fprintln(app.Stdout, ")")
		} else {
			fmt.Fprintf(app.Stdout, "  verify: MISMATCH %s\n", strings.Join(v.Keys, "; "))
		}
		app.printLeftOut(v.LeftOut)
	}
	if t.Error != "" {
		fmt.Fprintf(app.Stdout, "  FAILED: %s\n", app.redact(t.Error))
	}
}

// printCarried says what a created table carried from its source, and
// what not and why.
func (app *App) printCarried(cs []transfer.Carry) {
	var carried, not []string
	for _, c := range cs {
		what := strings.ReplaceAll(c.Kind, "_", " ") + " " + c.Name
		switch {
		case !c.Carried:
			not = append(not, fmt.Sprintf("  not carried: %s (%s): %s\n", what, c.Definition, c.Reason))
		case c.Note != "":
			carried = append(carried, what+" ("+c.Note+")")
		default:
			carried = append(carried, what)
		}
	}
	if len(carried) > 0 {
		fmt.Fprintf(app.Stdout, "  carried: %s\n", strings.Join(carried, ", "))
	}
	fmt.Fprint(app.Stdout, strings.Join(not, ""))
}

// printLeftOut names the columns verify did not compare, by reason.
func (app *App) printLeftOut(lo []transfer.LeftOut) {
	var reasons []string
	byReason := map[string][]string{}
	for _, l := range lo {
		if byReason[l.Reason] == nil {
			reasons = append(reasons, l.Reason)
		}
		byReason[l.Reason] = append(byReason[l.Reason], l.Column)
	}
	for _, r := range reasons {
		fmt.Fprintf(app.Stdout, "  verify left out %s: %s\n", strings.Join(byReason[r], ", "), r)
	}
}

// transferProgress prints a progress line to stderr at most once a second.
func (app *App) transferProgress() migrate.Observer {
	var mu sync.Mutex
	var last time.Time
	return migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
		if e.Kind != migrate.EventBatchDone {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		rate := float64(e.Rows) / e.Duration.Seconds()
		eta := ""
		if e.RowsTotal > 0 && rate > 0 && e.RowsTotal > e.Rows {
			eta = fmt.Sprintf(", ETA %s", time.Duration(float64(e.RowsTotal-e.Rows)/rate*float64(time.Second)).Round(time.Second))
		}
		fmt.Fprintf(app.Stderr, "strata: %s: %d/%d rows, %.0f rows/s, %s, %d quarantined%s\n", e.Table, e.Rows, e.RowsTotal, rate, plural(e.Chunks, "chunk", "chunks"), e.Quarantined, eta)
	})
}

// transferURL turns a spec's source or target into a URL: a URL as it is,
// or the database of an environment in strata.yaml. ${NAME} is expanded
// from the environment; an unset NAME is an error.
func (app *App) transferURL(v string) (string, error) {
	v, err := expandVars(v, app.envLookup)
	if err != nil {
		return "", err
	}
	if strings.Contains(v, ":") {
		return v, nil
	}
	path := app.ConfigFile
	if path == "" {
		path = app.Getenv("STRATA_CONFIG")
	}
	if path == "" {
		path = "strata.yaml"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%q is neither a database URL nor an environment (no %s: %v)", v, path, err)
	}
	fc, err := parseConfig(path, data)
	if err != nil {
		return "", err
	}
	env, ok := fc.Environments[v]
	if !ok || env.Database == "" {
		return "", fmt.Errorf("%q is neither a database URL nor an environment with a database in %s", v, path)
	}
	return fc.expand(app, "environments."+v+".database", env.Database)
}
