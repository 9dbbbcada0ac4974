package transfer

import (
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// Carry is one part of a source table's definition that create: true
// carried to the table it created, or left out, and why.
type Carry struct {
	// Kind is identity, default, index, unique, foreign_key, check,
	// exclusion or generated.
	Kind string `json:"kind"`
	// Name is the column (identity, default, generated) or the name of
	// the index or constraint on the target.
	Name string `json:"name"`
	// Definition is what the target got (a column clause, a CREATE
	// INDEX, a constraint), or the source's definition when not carried.
	Definition string `json:"definition,omitempty"`
	Carried    bool   `json:"carried"`
	// Reason says why it was not carried.
	Reason string `json:"reason,omitempty"`
	// Note is what a reader should know about what was carried (where
	// the identity's counter stands, when a foreign key is checked).
	Note string `json:"note,omitempty"`
}

// Carry kinds.
const (
	carryIdentity   = "identity"
	carryDefault    = "default"
	carryIndex      = "index"
	carryUnique     = "unique"
	carryForeignKey = "foreign_key"
	carryCheck      = "check"
	carryExclusion  = "exclusion"
	carryGenerated  = "generated"
)

// colSpec is a column of a table to create, with what it carries.
type colSpec struct {
	Column
	key bool // part of the primary key
	// def is the default to write; srcDefault the source's text of it.
	def        *defaultValue
	srcDefault string
	// identity asks the engine to number the column.
	identity dialect.IdentityKind
}

// tableDef is a table to create.
type tableDef struct {
	name string // as the spec names it: table or schema.table
	cols []colSpec
	pk   []string
	// constraints are declared in CREATE TABLE (SQLite's foreign keys).
	constraints []string
}

// createTableSQL renders CREATE TABLE for def on dst and reports what
// became of each column's identity and default.
func createTableSQL(dst *side, def tableDef, ifNotExists bool) (string, []Carry) {
	var carried []Carry
	var cols []string
	inlinePK, numbered := false, false
	for _, c := range def.cols {
		col, inline, cs := renderColumn(dst, c, def.pk, &numbered)
		cols = append(cols, col)
		inlinePK = inlinePK || inline
		carried = append(carried, cs...)
	}
	if len(def.pk) > 0 && !inlinePK {
		cols = append(cols, "PRIMARY KEY ("+dialect.QuoteList(dst.Dialect, def.pk)+")")
	}
	cols = append(cols, def.constraints...)
	head := "CREATE TABLE " + pick(ifNotExists, "IF NOT EXISTS ", "")
	return head + dst.quote(def.name) + " (\n  " + strings.Join(cols, ",\n  ") + "\n)" + dst.eng.tableOptions(), carried
}

// renderColumn writes one column definition. numbered says an earlier
// column took the table's one identity.
func renderColumn(dst *side, c colSpec, pk []string, numbered *bool) (string, bool, []Carry) {
	typ := dst.eng.columnType(c.Column, c.key)
	s := dst.Dialect.Quote(c.Name) + " " + typ
	if !c.Nullable || c.key {
		s += " NOT NULL"
	}
	var out []Carry
	inline := false
	if c.identity != "" {
		clause, in, reason := dst.eng.identitySQL(c.Column, c.identity, pk)
		if reason == "" && *numbered {
			reason = "only one identity column per table is carried"
		}
		if reason == "" {
			s += " " + clause
			inline, *numbered = in, true
			out = append(out, Carry{Kind: carryIdentity, Name: c.Name, Definition: clause, Carried: true})
		} else {
			out = append(out, Carry{Kind: carryIdentity, Name: c.Name, Definition: string(c.identity), Reason: reason})
		}
	}
	if c.def != nil {
		sql, reason := defaultSQL(dst, c.Column, typ, *c.def)
		if reason == "" {
			s += " DEFAULT " + sql
			out = append(out, Carry{Kind: carryDefault, Name: c.Name, Definition: "DEFAULT " + sql, Carried: true})
		} else {
			out = append(out, Carry{Kind: carryDefault, Name: c.Name, Definition: c.srcDefault, Reason: reason})
		}
	}
	return s, inline, out
}

// defaultSQL renders v for column c of type typ on dst. The current time
// takes the column's precision (MySQL's datetime(6) refuses a default of
// another).
func defaultSQL(dst *side, c Column, typ string, v defaultValue) (string, string) {
	v, reason := v.fit(c)
	if reason != "" {
		return "", reason
	}
	tr := dst.eng.traits()
	var sql string
	switch v.kind {
	case defNow:
		sql = "CURRENT_TIMESTAMP"
		if i := strings.LastIndexByte(typ, '('); i > 0 && strings.HasSuffix(typ, ")") {
			sql += typ[i:]
		}
		return sql, ""
	case defBool:
		sql = pick(v.b, tr.trueSQL, tr.falseSQL)
	case defNumber:
		sql = v.text
	default:
		sql = dst.Dialect.QuoteLiteral(v.text)
	}
	if index(tr.exprDefaults, typ) >= 0 {
		sql = "(" + sql + ")"
	}
	return sql, ""
}

// enumCheck is typ with a CHECK that the column holds one of c's members,
// for engines without ENUM.
func enumCheck(typ string, c Column, q dialect.Quoter) string {
	return typ + " CHECK (" + q.Quote(c.Name) + " IN (" + dialect.QuoteLiterals(q, c.Enum) + "))"
}

// typeNotes explains what the type mapping from src to dst changes about
// column c (of target type typ), relaxing NOT NULL where zero dates may
// come.
func typeNotes(table string, c Column, typ string, key bool, src, dst traits) (Column, []Note) {
	var notes []Note
	note := func(format string, a ...any) {
		notes = append(notes, Note{Table: table, Column: c.Name, Note: fmt.Sprintf(format, a...)})
	}
	if !c.Nullable && src.zeroDates && c.isDateish() && !key {
		c.Nullable = true
		note("created nullable although the source is NOT NULL: %s %s may hold zero dates (0000-00-00), which become NULL (counted as zero_dates)", src.title, c.Raw)
	}
	switch {
	case src.tinyintBool && c.Kind == KBool && !dst.tinyintBool:
		note("%s %s becomes boolean (0 false, any other value true)", src.title, c.Raw)
	case c.Kind == KDatetime && dst.instants:
		note("%s %s becomes %s, read in the spec's timezone (default UTC)", src.title, c.Raw, typ)
	case strings.Contains(strings.ToLower(c.Raw), "unsigned") && !dst.unsigned:
		note("%s widened to %s so every unsigned value fits", c.Raw, typ)
	case c.Kind == KEnum && !dst.enums:
		note("enum becomes text with a CHECK of its values")
	}
	return c, notes
}
