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
	// ErrNotExpanded: Complete or Abort named a migration that is not
	// expanded (it is pending, applied, or a kind with no second phase).
	ErrNotExpanded = errors.New("not expanded")
)

// ParseError is malformed input at a place in a file: a bad file name, a
// duplicate version, an unknown directive, SQL that cannot be split, a YAML
// document a step runner rejects. It is the one position-carrying error of
// strata's inputs, so that every package reports "file:line:col: what is
// wrong" the same way and a caller tests for one type.
type ParseError struct {
	File string
	Line int // 0 when the error is about the file as a whole
	Col  int // 0 when unknown
	Msg  string
	// Err is the underlying error (a *sqlsplit.SyntaxError, a YAML error),
	// when there is one.
	Err error
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

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

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
	Version Version
	// File is the file that was edited: the .down.sql of a pair when only
	// it changed, else the migration's first file.
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
	return fmt.Sprintf("pending migration %s is older than the newest applied one (%s), probably merged from another branch; check it does not depend on later ones, then allow out-of-order migrations for this run",
		strings.Join(vs, ", "), e.Newest)
}

func (e *OutOfOrderError) Is(target error) bool { return target == ErrOutOfOrder }

// DirtyError names a migration left in state failed or running.
type DirtyError struct {
	Version Version
	Name    string
	State   State
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

// NoDownError is a down that cannot run because the migration has no down
// part: none was written, or the one written holds no statement (an empty
// section, or one of comments only, undoes nothing).
type NoDownError struct {
	Version Version
	// File is where the down part would be: the migration's file, or the
	// .down.sql of a pair.
	File string
	// Empty is set when a down part exists but holds no statement.
	Empty bool
	// Pair is set for a golang-migrate style pair, whose down part is a
	// file of its own.
	Pair bool
}

func (e *NoDownError) Error() string {
	what, add := "it has no down section", "a -- strata:down section"
	switch {
	case e.Empty:
		what = "its down section is empty (it holds no statement, so it would undo nothing)"
		if e.Pair {
			what = fmt.Sprintf("its down file %s is empty (it holds no statement, so it would undo nothing)", e.File)
		}
	case e.Pair:
		add = "a " + e.File + " file"
	}
	file := e.File
	if e.Pair {
		file = strings.TrimSuffix(e.File, ".down.sql") + ".up.sql"
	}
	// It is applied, so editing its files is drift: the edit must be
	// accepted with repair before up runs again.
	return fmt.Sprintf("%v: cannot undo %s: %s; undo it by hand and run `strata repair %s --pending`, or write %s and accept that edit with `strata repair %s`",
		ErrNoDown, file, what, e.Version, add, e.Version)
}

func (e *NoDownError) Is(target error) bool { return target == ErrNoDown }

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
	// HistoryErr is the error of a history write that should have recorded
	// the outcome (the connection is often gone exactly then). When it is
	// set, the history row does not say what Outcome says: it may still
	// read running.
	HistoryErr error
}

func (e *MigrationError) Error() string {
	s := fmt.Sprintf("%s %s_%s: %v", e.Direction, e.Version, e.Name, e.Err)
	if e.Outcome != "" {
		s += "\n  " + e.Outcome
	}
	if e.HistoryErr != nil {
		s += "\n  recording this in the history table failed too: " + e.HistoryErr.Error()
	}
	return s
}

func (e *MigrationError) Unwrap() error { return e.Err }
