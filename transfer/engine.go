package transfer

import (
	"context"
	"fmt"
	"reflect"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
)

// engine is what transfer knows about one SQL engine beyond what its
// [dialect.Dialect] answers: how the engine's types read as Kinds and what
// each Kind becomes there, how a created table's defaults and identity are
// written, and the fastest way rows go in. It is chosen once per database
// from the server's flavor (see [newSide]); nothing else in the package
// asks which engine it talks to.
type engine interface {
	traits() traits
	typeReader
	typeWriter
	rowWriter
}

// traits are an engine's yes-or-no differences.
type traits struct {
	// title names the engine in notes ("MySQL tinyint(1) becomes …").
	title string
	// zeroDates: date columns may hold zero dates (0000-00-00), which no
	// other engine stores; they are read as text and become NULL.
	zeroDates bool
	// tinyintBool: booleans are tinyint(1), which may hold any number.
	tinyintBool bool
	// unsigned and enums: the engine has unsigned integers and ENUM.
	unsigned, enums bool
	// rowSeek: a row comparison (a, b) > (x, y) uses the key's index, so a
	// composite key seeks with it instead of an OR of comparisons.
	rowSeek bool
	// checksum: package check can hash ranges of rows on the server.
	checksum bool
	// copyText: rows can move as COPY text between two such engines.
	copyText bool
	// nonTransactional: a table may not take part in a transaction
	// (MyISAM), so a resumed chunk first deletes its key range.
	nonTransactional bool
	// deferIndexes: defer_indexes can drop and rebuild the indexes.
	deferIndexes bool
	// inlineForeignKeys: foreign keys exist only in CREATE TABLE (SQLite
	// cannot add one later), so create: true declares them there.
	inlineForeignKeys bool
	// instants: wall-clock times (MySQL DATETIME) are stored as instants
	// on this engine, so they are read in the spec's zone.
	instants bool
	// indexMethods: CREATE INDEX takes an access method (USING gin) and
	// INCLUDE columns.
	indexMethods bool
	// trueSQL and falseSQL are the boolean literals of a default.
	trueSQL, falseSQL string
	// exprDefaults are the column types whose literal default must be
	// written as an expression, in parentheses.
	exprDefaults []string
}

// typeName is the name of kind in names, or def.
func typeName(kind Kind, def string, names map[Kind]string) string {
	if n, ok := names[kind]; ok {
		return n
	}
	return def
}

// typeReader reads a source engine's types and values.
type typeReader interface {
	// column reads a type as the catalog spells it ([dialect.Column.Type]).
	column(typ string) Column
	// queryColumn reads the type a driver reports for a query's column.
	queryColumn(typ string) Column
	// selectColumn is the expression a chunk reads column c (quoted) with.
	selectColumn(quoted string, c Column) string
	// unquote reads a string literal as the catalog prints a default.
	unquote(lit string) (string, bool)
}

// typeWriter writes a target engine's DDL.
type typeWriter interface {
	// columnType renders c as a column type. key says the column is part
	// of a key (MySQL keys cannot be TEXT).
	columnType(c Column, key bool) string
	// identitySQL renders the clause that makes column c of a table with
	// primary key pk numbered by the engine; inlinePK says the clause
	// declares the primary key itself. reason says why it cannot.
	identitySQL(c Column, kind dialect.IdentityKind, pk []string) (clause string, inlinePK bool, reason string)
	// indexPart is what follows a column in an index definition (a MySQL
	// prefix length), or why the column cannot be in such an index.
	indexPart(c Column, unique bool) (suffix, reason string)
	// indexSQL renders CREATE INDEX.
	indexSQL(ix indexDef) string
	// uniqueSQL turns a built unique index into a unique constraint where
	// the engine tells them apart ("" where it does not).
	uniqueSQL(table, name string) string
	// foreignKeySQL adds (or validates) a foreign key whose definition is
	// body; existing is the constraint when the table has it already.
	foreignKeySQL(table, name, body string, existing *dialect.ForeignKey) []string
	// dropSQL drops an index (fk false) or a foreign key of table.
	dropSQL(table, schema, name string, fk bool) string
	// tableOptions follows CREATE TABLE's column list.
	tableOptions() string
}

// rowWriter writes rows into a target engine.
type rowWriter interface {
	// begin starts a chunk's transaction.
	begin(ctx context.Context, w *sqlWriter) (wtx, error)
	// encode turns a row's target values into what insert takes; buf is
	// scratch space it may reuse.
	encode(cols []Column, vals []any, buf []byte) (outRow, []byte, error)
	// conflictClause is what follows INSERT for on_conflict.
	conflictClause(w *sqlWriter) string
	// arg turns a target value into a driver argument for column c.
	arg(c Column, v any) any
}

// sameEngine reports whether a and b write one SQL, so that what cannot be
// translated (an expression index, a partial index) can still be copied as
// it is.
func sameEngine(a, b engine) bool { return reflect.TypeOf(a) == reflect.TypeOf(b) }

// side is one database of a run: its connection, dialect and engine.
type side struct {
	*connect.Target
	eng engine
}

// newSide asks the server behind t which product it is and picks the
// engine that writes for it.
func newSide(ctx context.Context, t *connect.Target) (*side, error) {
	v, err := t.Dialect.ServerVersion(ctx, t.DB)
	if err != nil {
		return nil, fmt.Errorf("read the server's version: %w", err)
	}
	switch v.Flavor {
	case dialect.PostgreSQL:
		return &side{Target: t, eng: pgEngine{t.Dialect}}, nil
	case dialect.MySQL, dialect.MariaDB:
		return &side{Target: t, eng: myEngine{t.Dialect}}, nil
	case dialect.SQLite:
		return &side{Target: t, eng: liteEngine{t.Dialect}}, nil
	}
	return nil, fmt.Errorf("transfer does not copy tables of %s", v)
}

// ph is the n-th bind parameter of the side's engine.
func (s *side) ph(n int) string { return s.Dialect.Placeholder(n) }

// phs is count bind parameters from the first-th on, joined by ", ".
func (s *side) phs(first, count int) string {
	out := ""
	for i := range count {
		if i > 0 {
			out += ", "
		}
		out += s.ph(first + i)
	}
	return out
}

// quote quotes a name that may be schema-qualified.
func (s *side) quote(name string) string { return qualify(name, s.Dialect.Quote) }
