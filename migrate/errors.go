package migrate

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors a caller can branch on with errors.Is.
var (
	// ErrDrift: an applied migration's file changed since it ran.
	ErrDrift = errors.New("applied migration changed")
	// ErrOutOfOrder: a pending migration is older than the newest applied one.
	ErrOutOfOrder = errors.New("out-of-order migration")
	// ErrNoDown: a migration that must be undone has no down section.
	ErrNoDown = errors.New("migration has no down section")
	// ErrDirty: a migration is recorded as failed or still running; a human
	// must look before anything else runs.
	ErrDirty = errors.New("migration left unfinished")
	// ErrSumMismatch: strata.sum does not match the directory.
	ErrSumMismatch = errors.New("strata.sum does not match the migration directory")
	// ErrNoChange: there was nothing to do. Returned only by calls that ask
	// for a specific change, never by Up.
	ErrNoChange = errors.New("no change")
	// ErrUnknownVersion: a version asked for matches no migration.
	ErrUnknownVersion = errors.New("unknown version")
)

// ParseError is malformed input: a bad file name, a duplicate version, an
// unknown directive, SQL that cannot be split.
type ParseError struct {
	File string
	Line int // 0 when the error is about the file as a whole
	Col  int
	Msg  string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ParseErrors collects every malformed file of a directory, so one run shows
// them all.
type ParseErrors []*ParseError

func (es ParseErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find each *ParseError.
func (es ParseErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// DriftError names an applied migration whose file changed.
type DriftError struct {
	Version  Version
	File     string
	Stored   string // checksum recorded when it was applied
	Current  string // checksum of the file now
	CanDiff  bool   // the history row holds the old text
	Migrated string // when it was applied
}

func (e *DriftError) Error() string {
	s := fmt.Sprintf("%s was edited after it was applied (version %s): checksum was %s, is now %s.", e.File, e.Version, e.Stored, e.Current)
	s += " Undo the edit (migrations that ran must not change), or accept it with `strata repair " + string(e.Version) + "`"
	if e.CanDiff {
		s += ", which shows the diff"
	}
	return s
}

func (e *DriftError) Is(target error) bool { return target == ErrDrift }

// OutOfOrderError names pending migrations older than the newest applied one.
type OutOfOrderError struct {
	Pending []Version
	Newest  Version
}

func (e *OutOfOrderError) Error() string {
	vs := make([]string, len(e.Pending))
	for i, v := range e.Pending {
		vs[i] = string(v)
	}
	return fmt.Sprintf("pending migration %s is older than the newest applied one (%s), probably merged from another branch; check it does not depend on later ones, then run with --allow-out-of-order",
		strings.Join(vs, ", "), e.Newest)
}

func (e *OutOfOrderError) Is(target error) bool { return target == ErrOutOfOrder }

// DirtyError names a migration left in state failed or running.
type DirtyError struct {
	Version Version
	Name    string
	State   string
	Error_  string // the recorded error
	Detail  string // what ran, from the progress column
}

func (e *DirtyError) Error() string {
	s := fmt.Sprintf("migration %s_%s is %s", e.Version, e.Name, e.State)
	if e.State == StateRunning {
		s += " (a runner stopped in the middle of it: killed, or lost its connection)"
	}
	if e.Detail != "" {
		s += "; " + e.Detail
	}
	if e.Error_ != "" {
		s += "; last error: " + e.Error_
	}
	return s + fmt.Sprintf(". Check the database by hand, then run `strata repair %s` if the change is complete, or `strata repair %s --pending` if you undid it", e.Version, e.Version)
}

func (e *DirtyError) Is(target error) bool { return target == ErrDirty }

// StatementError is a statement that failed, with its place in the file.
type StatementError struct {
	Version   Version
	File      string
	Line      int
	Index     int // 1-based statement number in its script
	Statement string
	Err       error
}

func (e *StatementError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	msg := fmt.Sprintf("%s: statement %d: %v", loc, e.Index, e.Err)
	// Directories written for another tool sometimes alter that tool's
	// history table, which strata does not have.
	text := strings.ToLower(e.Err.Error() + " " + e.Statement)
	for _, peer := range []string{"goose_db_version", "flyway_schema_history", "schema_migrations"} {
		if strings.Contains(text, peer) && !strings.Contains(text, "strata_"+peer) {
			msg += fmt.Sprintf(" (the statement uses %s, the history table of the tool this directory was written for; strata keeps its history in strata_schema_migrations)", peer)
			break
		}
	}
	return msg
}

func (e *StatementError) Unwrap() error { return e.Err }

// MigrationError is the failure of one migration, saying exactly what state it
// left behind.
type MigrationError struct {
	Version   Version
	Name      string
	Direction Direction
	Err       error
	// Outcome says what was applied, what was undone and what was not, in a
	// sentence.
	Outcome string
	// Dirty is true when the history row was left failed: a human must look.
	Dirty bool
}

func (e *MigrationError) Error() string {
	s := fmt.Sprintf("%s %s_%s: %v", e.Direction, e.Version, e.Name, e.Err)
	if e.Outcome != "" {
		s += "\n  " + e.Outcome
	}
	return s
}

func (e *MigrationError) Unwrap() error { return e.Err }
