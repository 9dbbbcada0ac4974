package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// What create: true carries from the source table: the columns with their
// types mapped, NOT NULL, the primary key, identity, defaults that mean the
// same on the target, and, built after the load, secondary indexes, unique
// constraints and foreign keys. What cannot be carried is reported with
// the reason ([Carry]).

// createPlan is what creating a target table takes.
type createPlan struct {
	def tableDef
	// later are built after the load (saved first, in IndexesTable, so a
	// killed run builds them on --resume).
	later   []savedDef
	carried []Carry
	notes   []Note
}

// savedDef is an index, unique constraint or foreign key built after the
// load: a row of IndexesTable.
type savedDef struct{ name, kind, def string }

// Kinds of savedDef.
const (
	defIndex  = "index"
	defUnique = "unique"
	defFK     = "fk"
)

// planner plans the table one mapping creates.
type planner struct {
	*resolver
	p       *createPlan
	renamed map[string]string // source column → target column, for columns copied unchanged
	cols    map[string]Column // target columns by name
	// same: both sides are one engine and the table is copied as it is,
	// so expressions and predicates mean the same on the target.
	same bool
}

func (rs *resolver) planCreate(ctx context.Context) (*createPlan, error) {
	pl := &planner{resolver: rs, p: &createPlan{def: tableDef{name: rs.t.To, pk: rs.primaryKey()}},
		renamed: map[string]string{}, cols: map[string]Column{}}
	pl.same = sameEngine(rs.src.eng, rs.dst.eng) && rs.copiedAsIs() && len(rs.t.Lookups) == 0 && typesKept(rs.si.Columns)
	pl.columns()
	if def := rs.si.def; def != nil {
		for _, u := range def.Uniques {
			pl.unique(u)
		}
		for _, ix := range def.Indexes {
			pl.index(ix)
		}
		for _, fk := range def.ForeignKeys {
			if err := pl.foreignKey(ctx, fk); err != nil {
				return nil, err
			}
		}
		for _, c := range def.Checks {
			pl.p.carried = append(pl.p.carried, Carry{Kind: carryCheck, Name: c.Name, Definition: c.Expression,
				Reason: "CHECK expressions are not translated between engines; add it with a migration"})
		}
	}
	return pl.p, nil
}

// copiedAsIs: the mapping copies a table's rows without reshaping them.
func (rs *resolver) copiedAsIs() bool {
	return !isQuery(rs.t.From) && rs.t.Columns == nil && len(rs.t.Rules) == 0 && rs.t.Explode == nil
}

// typesKept reports whether every column's type is one transfer knows, so
// that a table copied to the same engine keeps its types (an array or a
// user-defined type becomes text, on which an index expression or access
// method of the source may not work).
func typesKept(cols []Column) bool {
	for _, c := range cols {
		tt := parseTypeText(c.Raw)
		if _, known := commonKind(tt); !known {
			return false
		}
		switch tt.base {
		case "set", "inet", "cidr", "interval", "name", "citext": // read as text
			return false
		case "time":
			if c.Kind == KText { // with time zone
				return false
			}
		}
	}
	return true
}

// primaryKey is the source's primary key for a table copied as it is,
// else the mapping's key.
func (rs *resolver) primaryKey() []string {
	if rs.copiedAsIs() && len(rs.si.Primary) > 0 {
		return rs.si.Primary
	}
	return rs.m.tgtKey
}

// sourceColumn is the catalog's column an output column copies unchanged.
func (rs *resolver) sourceColumn(o outCol) (dialect.Column, bool) {
	if rs.si.def == nil || o.slot >= len(rs.m.srcCols) || rs.m.prog.changed[rs.m.prog.out[o.slot]] {
		return dialect.Column{}, false
	}
	return rs.si.def.Columns[o.slot], true
}

