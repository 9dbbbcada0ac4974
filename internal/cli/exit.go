package cli

import (
	"errors"
	"fmt"

	"github.com/strata-db/strata/connect"
)

// Exit codes, as the command-line contract pins them.
const (
	ExitOK      = 0 // done, including nothing to do
	ExitFailed  = 1 // a statement or a check failed
	ExitUsage   = 2 // usage or malformed input
	ExitRefused = 3 // refused for safety: drift, lint error, out-of-order, lock not acquired
)

// ExitError carries the exit code a command wants, around the error that explains it.
type ExitError struct {
	Code int
	Err  error
	// reported: the command already printed Err (in its report or its
	// JSON document), so the CLI must not print it again.
	reported bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Exit wraps err so that the CLI exits with code. A nil err with a non-zero code
// exits silently with that code (the command already printed its report).
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// reported is [Exit] for an error the command has already shown: the CLI
// exits with code and does not print err again, but still classifies it
// for the "error_kind" of the --json document.
func reported(code int, err error) error { return &ExitError{Code: code, Err: err, reported: true} }

func exitCode(err error) int {
	// A malformed database URL is a usage mistake wherever it was found,
	// also under a command's own exit code for failures (verify, transfer):
	// no retry fixes it, unlike a server that does not answer (exit 1).
	var ue *connect.URLError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return classify(err)
}
