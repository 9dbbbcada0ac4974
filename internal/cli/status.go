package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
)

func (app *App) statusCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every migration and its state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withSession(cmd.Context(), &f, func(s *session) error {
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
				app.statusTable(sts)
				fmt.Fprintf(app.Stdout, "\ndatabase %s is at version %s; %d pending\n", s.target.URL, v, pendingCount(sts))
				for _, st := range sts {
					app.statusNext(st)
				}
				return nil
			})
		},
	}
	f.register(cmd, flagTable)
	return cmd
}

// statusTable prints one line per migration.
func (app *App) statusTable(sts []migrate.MigrationStatus) {
	tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT\tDURATION")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Version, st.Name, state, at, dur)
	}
	tw.Flush()
}

func pendingCount(sts []migrate.MigrationStatus) int {
	n := 0
	for _, st := range sts {
		if st.State == migrate.StatePending {
			n++
		}
	}
	return n
}

// statusNext says what a human does next about a migration left expanded,
// failed or running.
func (app *App) statusNext(st migrate.MigrationStatus) {
	if st.State == migrate.StateExpanded {
		fmt.Fprintf(app.Stdout, "%s is expanded: the new shape is live beside the old one (views in schema %s); %s\n  move the application over, then `strata complete %s` (or `strata abort %s` to undo)\n",
			st.Version, online.VersionSchema(string(st.Version)), backfillSummary(string(st.Progress)), st.Version, st.Version)
	}
	if st.State == migrate.StateFailed || st.State == migrate.StateRunning {
		fmt.Fprintf(app.Stdout, "%s is %s: %s\n  fix the database, then `strata repair %s` (or `--pending` if you undid it)\n", st.Version, st.State, st.Error, st.Version)
	}
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
