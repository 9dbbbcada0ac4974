package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/adopt"
	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

// adoptJSON is the --json document of `strata adopt`.
type adoptJSON struct {
	Command  string          `json:"command"`
	Tool     adopt.Tool      `json:"tool"`
	Table    string          `json:"table"`
	DryRun   bool            `json:"dry_run"`
	Adopted  []adopt.Entry   `json:"adopted"`
	Foreign  []string        `json:"foreign"`
	Pending  []adopt.Entry   `json:"pending"`
	Problems []adopt.Problem `json:"problems"`
	Note     string          `json:"note,omitempty"`
	Version  string          `json:"version"`
	OK       bool            `json:"ok"`
}

func (app *App) adoptCmd() *cobra.Command {
	var f runFlags
	var from string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "adopt",
		Short: "Take over a database another tool migrated: turn its history into strata's, leaving its table as it is",
		Long: "adopt reads the history another migration tool kept in the database (golang-migrate, goose, flyway, dbmate, atlas,\n" +
			"prisma, django, rails, laravel, liquibase, sqitch; detected unless --from names it), checks it against the migration\n" +
			"directory and records the migrations it applied in strata's history, with their applied times. The other tool's\n" +
			"table is not touched, so a team can go back. Any disagreement (a failed or dirty migration, an applied version\n" +
			"without a file, an older file never applied, a file edited since it was applied) stops it with the fix for each.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var tool adopt.Tool
			if from != "" {
				t, err := adopt.ParseTool(from)
				if err != nil {
					return Exit(ExitUsage, fmt.Errorf("--from: %w", err))
				}
				tool = t
			}
			return app.adopt(cmd.Context(), &f, tool, dryRun)
		},
	}
	f.register(cmd, flagTable|flagLockTimeout)
	cmd.Flags().StringVar(&from, "from", "", "the tool whose history to adopt: golang-migrate, goose, flyway, dbmate, atlas, prisma, django, rails, laravel, liquibase or sqitch (default: detected)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be recorded, and every problem, without writing anything")
	return cmd
}

func (app *App) adopt(ctx context.Context, f *runFlags, tool adopt.Tool, dryRun bool) error {
	s, err := app.open(ctx, f)
	if err != nil {
		return err
	}
	defer s.Close()
	d := s.target.Dialect
	if tool == "" {
		if tool, err = adopt.Detect(ctx, s.target.DB, d); err != nil {
			var ae *adopt.AmbiguousError
			if errors.Is(err, adopt.ErrNoHistory) || errors.As(err, &ae) {
				return Exit(ExitUsage, err)
			}
			return err
		}
	}
	h, err := adopt.Read(ctx, s.target.DB, d, tool)
	if err != nil {
		if errors.Is(err, adopt.ErrNoHistory) {
			return Exit(ExitUsage, err)
		}
		return err
	}
	// The plan needs the files as the directory names them (the
	// provider's carry the --dir prefix for messages).
	fsys, err := app.migrationFS()
	if err != nil {
		return err
	}
	engine, _ := connect.Engine(app.config().DatabaseURL)
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: engine})
	if err != nil {
		return app.prefixParse(err)
	}
	sts, err := s.provider.Status(ctx)
	if err != nil {
		return err
	}
	recorded := map[migrate.Version]bool{}
	for _, st := range sts {
		if st.State != migrate.StatePending {
			recorded[st.Version] = true
		}
	}
	pl := adopt.NewPlan(h, ms, adopt.PlanOptions{FS: fsys, Dir: app.config().Dir, Recorded: recorded})
	out := adoptJSON{Command: "adopt", Tool: pl.Tool, Table: pl.Table, DryRun: dryRun, Adopted: pl.Adopt, Foreign: pl.Foreign, Pending: pl.Pending, Problems: pl.Problems, Note: pl.Note}
	perr := pl.Err()
	if perr == nil && !dryRun {
		res, err := s.provider.Adopt(ctx, pl.Adopted())
		if err != nil {
			return err
		}
		written := map[migrate.Version]bool{}
		for _, d := range res.Done {
			written[d.Version] = true
		}
		// Rows strata's history already had are not written again.
		kept := out.Adopted[:0:0]
		for _, e := range out.Adopted {
			if written[e.Version] {
				kept = append(kept, e)
			}
		}
		out.Adopted = kept
	}
	if v, err := s.provider.Version(ctx); err == nil {
		out.Version = string(v)
	}
	out.OK = perr == nil
	if app.JSON {
		_ = writeJSON(app.Stdout, out)
		if perr != nil {
			return reported(ExitRefused, perr)
		}
		return nil
	}
	app.printAdopt(out, len(pl.Adopt), perr)
	if perr != nil {
		return reported(ExitRefused, perr)
	}
	return nil
}

func (app *App) printAdopt(out adoptJSON, planned int, perr error) {
	w := app.Stdout
	fmt.Fprintf(w, "%s history in %s: %s\n", out.Tool, out.Table, plural(planned, "migration applied", "migrations applied"))
	if out.Note != "" {
		fmt.Fprintf(w, "%s\n", out.Note)
	}
	for _, fgn := range out.Foreign {
		fmt.Fprintf(w, "left alone: %s\n", fgn)
	}
	if perr != nil {
		fmt.Fprintf(app.Stderr, "strata: adopt %s: %s between its history and the migration directory; nothing was written:\n", out.Tool, plural(len(out.Problems), "problem", "problems"))
		for _, p := range out.Problems {
			fmt.Fprintf(app.Stderr, "  %s: %s\n    fix: %s\n", p.Kind, p.Message, p.Fix)
		}
		return
	}
	verb := "recorded as applied"
	if out.DryRun {
		verb = "would be recorded as applied"
	}
	for _, e := range out.Adopted {
		at := ""
		if !e.AppliedAt.IsZero() {
			at = " at " + e.AppliedAt.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(w, "  %s %s (%s)%s, from %s\n", e.Version, e.Name, e.File, at, e.From)
	}
	switch {
	case out.DryRun:
		fmt.Fprintf(w, "%s %s (dry run: nothing written; %s's table is never changed)\n", plural(len(out.Adopted), "migration", "migrations"), verb, out.Tool)
	case len(out.Adopted) == 0:
		fmt.Fprintf(w, "nothing to do: strata's history already has every migration %s applied; database is at version %s\n", out.Tool, out.Version)
	default:
		fmt.Fprintf(w, "%s %s; database is at version %s (%s's table is left as it was)\n", plural(len(out.Adopted), "migration", "migrations"), verb, out.Version, out.Tool)
	}
	if len(out.Pending) > 0 {
		names := make([]string, len(out.Pending))
		for i, e := range out.Pending {
			names[i] = string(e.Version)
		}
		fmt.Fprintf(w, "pending (never applied by %s; `strata up` runs them): %s\n", out.Tool, strings.Join(names, ", "))
	}
}
