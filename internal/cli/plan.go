package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
)

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
				n, err := countArg("plan", args)
				if err != nil {
					return err
				}
				req.Steps = n
			}
			if to != "" {
				v, err := toVersion(to)
				if err != nil {
					return err
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

// planJSON is the --json document of plan (and up --dry-run).
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
	return app.withSession(ctx, f, func(s *session) error {
		pl, err := s.provider.Plan(ctx, req)
		if err != nil {
			return err
		}
		out := planDocument(pl)
		if app.JSON {
			return writeJSON(app.Stdout, out)
		}
		app.planText(out)
		if sr, err := s.provider.Inspect(ctx, pl); err == nil && len(sr.Findings) > 0 {
			rep := lint.SafetyReport(sr)
			fmt.Fprintf(app.Stdout, "-- lint: %s (up refuses them without --allow-unsafe), %s\n", plural(rep.Errors(), "error", "errors"), plural(rep.Warnings(), "warning", "warnings"))
			_ = lint.WriteText(app.Stdout, rep, lint.TextOptions{})
		}
		return nil
	})
}

// planDocument is pl as plain data: each step's file, how it runs and its
// statements (or, for a declarative step, what it will do).
func planDocument(pl *migrate.Plan) planJSON {
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
	return out
}

// planText prints a plan as SQL a reader can follow (and paste).
func (app *App) planText(out planJSON) {
	if len(out.Steps) == 0 {
		fmt.Fprintln(app.Stdout, "-- nothing to run")
	}
	if out.SingleTransaction {
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
}