func (pl *planner) columns() {
	src, dst := pl.src.eng.traits(), pl.dst.eng.traits()
	for _, o := range pl.outs {
		c := colSpec{Column: o.col}
		c.Name = o.name
		c.key = index(pl.p.def.pk, o.name) >= 0
		var notes []Note
		c.Column, notes = typeNotes(pl.t.To, c.Column, pl.dst.eng.columnType(c.Column, c.key), c.key, src, dst)
		pl.p.notes = append(pl.p.notes, notes...)
		if sc, ok := pl.sourceColumn(o); ok {
			pl.renamed[sc.Name] = o.name
			pl.p.carried = append(pl.p.carried, pl.column(&c, sc)...)
		}
		pl.cols[c.Name] = c.Column
		pl.p.def.cols = append(pl.p.def.cols, c)
	}
}

// column takes the identity and default of source column sc; what cannot
// go is reported.
func (pl *planner) column(c *colSpec, sc dialect.Column) []Carry {
	var out []Carry
	switch {
	case sc.Identity != nil && pl.t.Explode != nil:
		out = append(out, Carry{Kind: carryIdentity, Name: c.Name, Definition: string(sc.Identity.Kind),
			Reason: "explode writes several rows per source row, which share its number"})
	case sc.Identity != nil && sc.Name != c.Name:
		out = append(out, Carry{Kind: carryIdentity, Name: c.Name, Definition: string(sc.Identity.Kind),
			Reason: "the column is renamed from " + sc.Name + ", so it is taken for a reference to the source's numbers, not a counter of its own"})
	case sc.Identity != nil:
		c.identity = sc.Identity.Kind // a serial's nextval default goes with it
	case sc.Generated != "":
		out = append(out, Carry{Kind: carryGenerated, Name: c.Name, Definition: sc.Generated,
			Reason: "created as an ordinary column holding the copied values: generated expressions are not translated between engines"})
	case sc.Default != "":
		v, reason := parseDefault(sc.Default, pl.src.eng)
		if v != nil {
			c.def, c.srcDefault = v, sc.Default
		} else if reason != "" {
			out = append(out, Carry{Kind: carryDefault, Name: c.Name, Definition: sc.Default, Reason: reason})
		}
	}
	if sc.OnUpdate != "" {
		out = append(out, Carry{Kind: carryDefault, Name: c.Name, Definition: "ON UPDATE " + sc.OnUpdate,
			Reason: "ON UPDATE is MySQL's own: set the column in the application or with a trigger"})
	}
	return out
}

// targetColumns maps source columns onto the target's, or names the first
// that is not copied.
func (pl *planner) targetColumns(cols []string) ([]string, string) {
	out := make([]string, len(cols))
	for i, c := range cols {
		t, ok := pl.renamed[c]
		if !ok {
			return nil, fmt.Sprintf("column %s is not copied unchanged", c)
		}
		out[i] = t
	}
	return out, ""
}

func (pl *planner) unique(u dialect.Unique) {
	name := pl.rename(u.Name, strings.Join(u.Columns, "_")+"_key")
	var parts []string
	reason := pl.manyRows()
	for _, c := range u.Columns {
		part, why := pl.part(dialect.IndexColumn{Name: c}, true)
		parts, reason = append(parts, part), firstOf(reason, why)
	}
	if reason != "" {
		pl.p.carried = append(pl.p.carried, Carry{Kind: carryUnique, Name: name, Definition: "UNIQUE (" + strings.Join(u.Columns, ", ") + ")", Reason: reason})
		return
	}
	pl.later(carryUnique, defUnique, name, pl.dst.eng.indexSQL(indexDef{name: name, table: pl.dst.quote(pl.t.To), unique: true, parts: parts}), "")
}

