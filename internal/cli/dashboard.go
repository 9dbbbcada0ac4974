package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/observe"
)

func (app *App) dashboardCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Write monitoring dashboards for strata's metrics",
		Args:  cobra.NoArgs,
		// Bare, it is a usage error (with --json, a JSON one), not help
		// text on stdout.
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Exit(ExitUsage, fmt.Errorf("dashboard needs the kind of dashboard: grafana\nusage: %s grafana", cmd.CommandPath()))
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "grafana",
		Short: "Write a Grafana dashboard (JSON) for strata's metrics: strata dashboard grafana > strata.json",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := observe.GrafanaDashboard()
			if err != nil {
				return err
			}
			_, err = app.Stdout.Write(append(b, '\n'))
			return err
		},
	})
	return cmd
}
