package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// ExitInterrupted is the exit code after SIGINT or SIGTERM, as shells expect.
const ExitInterrupted = 130

// classify maps a library error to the contract's exit codes.
func classify(err error) int {
	var pe *migrate.ParseError
	switch {
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &pe), errors.Is(err, connect.ErrUnknownScheme), errors.Is(err, migrate.ErrUnknownVersion):
		return ExitUsage
	case errors.Is(err, migrate.ErrDrift), errors.Is(err, migrate.ErrOutOfOrder), errors.Is(err, dialect.ErrLockTimeout),
		errors.Is(err, migrate.ErrSumMismatch), errors.Is(err, migrate.ErrDirty), errors.Is(err, migrate.ErrNoDown):
		return ExitRefused
	case errors.Is(err, migrate.ErrNoChange):
		return ExitOK
	}
	return ExitFailed
}

func codeFor(err error) int {
	if err == nil {
		return ExitOK
	}
	return exitCode(err)
}

// confirm asks a yes/no question on a terminal. Without a terminal it
// answers yes: scripts and CI run down without a prompt, as with goose.
func (app *App) confirm(question string) bool {
	f, ok := app.Stdin.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return true
	}
	fmt.Fprintf(app.Stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(app.Stdin).ReadString('\n')
	line = strings.ToLower(strings.TrimSpace(line))
	return line == "y" || line == "yes"
}
