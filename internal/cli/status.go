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
					entries := make([]statusEntry, len(sts))
					for i, st := range sts {
						entries[i] = statusEntry{MigrationStatus: st, Next: nextStep(st)}
					}
					return writeJSON(app.Stdout, map[string]any{"database": s.target.URL, "version": string(v), "migrations": entries})
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

// statusEntry is one migration of `status --json`: its status and, for
// one left expanded, failed or running, what a human does next.
type statusEntry struct {
	migrate.MigrationStatus
	Next string `json:"next,omitempty"`
}

// statusNext says what a human does next about a migration left expanded,
// failed or running.
func (app *App) statusNext(st migrate.MigrationStatus) {
	switch st.State {
	case migrate.StateExpanded:
		fmt.Fprintf(app.Stdout, "%s is expanded: the new shape is live beside the old one (views in schema %s); %s\n  move the application over, then `strata complete %s` (or `strata abort %s` to undo)\n",
			st.Version, online.VersionSchema(string(st.Version)), backfillSummary(string(st.Progress)), st.Version, st.Version)
	case migrate.StateFailed, migrate.StateRunning:
		fmt.Fprintf(app.Stdout, "%s is %s: %s\n  %s\n", st.Version, st.State, st.Error, nextStep(st))
	}
}

// nextStep is what a human does next about a migration left expanded,
// failed or running; "" for any other. An online migration's is the one
// its own state gives, which its error and its history row give too (a
// failed start is resumed by up or undone by abort, not repaired); any
// other is repaired by hand.
func nextStep(st migrate.MigrationStatus) string {
	switch st.State {
	case migrate.StateExpanded, migrate.StateFailed, migrate.StateRunning:
	default:
		return ""
	}
	if st.Kind == migrate.KindOnline {
		if os, err := online.ParseState(st.Progress); err == nil && os != nil && os.Next() != "" {
			return os.Next()
		}
	}
	if st.State == migrate.StateExpanded {
		return fmt.Sprintf("move the application over, then `strata complete %s` (or `strata abort %s` to undo)", st.Version, st.Version)
	}
	return fmt.Sprintf("fix the database, then `strata repair %s` (or `strata repair %s --pending` if you undid it)", st.Version, st.Version)
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
		parts = append(parts, fmt.Sprintf("%s %d of ~%s (%s)", b.Table, b.Rows, plural(b.Total, "row", "rows"), state))
	}
	return "backfill: " + strings.Join(parts, "; ")
}
