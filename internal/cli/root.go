// Package cli builds the strata command line: it parses flags and configuration,
// calls the library packages and prints their results. Behaviour lives in the
// library; this package only translates.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
)

// App holds what every command shares: the global flags, the resolved
// configuration and the output streams. Commands receive it when they are built
// and read it when they run, after flags are parsed.
type App struct {
	// Global flags (the contract: --database --dir --env --config --json).
	DatabaseURL string
	Dir         string
	EnvName     string
	ConfigFile  string
	JSON        bool
	Verbose     bool

	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string

	Logger *slog.Logger
	cfg    *resolved
	// extraOptions are added to every provider a command opens; features
	// that observe runs (metrics, alerts, checks) append to it while the
	// command starts, in their PersistentPreRunE hooks.
	extraOptions []migrate.Option
	// cleanups run after the command, in reverse order.
	cleanups []func()
	// doc is stdout when Main runs the command (see document).
	doc *document
	// running is the name of the command that runs, for the interrupt
	// message.
	running atomic.Pointer[string]
	// planLint is the linter's report on the plan up ran, for its --json
	// document.
	planLint *lint.Report
	// checkReports are the reports of the pre- and post-checks the command
	// ran, for its --json document.
	checkReports []*check.Report
}

// Main runs the strata command line with args (without the program name) and
// returns the process exit code. Cancelling ctx (the first SIGINT or SIGTERM)
// stops the command at a safe point; Main says on stderr what that means for
// the command that runs.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	doc := &document{w: stdout}
	app := &App{Stdout: doc, Stderr: stderr, Stdin: stdin, Getenv: os.Getenv, doc: doc}
	root := NewRoot(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	stopWatch := app.watchInterrupt(ctx)
	err := root.ExecuteContext(ctx)
	stopWatch()
	for i := len(app.cleanups) - 1; i >= 0; i-- {
		app.cleanups[i]()
	}
	code := ExitOK
	if err != nil {
		app.urlSource(err, "")
		code = exitCode(err)
		if strings.HasPrefix(err.Error(), "unknown command") {
			code = ExitUsage
		}
	}
	var ee *ExitError
	shown := errors.As(err, &ee) && (ee.Err == nil || ee.reported)
	if app.JSON || doc.buf != nil || (err != nil && jsonRequested(args)) {
		// Scripts that read --json get one document, also when the
		// command failed before it had anything to report.
		if app.finishDocument(err, code) {
			return code
		}
	}
	if err != nil && !shown {
		app.printError(err)
	}
	return code
}

// watchInterrupt says on stderr, when ctx is cancelled (the first SIGINT
// or SIGTERM), what the running command does about it. The returned
// function stops watching.
func (app *App) watchInterrupt(ctx context.Context) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-ctx.Done():
			fmt.Fprintf(app.Stderr, "strata: %s\n", interruptMessage(app.running.Load()))
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// interruptMessage says what happens after the first signal while command
// runs.
func interruptMessage(command *string) string {
	name := ""
	if command != nil {
		name = *command
	}
	const again = "press Ctrl-C again to exit at once"
	switch name {
	case "up", "down", "redo", "baseline", "repair", "complete", "abort":
		return "interrupted; rolling back the current migration and releasing the lock (" + again + ")"
	case "transfer":
		return "interrupted; stopping the transfer: finished chunks are kept and `strata transfer --resume` continues (" + again + ")"
	case "serve":
		return "shutting down the status server (" + again + ")"
	}
	return "interrupted; stopping (" + again + ")"
}

// NewRoot builds the root command and every subcommand around app.
func NewRoot(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "strata",
		Short:         "Database migrations that keep production running",
		Long:          "strata applies versioned migrations (SQL files, declarative operations, Go code) to PostgreSQL, MySQL/MariaDB and SQLite,\nwith a history table, checksums, a lock, plans, dry runs and automatic rollback.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return app.setup(cmd)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Exit(ExitUsage, err) })
	f := root.PersistentFlags()
	f.StringVar(&app.DatabaseURL, "database", "", "database URL: postgres://…, mysql://…, sqlite:path (env STRATA_DATABASE_URL)")
	f.StringVar(&app.Dir, "dir", "", "migration directory (env STRATA_DIR, default ./migrations)")
	f.StringVar(&app.EnvName, "env", "", "environment from strata.yaml (env STRATA_ENV)")
	f.StringVar(&app.ConfigFile, "config", "", "configuration file (env STRATA_CONFIG, default ./strata.yaml when present)")
	f.BoolVar(&app.JSON, "json", false, "print one JSON document (NDJSON for streams) instead of text")
	f.BoolVarP(&app.Verbose, "verbose", "v", false, "log each statement to stderr")
	for _, c := range app.commands() {
		if longCommands[c.Name()] {
			// Only the commands that observe a run take these.
			app.observeFlags(c.Flags())
		}
		root.AddCommand(c)
	}
	root.AddCommand(app.adoptCmd(), app.importCmd())
	usageArgs(root)
	return root
}

// usageArgs makes cobra's argument errors (wrong count, unknown command)
// exit 2, as the contract wants for usage errors.
func usageArgs(cmd *cobra.Command) {
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return Exit(ExitUsage, err)
			}
			return nil
		}
	}
	for _, c := range cmd.Commands() {
		usageArgs(c)
	}
}

// needArg requires exactly one argument and, when it is missing, says what
// it is and shows the usage line, instead of cobra's "accepts 1 arg(s),
// received 0".
func needArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return fmt.Errorf("%s needs %s\nusage: %s", cmd.Name(), what, cmd.UseLine())
		case len(args) > 1:
			return fmt.Errorf("%s takes one argument, %s; got %d (%s)\nusage: %s", cmd.Name(), what, len(args), strings.Join(args, " "), cmd.UseLine())
		}
		return nil
	}
}

func (app *App) printError(err error) {
	fmt.Fprintf(app.Stderr, "strata: %s%s\n", app.redact(err.Error()), flagHint(err))
}
