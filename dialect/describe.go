package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Querier is what reading the catalog needs: a *sql.DB, *sql.Conn or
// *sql.Tx. Inside a transaction, a Describer sees the transaction's own
// uncommitted DDL (on engines whose DDL is transactional).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Querier = (*sql.DB)(nil)
	_ Querier = (*sql.Conn)(nil)
	_ Querier = (*sql.Tx)(nil)
)

// Describer reads table definitions from the catalog: one query path per
// engine, shared by everything that needs to know what a table looks like
// (copying it, comparing it, changing it online, snapshotting a schema).
type Describer interface {
	// DescribeTable reads the definition of table t. A table that does not
	// exist is an error wrapping [ErrNotFound] (a [*NotFoundError]).
	DescribeTable(ctx context.Context, q Querier, t Table) (*TableInfo, error)
	// Tables lists the base tables of schema (the connection's default
	// schema when empty), sorted by name, leaving out views and the
	// engine's own tables. Each Table has its Schema set.
	Tables(ctx context.Context, q Querier, schema string) ([]Table, error)
	// EstimateRows returns the engine's cheap estimate of t's row count,
	// from statistics and without reading the table, or -1 when the engine
	// has none yet (a PostgreSQL table never analyzed, SQLite without
	// ANALYZE). A missing table is an error wrapping [ErrNotFound].
	EstimateRows(ctx context.Context, q Querier, t Table) (int64, error)
	// IndexTable returns the table index belongs to, with its schema set.
	// The index is looked up by name in schema (the default schema when
	// empty); on MySQL, where each table names its own indexes, the name
	// must be used by one table of the database only. An index that does
	// not exist is an error wrapping [ErrNotFound].
	IndexTable(ctx context.Context, q Querier, schema, index string) (Table, error)
}

// TableInfo is the definition of one table, as the engine keeps it. Types,
// defaults and expressions are spelled as the engine prints them, so a
// TableInfo read from one engine is exact for that engine and a starting
// point, not a translation, for another.
type TableInfo struct {
	// Schema is the schema (PostgreSQL), database (MySQL) or attached
	// database (SQLite, "main") the table was found in, also when the
	// request left it empty.
	Schema string
	Name   string
	// Columns are in their table order.
	Columns []Column
	// PrimaryKey names the primary key's columns in key order (which need
	// not be table order); empty when the table has none.
	PrimaryKey []string
	// PrimaryKeyName is the constraint's name where the engine keeps one
	// ("PRIMARY" on MySQL; empty on SQLite unless the DDL named it).
	PrimaryKeyName string
	// Uniques are the UNIQUE constraints, by name. MySQL does not tell a
	// unique constraint from a unique index: there every unique index is
	// listed here (and in Indexes, with Constraint set).
	Uniques []Unique
	// Indexes are the table's indexes other than the primary key's, by
	// name. Those that back a unique constraint have Constraint set, so
	// that DDL written from a TableInfo creates each of them once.
	Indexes []Index
	// ForeignKeys are the table's foreign keys, by name.
	ForeignKeys []ForeignKey
	// Checks are the table's CHECK constraints, by name. MariaDB reports the
	// json_valid check of its JSON columns here too.
	Checks []Check
}

