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

	"github.com/spf13/cobra"

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
}

// Main runs the strata command line with args (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &countingWriter{w: stdout}
	app := &App{Stdout: out, Stderr: stderr, Stdin: stdin, Getenv: os.Getenv}
	root := NewRoot(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	for i := len(app.cleanups) - 1; i >= 0; i-- {
		app.cleanups[i]()
	}
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if strings.HasPrefix(err.Error(), "unknown command") {
		code = ExitUsage
	}
	var ee *ExitError
	if !(errors.As(err, &ee) && ee.Err == nil) {
		app.printError(err)
		if app.JSON && out.n == 0 {
			// Scripts that read --json get a document even when the
			// command failed before it had anything to report.
			_ = writeJSON(stdout, map[string]any{"ok": false, "error": app.redact(err.Error()), "exit_code": code})
		}
	}
	return code
}

// countingWriter tells whether a command wrote anything to stdout.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
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
	app.observeFlags(f)

	for _, c := range app.commands() {
		root.AddCommand(c)
	}
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

func (app *App) printError(err error) {
	fmt.Fprintf(app.Stderr, "strata: %s%s\n", app.redact(err.Error()), flagHint(err))
}
