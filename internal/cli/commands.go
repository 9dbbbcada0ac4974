package cli

import "github.com/spf13/cobra"

// commands are strata's subcommands, in the order help lists them. Each
// lives in a file of its own (up.go, status.go, plan.go, …); what they
// share is in session.go (opening the database and the migrations),
// runflags.go (the flags of commands that read the history) and
// report.go (rendering a run).
func (app *App) commands() []*cobra.Command {
	return []*cobra.Command{
		app.demoCmd(),
		app.newCmd(),
		app.upCmd(),
		app.downCmd(),
		app.redoCmd(),
		app.statusCmd(),
		app.planCmd(),
		app.validateCmd(),
		app.baselineCmd(),
		app.repairCmd(),
		app.hashCmd(),
		app.completeCmd(),
		app.abortCmd(),
		app.lintCmd(),
		app.checkCmd(),
		app.verifyCmd(),
		app.restoreCmd(),
		app.pruneCmd(),
		app.transferCmd(),
		app.versionCmd(),
		app.serveCmd(), app.dashboardCmd(),
	}
}
