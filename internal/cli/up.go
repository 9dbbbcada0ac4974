package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/migrate"
)

// The commands that run migrations one way or the other: up, down, redo.

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
			var err error
			if req.Steps, err = countArg("up", args); err != nil {
				return err
			}
			if to != "" {
				if req.To, err = toVersion(to); err != nil {
					return err
				}
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

// run runs req and reports it as command name's.
func (app *App) run(ctx context.Context, name string, f *runFlags, req migrate.Request) error {
	return app.runWith(ctx, name, f, func(s *session) (*migrate.Result, error) {
		res, err := s.provider.Run(ctx, req)
		return res, app.unsafe(err)
	})
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
				n, err := countArg("down", args)
				if err != nil {
					return err
				}
				req.Steps = n
			}
			if to != "" {
				if len(args) == 1 {
					return Exit(ExitUsage, errors.New("down takes N or --to V, not both"))
				}
				v, err := toVersion(to)
				if err != nil {
					return err
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
			return app.runWith(cmd.Context(), "redo", &f, func(s *session) (*migrate.Result, error) {
				return s.provider.Redo(cmd.Context())
			})
		},
	}
	f.register(cmd, flagTable|flagLockTimeout|flagDrift|flagAutoRollback|flagSkipMissingDown|flagOnlineLock|flagBatchTime)
	return cmd
}

// countArg reads the N of `up N`, `down N` and `plan N`: 0 when it is not
// given.
func countArg(cmdName string, args []string) (int, error) {
	if len(args) == 0 {
		return 0, nil
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n <= 0 {
		return 0, Exit(ExitUsage, fmt.Errorf("%s N: %q is not a positive number", cmdName, args[0]))
	}
	return n, nil
}

// toVersion reads the V of --to V.
func toVersion(to string) (migrate.Version, error) {
	v, err := migrate.ParseVersion(to)
	if err != nil {
		return "", Exit(ExitUsage, fmt.Errorf("--to: %w", err))
	}
	return v, nil
}
