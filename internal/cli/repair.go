package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/migrate"
)

// The commands that change history without running migrations: baseline
// and repair.

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
			return app.runWith(cmd.Context(), "baseline", &f, func(s *session) (*migrate.Result, error) {
				return s.provider.Baseline(cmd.Context(), v)
			})
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
			return app.withSession(cmd.Context(), &f, func(s *session) error {
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
			})
		},
	}
	f.register(cmd, flagTable|flagLockTimeout)
	cmd.Flags().BoolVar(&pending, "pending", false, "remove the history row instead, so the migration runs again")
	return cmd
}