// index plans a secondary index. Plain column indexes go to every engine;
// expressions, predicates, access methods and INCLUDE only to the same
// engine, for a table copied as it is.
func (pl *planner) index(ix dialect.Index) {
	name := pl.rename(ix.Name, strings.Join(ix.ColumnNames(), "_")+"_idx")
	notCarried := func(reason string) {
		kind := pick(ix.Constraint, carryExclusion, carryIndex)
		pl.p.carried = append(pl.p.carried, Carry{Kind: kind, Name: name, Definition: firstOf(ix.Definition, ix.Name), Reason: reason})
	}
	switch {
	case ix.Constraint && ix.Unique:
		return // a unique constraint's index: planned as the constraint
	case ix.Constraint:
		notCarried("an exclusion constraint: add it with a migration")
		return
	case !ix.Valid:
		notCarried("the index is invalid in the source (a CREATE INDEX CONCURRENTLY that failed)")
		return
	}
	d := indexDef{name: name, table: pl.dst.quote(pl.t.To), unique: ix.Unique}
	var reason string
	if ix.Unique {
		reason = pl.manyRows()
	}
	if ix.Method != "" && ix.Method != "btree" {
		d.method, reason = ix.Method, pl.needSame("a "+ix.Method+" index", pl.dst.eng.traits().indexMethods)
	}
	if ix.Predicate != "" {
		d.where, reason = ix.Predicate, firstOf(reason, pl.needSame("a partial index", true))
	}
	if len(ix.Include) > 0 && pl.same && pl.dst.eng.traits().indexMethods {
		d.include = ix.Include
	}
	for _, c := range ix.Columns {
		part, why := pl.part(c, ix.Unique)
		d.parts, reason = append(d.parts, part), firstOf(reason, why)
	}
	if reason != "" {
		notCarried(reason)
		return
	}
	note := ""
	if len(ix.Include) > len(d.include) {
		note = "created without its INCLUDE columns"
	}
	pl.later(carryIndex, defIndex, name, pl.dst.eng.indexSQL(d), note)
}

// part renders one key part of an index on the target.
func (pl *planner) part(c dialect.IndexColumn, unique bool) (string, string) {
	if c.Expression != "" {
		return "(" + c.Expression + ")", pl.needSame("an expression index", true)
	}
	name, ok := pl.renamed[c.Name]
	if !ok {
		return "", fmt.Sprintf("column %s is not copied unchanged", c.Name)
	}
	suffix, reason := pl.dst.eng.indexPart(pl.cols[name], unique)
	if c.Length > 0 && pl.same {
		suffix = fmt.Sprintf("(%d)", c.Length)
	}
	return pl.dst.Dialect.Quote(name) + suffix + pick(c.Descending, " DESC", ""), reason
}

// manyRows says why a unique constraint of the source cannot hold on the
// target, or "".
func (pl *planner) manyRows() string {
	if pl.t.Explode != nil {
		return "explode writes several rows per source row, so the source's values are not unique there"
	}
	return ""
}

// needSame says why what is described cannot be carried unless both sides
// are one engine (that can, when ok) and the table is copied as it is.
func (pl *planner) needSame(what string, ok bool) string {
	if pl.same && ok {
		return ""
	}
	return what + " is carried only between two databases of the same engine, for a table copied as it is with its types: create it with a migration"
}

