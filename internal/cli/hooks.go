package cli

import "github.com/spf13/cobra"

// hooks are the setup steps of features that attach to every run (metrics,
// alerts, integrity checks). Each runs after the configuration is resolved,
// before the command, and may append to app.extraOptions and app.cleanups.
// Add one line per feature.
func (app *App) hooks() []func(cmd *cobra.Command) error {
	return []func(cmd *cobra.Command) error{
		app.observeHook,
		app.checkHook,
	}
}
