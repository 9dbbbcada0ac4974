package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Version is strata's version, set at build time with
// -ldflags "-X github.com/strata-db/strata/internal/cli.Version=v1.2.3".
var Version = "v0.1.0-dev"

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
