package online

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoKey is wrapped by the error returned when a table that must be
// backfilled has neither a primary key nor a unique index over NOT NULL
// columns to walk.
var ErrNoKey = errors.New("table has no primary key or unique NOT NULL key")

// ErrPhase is wrapped when a phase is asked for out of order, for example
// Complete on a migration that was never expanded.
var ErrPhase = errors.New("online migration is not in a phase that allows this")

// ErrStateVersion is wrapped when a saved [State] was written by an
// incompatible version of strata and cannot be resumed.
var ErrStateVersion = errors.New("unsupported online state version")

// ErrPrecondition is wrapped by [PreconditionErrors]: the database does not
// meet what an operation needs, and nothing was changed.
var ErrPrecondition = errors.New("online migration preconditions not met")

// PreconditionError is one precondition of one operation that the live
// catalog does not meet: a table or column that does not exist, a name
// already taken, a table without the key a backfill walks.
type PreconditionError struct {
	File  string
	Line  int    // line of the field (or of the operation) in File
	Index int    // operation number, from 1
	Op    string // operation kind
	Field string // dotted field path; empty for the operation as a whole
	Msg   string
	Err   error // a sentinel such as [ErrNoKey], when one applies
}

func (e *PreconditionError) Unwrap() error { return e.Err }

func (e *PreconditionError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	s := fmt.Sprintf("%s: operation %d (%s)", loc, e.Index, e.Op)
	if e.Field != "" {
		s += ", field " + e.Field
	}
	return s + ": " + e.Msg
}

// PreconditionErrors lists every unmet precondition of a migration, in
// order, as [Runner.Check] found them. It wraps [ErrPrecondition].
type PreconditionErrors []*PreconditionError

func (e PreconditionErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = "  " + p.Error()
	}
	return fmt.Sprintf("%d preconditions are not met:\n%s", len(e), strings.Join(lines, "\n"))
}

// Is reports whether target is [ErrPrecondition].
func (e PreconditionErrors) Is(target error) bool { return target == ErrPrecondition }

// Unwrap returns each problem, so errors.As finds a [*PreconditionError] and
// errors.Is the sentinels they carry.
func (e PreconditionErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, p := range e {
		out[i] = p
	}
	return out
}

// ParseError is a problem in a migration file, located by file and line.
type ParseError struct {
	File string
	Line int
	Op   string // operation kind, empty when the error is not inside one
	Msg  string
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Op != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Op, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// LockTimeoutError reports a DDL statement that could not take its lock
// within the runner's total lock wait, retrying each time lock_timeout
// expired. The blocker fields describe the oldest session holding a lock on
// the table at the last attempt, when one was found.
type LockTimeoutError struct {
	Statement string
	Table     string
	Attempts  int
	Waited    time.Duration

	BlockerPID   int
	BlockerQuery string
	BlockerState string
	BlockerAge   time.Duration // how long the blocker's transaction has been open

	Err error // the last lock_timeout error
}

func (e *LockTimeoutError) Error() string {
	s := fmt.Sprintf("lock on %s not acquired after %d attempts over %s", e.Table, e.Attempts, e.Waited.Round(time.Millisecond))
	if e.BlockerPID != 0 {
		s += fmt.Sprintf(": blocked by pid %d (%s, transaction open %s): %q; end that transaction (SELECT pg_terminate_backend(%d)) or run again later",
			e.BlockerPID, e.BlockerState, e.BlockerAge.Round(time.Second), e.BlockerQuery, e.BlockerPID)
	}
	return s + "; statement: " + e.Statement
}

func (e *LockTimeoutError) Unwrap() error { return e.Err }