// foreignKey plans a foreign key to a table the target has, or that the
// spec copies. It is added after every table is copied (or, on engines
// that cannot add one later, declared in CREATE TABLE).
func (pl *planner) foreignKey(ctx context.Context, fk dialect.ForeignKey) error {
	name := pl.rename(fk.Name, strings.Join(fk.Columns, "_")+"_fkey")
	def := "(" + strings.Join(fk.Columns, ", ") + ") REFERENCES " + fk.RefTable + " (" + strings.Join(fk.RefColumns, ", ") + ")"
	cols, reason := pl.targetColumns(fk.Columns)
	var ref string
	var refCols []string
	if reason == "" && fk.NotValid {
		reason = "NOT VALID in the source: its rows may not satisfy it"
	}
	if reason == "" {
		var err error
		if ref, refCols, reason, err = pl.referenced(ctx, fk); err != nil {
			return err
		}
	}
	if reason != "" {
		pl.p.carried = append(pl.p.carried, Carry{Kind: carryForeignKey, Name: name, Definition: def, Reason: reason})
		return nil
	}
	q := pl.dst.Dialect
	body := "FOREIGN KEY (" + dialect.QuoteList(q, cols) + ") REFERENCES " + pl.dst.quote(ref) + " (" + dialect.QuoteList(q, refCols) + ")"
	for _, a := range []struct{ on, action string }{{"DELETE", fk.OnDelete}, {"UPDATE", fk.OnUpdate}} {
		if a.action != "" && a.action != "NO ACTION" {
			body += " ON " + a.on + " " + a.action
		}
	}
	if pl.dst.eng.traits().inlineForeignKeys {
		pl.p.def.constraints = append(pl.p.def.constraints, "CONSTRAINT "+q.Quote(name)+" "+body)
		pl.p.carried = append(pl.p.carried, Carry{Kind: carryForeignKey, Name: name, Definition: body, Carried: true,
			Note: "declared in CREATE TABLE; " + pl.dst.eng.traits().title + " checks it where the application turns on foreign keys"})
		return nil
	}
	pl.later(carryForeignKey, defFK, name, body, "added after every table of the spec is copied")
	return nil
}

// referenced finds the table a foreign key points to on the target: the
// one a mapping of this spec copies it to, or one the target has.
func (pl *planner) referenced(ctx context.Context, fk dialect.ForeignKey) (string, []string, string, error) {
	if fk.RefSchema != "" && fk.RefSchema != pl.si.def.Schema {
		return "", nil, fmt.Sprintf("it references %s.%s, in another schema", fk.RefSchema, fk.RefTable), nil
	}
	schema, _ := splitName(pl.t.To)
	for _, t := range pl.spec.Tables {
		if _, from := splitName(t.From); isQuery(t.From) || from != fk.RefTable || t.Explode != nil {
			continue
		}
		cols := make([]string, len(fk.RefColumns))
		for i, c := range fk.RefColumns {
			cols[i] = c
			if t.Columns != nil && t.Columns.Rename[c] != "" {
				cols[i] = t.Columns.Rename[c]
			}
		}
		return t.To, cols, "", nil
	}
	ref := fk.RefTable
	if schema != "" {
		ref = schema + "." + ref
	}
	ti, err := pl.dst.describe(ctx, ref)
	if err != nil || ti == nil {
		return "", nil, fmt.Sprintf("the target has no table %s and the spec does not copy it", ref), err
	}
	return ref, fk.RefColumns, "", nil
}

// later records a definition built after the load, and reports it.
func (pl *planner) later(kind, defKind, name, def, note string) {
	pl.p.later = append(pl.p.later, savedDef{name: name, kind: defKind, def: def})
	pl.p.carried = append(pl.p.carried, Carry{Kind: kind, Name: name, Definition: def, Carried: true, Note: note})
}

// rename names an index or constraint of the target table: the source's
// name when the table keeps its name, else the name with the source
// table's name replaced (index and constraint names are per schema on
// PostgreSQL, so a copy beside its source must not reuse them). A name
// the source did not give (or SQLite's own) becomes table_suffix.
func (pl *planner) rename(name, suffix string) string {
	_, from := splitName(pl.t.From)
	_, to := splitName(pl.t.To)
	switch {
	case name == "" || strings.HasPrefix(name, "sqlite_"):
		name = to + "_" + suffix
	case from == to:
	case strings.HasPrefix(name, from):
		name = to + strings.TrimPrefix(name, from)
	default:
		name = to + "_" + name
	}
	if len(name) > 63 { // PostgreSQL's limit; a hash keeps two long names apart
		h := sha256.Sum256([]byte(name))
		name = name[:54] + "_" + hex.EncodeToString(h[:4])
	}
	return name
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
