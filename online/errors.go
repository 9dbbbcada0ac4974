package online

import (
	"errors"
	"fmt"
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