// Column returns the column named name, or false.
func (ti *TableInfo) Column(name string) (Column, bool) {
	for _, c := range ti.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Table returns the table's name with its schema.
func (ti *TableInfo) Table() Table { return Table{Schema: ti.Schema, Name: ti.Name} }

// Column is one column of a table.
type Column struct {
	Name string
	// Type is the type as the engine spells it: PostgreSQL's format_type
	// ("character varying(20)", "numeric(12,2)"), MySQL's COLUMN_TYPE
	// ("int(11) unsigned", "enum('a','b')"), SQLite's declared type.
	Type     string
	Nullable bool
	// Default is the default's SQL expression as the engine prints it
	// ("'x'::text", "'x'", "current_timestamp()", "nextval(…)"), empty
	// when the column has none. An explicit DEFAULT NULL is reported as
	// none. A serial column's nextval(…) default is kept here as well as in
	// Identity.
	Default string
	// Identity is set when the engine fills the column with a counter.
	Identity *Identity
	// Generated is the expression of a generated (computed) column, empty
	// for an ordinary one; GeneratedStored says it is stored, not virtual.
	Generated       string
	GeneratedStored bool
	// OnUpdate is MySQL's ON UPDATE expression ("current_timestamp()"),
	// empty elsewhere.
	OnUpdate string
}

// IdentityKind is how the engine numbers an identity column.
type IdentityKind string

// Identity kinds.
const (
	// IdentityAlways is PostgreSQL's GENERATED ALWAYS AS IDENTITY.
	IdentityAlways IdentityKind = "always"
	// IdentityByDefault is PostgreSQL's GENERATED BY DEFAULT AS IDENTITY.
	IdentityByDefault IdentityKind = "by default"
	// IdentitySerial is PostgreSQL's serial: a nextval default over a
	// sequence the column owns.
	IdentitySerial IdentityKind = "serial"
	// IdentityAutoIncrement is MySQL's AUTO_INCREMENT and SQLite's
	// INTEGER PRIMARY KEY AUTOINCREMENT (numbers are never reused).
	IdentityAutoIncrement IdentityKind = "auto_increment"
	// IdentityRowID is SQLite's INTEGER PRIMARY KEY without AUTOINCREMENT:
	// an alias of the rowid, which may reuse the highest number after a
	// delete.
	IdentityRowID IdentityKind = "rowid"
)

// Identity describes a column the engine numbers.
type Identity struct {
	Kind IdentityKind
	// Sequence is the schema-qualified sequence behind a PostgreSQL
	// identity or serial column (as pg_get_serial_sequence prints it),
	// empty elsewhere.
	Sequence string
}

// Unique is a UNIQUE constraint.
type Unique struct {
	Name    string
	Columns []string
}

// Index is one index.
type Index struct {
	Name   string
	Unique bool
	// Constraint is true when the index exists because of a UNIQUE (or
	// PostgreSQL EXCLUDE) constraint of the table rather than a CREATE
	// INDEX of its own.
	Constraint bool
	// Columns are the index's key parts in order.
	Columns []IndexColumn
	// Include names PostgreSQL's INCLUDE columns (not part of the key).
	Include []string
	// Predicate is a partial index's WHERE expression, empty for a full
	// index.
	Predicate string
	// Method is the access method in lower case ("btree", "hash", "gin",
	// "fulltext"); empty where the engine has only one (SQLite).
	Method string
	// Valid is false for a PostgreSQL index whose CREATE INDEX
	// CONCURRENTLY failed: it exists but is not used. Always true
	// elsewhere.
	Valid bool
	// Definition is the engine's own DDL for the index when it keeps one
	// (PostgreSQL's pg_get_indexdef, SQLite's CREATE INDEX text); empty on
	// MySQL and for SQLite's automatic indexes.
	Definition string
}

// ColumnNames returns the names of the index's key parts; an expression
// part gives "".
func (ix Index) ColumnNames() []string {
	out := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		out[i] = c.Name
	}
	return out
}

// IndexColumn is one key part of an index: a column or an expression.
type IndexColumn struct {
	// Name is the column; empty for an expression.
	Name string
	// Expression is the part's expression when it is not a plain column.
	Expression string
	// Descending is true for a DESC key part.
	Descending bool
	// Length is MySQL's prefix length (KEY (name(10))), 0 for the whole
	// column.
	Length int
}

// ForeignKey is a FOREIGN KEY constraint.
type ForeignKey struct {
	// Name is the constraint's name; empty on SQLite when the DDL did not
	// name it.
	Name    string
	Columns []string
	// RefSchema is the referenced table's schema; on SQLite, empty (a
	// foreign key cannot cross attached databases).
	RefSchema  string
	RefTable   string
	RefColumns []string
	// OnDelete and OnUpdate are the referential actions, in upper case:
	// "NO ACTION", "RESTRICT", "CASCADE", "SET NULL" or "SET DEFAULT".
	OnDelete string
	OnUpdate string
	// Definition is the engine's own text for the constraint where it keeps
	// one (PostgreSQL's pg_get_constraintdef), else empty.
	Definition string
	// NotValid is true for a PostgreSQL constraint added NOT VALID and not
	// validated since: new rows are checked, old ones are not.
	NotValid bool
}

// Check is a CHECK constraint.
type Check struct {
	// Name is the constraint's name; on SQLite, empty when the DDL did not
	// name it; on MariaDB, the column's name for a column-level check.
	Name string
	// Expression is the checked expression as the engine prints it.
	Expression string
	// NotValid is as in [ForeignKey].
	NotValid bool
}

// ErrNotFound is wrapped by every error that says a table (or other object
// a [Describer] was asked about) does not exist.
var ErrNotFound = errors.New("not found")

// NotFoundError says that an object does not exist. It matches
// errors.Is(err, ErrNotFound).
type NotFoundError struct {
	// Kind is what was looked for: "table".
	Kind string
	// Schema and Name name it; Schema is empty when the request left it so.
	Schema string
	Name   string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %s does not exist", e.Kind, Table{Schema: e.Schema, Name: e.Name})
}

// Is reports whether target is [ErrNotFound].
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }
