package migrate

import (
	"context"
	"database/sql"
	"time"
)

// Kind says what a migration is made of.
type Kind string

// Kinds of migration, as stored in the history table's kind column.
const (
	KindSQL    Kind = "sql"
	KindGo     Kind = "go"
	KindOnline Kind = "online"
	KindNoSQL  Kind = "nosql"
	// KindTransfer is a YAML migration whose document has a top-level
	// transfer: key (package transfer runs it).
	KindTransfer Kind = "transfer"
)

// State is where a migration stands: the state column of its history row,
// or pending and missing in a status.
type State string

// States.
const (
	StateApplied State = "applied"
	StateFailed  State = "failed"
	StateRunning State = "running"
	// StateExpanded is an online change waiting for `strata complete`.
	StateExpanded State = "expanded"
	// StatePending is a migration with no history row.
	StatePending State = "pending"
	// StateMissing is a history row whose file is gone.
	StateMissing State = "missing"
)

// Format names the tool a migration file was written for. strata reads all of
// them as they are.
type Format string

// Formats strata reads.
const (
	FormatStrata        Format = "strata"
	FormatGolangMigrate Format = "golang-migrate"
	FormatGoose         Format = "goose"
	FormatFlyway        Format = "flyway"
	FormatDbmate        Format = "dbmate"
	FormatGo            Format = "go"
)

// Migration is one versioned (or repeatable) change with an optional way back.
type Migration struct {
	Version Version
	Name    string
	Kind    Kind
	Format  Format
	// Repeatable is a Flyway R__ migration: it has no version, runs after
	// the versioned ones and again whenever its checksum changes.
	Repeatable bool
	// Files are the paths in the migration directory that make up the
	// migration, up first.
	Files []string
	// Up and Down are the parsed SQL; Down is nil when there is no way back.
	Up, Down *Script
	// EmptyDown names the file whose down part holds no statement, when
	// that is why Down is nil: an empty down section undoes nothing, so it
	// counts as none.
	EmptyDown string
	// Checksum is the hex SHA-256 of the migration's files with line endings
	// and trailing whitespace normalised.
	Checksum string
	// Source is the normalised text of the files, stored in the history row
	// so that `strata repair` can show what an edit changed.
	Source string
	// Go is set for migrations written in Go.
	Go *GoMigration
	// Document is the raw YAML of a declarative migration; the step runner
	// that claims it ([StepRunner.Claim]) sets Kind.
	Document []byte
	// Checks is the raw YAML of the VERSION_name.checks.yaml file beside a
	// SQL migration, when there is one; ChecksFile is its path.
	Checks     []byte
	ChecksFile string
	// Origin names the migration the way the tool it was written for
	// names it in its own history, where the version alone does not: a
	// Liquibase changeset ("id::author::file"), a sqitch change (its
	// name). Empty for other formats.
	Origin string
}

// key is the history table's primary key for m.
func (m *Migration) key() Version {
	if m.Repeatable {
		return repeatableKey(m.Name)
	}
	return m.Version
}

// File is the migration's first file, or its Go name, for messages.
func (m *Migration) File() string {
	if len(m.Files) > 0 {
		return m.Files[0]
	}
	return string(m.Version) + "_" + m.Name + " (Go)"
}

// HasDown reports whether the migration can be undone.
func (m *Migration) HasDown() bool {
	if m.Go != nil {
		return m.Go.Down != nil
	}
	return m.Down != nil
}

// Script is the parsed SQL of one direction of a migration.
type Script struct {
	// File is the file the statements come from.
	File       string
	Statements []Statement
	// NoTransaction is set when the statements must run outside a
	// transaction; NoTxReason says why, for `plan` and messages.
	NoTransaction bool
	NoTxReason    string
	// ManagesTransaction is set when the file has its own BEGIN/COMMIT and
	// runs exactly as written.
	ManagesTransaction bool
	// LockTimeout and StatementTimeout come from directives; zero means the
	// session's default.
	LockTimeout      time.Duration
	StatementTimeout time.Duration
	// Envsub enables ${NAME} placeholders.
	Envsub bool
	// RestorePoint lists tables to copy before running (directive
	// -- strata:restore-point); kept for the integrity-check feature.
	RestorePoint []string
	// Placeholders enables Flyway's ${name} placeholders, replaced
	// everywhere as Flyway does (Flyway files only).
	Placeholders bool
	// Empty marks a stand-in down part for a migration that has none, when
	// the run steps over it (WithSkipMissingDown).
	Empty bool
	// Directives are the file's directive comments that apply to this
	// script, in file order: those above the first section marker, then
	// the section's own (its marker first), then lint-ignore comments
	// after a statement on its line.
	Directives []Directive
}

// Statement is one SQL statement with its place in the file.
type Statement struct {
	SQL  string
	Line int
	Col  int
	// Envsub is set for statements under goose's ENVSUB ON, which holds
	// from where it is written rather than for a whole section.
	Envsub bool
	// File is set when the statement comes from another file than its
	// script's (a sqitch verify script run after its deploy script); it is
	// relative to the migration directory.
	File string
}

// GoMigration is a migration written in Go and passed to [NewProvider] with
// [WithGoMigrations]. Up and Down run inside a transaction that also records
// the history row, so a failing function leaves nothing behind. Down may be
// nil. Set NoTransaction to get UpDB/DownDB called with the database instead.
type GoMigration struct {
	Version int64
	Name    string
	Up      func(ctx context.Context, tx *sql.Tx) error
	Down    func(ctx context.Context, tx *sql.Tx) error

	NoTransaction bool
	UpDB          func(ctx context.Context, db *sql.DB) error
	DownDB        func(ctx context.Context, db *sql.DB) error
}
