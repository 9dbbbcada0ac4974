package transfer

import (
	"context"
	"fmt"
	"strings"
)

// mapping is a table mapping resolved against both schemas.
type mapping struct {
	t        *Table
	srcCols  []Column
	keyIdx   []int
	prog     *program
	outIdx   []int    // program output slot of each target column
	tgtCols  []Column // target columns written, in order
	tgtKey   []string // target key columns
	from     string
	srcNames []string
	// copyText: rows move as COPY text lines (see passthrough.go).
	copyText bool
	refs     []resolvedRef
	// explodeSlot is the program output slot of the exploded column; the
	// element goes in the slot after the program's last.
	explodeSlot int
	// width is the slots of a row: the program's, the explode slot, and
	// one per lookup.
	width int
	// target is the target table as it was described.
	target *tableInfo
}

// outCol is a column of the rows a mapping writes: its name on the
// target, the row slot it comes from and its type.
type outCol struct {
	name string
	slot int
	col  Column
}

// resolver maps one table mapping onto both schemas, a step at a time:
// the source's columns and key, the rules' output, lookups, explode,
// columns: keep/drop/rename, the target table (created when asked) and
// references.
type resolver struct {
	*run
	t    *Table
	tr   *TableResult
	m    *mapping
	si   *tableInfo
	outs []outCol
}

// resolve reads both schemas, creates the target table when asked, and
// maps source columns (after the rules) onto target columns.
func (r *run) resolve(ctx context.Context, t *Table, tr *TableResult) (*mapping, error) {
	rs := &resolver{run: r, t: t, tr: tr, m: &mapping{t: t}}
	steps := []func(context.Context) error{rs.source, rs.program, rs.lookups, rs.explode, rs.columns, rs.target, rs.references}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return rs.m, nil
}

// fail is a mistake of the mapping, at the line of its field ("" for the
// mapping's own line).
func (rs *resolver) fail(field, format string, a ...any) error {
	return &SpecError{File: rs.spec.File, Line: rs.t.lineOf(field), Msg: fmt.Sprintf(format, a...)}
}

func (rs *resolver) source(ctx context.Context) error {
	var err error
	if isQuery(rs.t.From) {
		q := strings.TrimRight(strings.TrimSpace(rs.t.From), ";")
		rs.m.from = "(" + q + ") strata_src"
		rs.si, err = rs.src.describeQuery(ctx, q)
	} else {
		rs.m.from = rs.src.quote(rs.t.From)
		rs.si, err = rs.src.describe(ctx, rs.t.From)
	}
	if err != nil {
		return err
	}
	if rs.si == nil {
		return rs.fail("", "source table %s does not exist", rs.t.From)
	}
	rs.m.srcCols = rs.si.Columns
	for _, c := range rs.si.Columns {
		rs.m.srcNames = append(rs.m.srcNames, c.Name)
	}
	for _, k := range rs.t.Key {
		i := index(rs.m.srcNames, k)
		if i < 0 {
			return rs.fail("key", "key column %s is not a column of %s (have %s)", k, rs.t.From, strings.Join(rs.m.srcNames, ", "))
		}
		rs.m.keyIdx = append(rs.m.keyIdx, i)
	}
	return nil
}

// program compiles the rules; their output columns are the row's.
func (rs *resolver) program(context.Context) error {
	var err error
	if rs.m.prog, err = compile(rs.m.srcNames, rs.t.Rules); err != nil {
		return rs.fail("rules", "table %s: rules: %v", rs.t.From, err)
	}
	for i, n := range rs.m.prog.out {
		if strings.HasPrefix(n, "\x00") {
			continue
		}
		var col Column
		if i < len(rs.m.srcCols) && !rs.m.prog.changed[n] {
			col = rs.m.srcCols[i]
		} else {
			col = ruleColumn(rs.t.Rules, n, rs.m.srcCols, i)
		}
		rs.outs = append(rs.outs, outCol{n, i, col})
	}
	rs.m.width = len(rs.m.prog.out) + 1 + len(rs.t.Lookups)
	return nil
}

// lookups add a column each, typed as the looked-up column.
func (rs *resolver) lookups(ctx context.Context) error {
	for j, l := range rs.t.Lookups {
		if index(rs.m.prog.out, l.From) < 0 {
			return rs.fail("lookups", "lookups: %s is not a column of %s", l.From, rs.t.From)
		}
		db := pick(l.In == "source", rs.src, rs.dst)
		li, err := db.describe(ctx, l.Table)
		if err != nil {
			return err
		}
		if li == nil {
			return rs.fail("lookups", "lookups: table %s does not exist in the %s", l.Table, l.In)
		}
		col := Column{Name: l.Into, Kind: KText, Raw: "text", Nullable: true}
		for _, c := range li.Columns {
			if c.Name == l.Value {
				col = c
				col.Name, col.Nullable = l.Into, true
			}
		}
		rs.outs = append(rs.outs, outCol{l.Into, len(rs.m.prog.out) + 1 + j, col})
	}
	return nil
}

// explode replaces the list column by its element's.
func (rs *resolver) explode(context.Context) error {
	e := rs.t.Explode
	if e == nil {
		return nil
	}
	rs.m.explodeSlot = index(rs.m.prog.out, e.Column)
	if rs.m.explodeSlot < 0 {
		return rs.fail("explode", "explode: %s is not a column of %s", e.Column, rs.t.From)
	}
	if i := rs.outIndex(e.Column); i >= 0 {
		rs.outs = append(rs.outs[:i], rs.outs[i+1:]...)
	}
	rs.outs = append(rs.outs, outCol{e.Into, len(rs.m.prog.out), Column{Name: e.Into, Kind: KText, Raw: "text"}})
	return nil
}

func (rs *resolver) outIndex(name string) int {
	for i, o := range rs.outs {
		if o.name == name {
			return i
		}
	}
	return -1
}

// columns applies columns: keep, drop and rename, and names the target's
// key.
func (rs *resolver) columns(context.Context) error {
	if c := rs.t.Columns; c != nil {
		if len(c.Keep) > 0 {
			var kept []outCol
			for _, k := range c.Keep {
				i := rs.outIndex(k)
				if i < 0 {
					return rs.fail("columns", "columns: keep: %s is not a column of %s", k, rs.t.From)
				}
				kept = append(kept, rs.outs[i])
			}
			rs.outs = kept
		}
		for _, d := range c.Drop {
			i := rs.outIndex(d)
			if i < 0 {
				return rs.fail("columns", "columns: drop: %s is not a column of %s", d, rs.t.From)
			}
			rs.outs = append(rs.outs[:i], rs.outs[i+1:]...)
		}
		for from, to := range c.Rename {
			i := rs.outIndex(from)
			if i < 0 {
				return rs.fail("columns", "columns: rename: %s is not a column of %s", from, rs.t.From)
			}
			rs.outs[i].name = to
		}
	}
	for _, k := range rs.t.Key {
		rs.m.tgtKey = append(rs.m.tgtKey, rs.renamed(k))
	}
	if rs.t.Explode != nil {
		rs.m.tgtKey = append(rs.m.tgtKey, rs.renamed(rs.t.Explode.Into))
	}
	return nil
}

func (rs *resolver) renamed(n string) string {
	if rs.t.Columns != nil {
		if to, ok := rs.t.Columns.Rename[n]; ok {
			return to
		}
	}
	return n
}

// target describes the target table, creating it when it is missing and
// create: true, and maps the output columns onto its columns.
func (rs *resolver) target(ctx context.Context) error {
	ti, err := rs.dst.describe(ctx, rs.t.To)
	if err != nil {
		return err
	}
	switch {
	case ti == nil && !rs.t.Create:
		return rs.fail("", "target table %s does not exist: create it first or set create: true", rs.t.To)
	case ti == nil:
		if ti, err = rs.create(ctx); err != nil {
			return err
		}
	case rs.restart && rs.t.Create:
		if _, err := rs.dst.DB.ExecContext(ctx, "DELETE FROM "+rs.dst.quote(rs.t.To)); err != nil {
			return fmt.Errorf("empty %s for --restart: %w", rs.t.To, err)
		}
	}
	rs.m.target = ti
	for _, o := range rs.outs {
		found := false
		for _, tc := range ti.Columns {
			if tc.Name == o.name {
				rs.m.tgtCols = append(rs.m.tgtCols, tc)
				rs.m.outIdx = append(rs.m.outIdx, o.slot)
				found = true
			}
		}
		if !found {
			return rs.fail("", "target table %s has no column %s (drop it with columns: drop: [%s], or rename it)", rs.t.To, o.name, o.name)
		}
	}
	return nil
}

// create creates the target table with what it carries from the source,
// saving first what is built after the load.
func (rs *resolver) create(ctx context.Context) (*tableInfo, error) {
	plan, err := rs.planCreate(ctx)
	if err != nil {
		return nil, err
	}
	if err := rs.saveDefs(ctx, rs.t.To, plan.later); err != nil {
		return nil, err
	}
	ddl, carried := createTableSQL(rs.dst, plan.def, false)
	if _, err := rs.dst.DB.ExecContext(ctx, ddl); err != nil {
		return nil, fmt.Errorf("create %s: %w\n%s", rs.t.To, err, ddl)
	}
	rs.tr.Created, rs.tr.Notes = true, plan.notes
	rs.tr.Carried = append(carried, plan.carried...)
	ti, err := rs.dst.describe(ctx, rs.t.To)
	if err == nil && ti == nil {
		err = fmt.Errorf("%s does not exist after CREATE TABLE", rs.t.To)
	}
	if err != nil {
		return nil, fmt.Errorf("describe created %s: %w", rs.t.To, err)
	}
	return ti, nil
}

func (rs *resolver) references(context.Context) error {
	for _, ref := range rs.t.References {
		i := -1
		for j, tc := range rs.m.tgtCols {
			if tc.Name == ref.Column {
				i = j
			}
		}
		if i < 0 {
			return rs.fail("references", "references: %s is not a column written to %s", ref.Column, rs.t.To)
		}
		rs.m.refs = append(rs.m.refs, resolvedRef{ref: ref, col: i})
	}
	return nil
}

// ruleColumn guesses the type of a column a rule creates.
func ruleColumn(rules []*Rule, name string, src []Column, slot int) Column {
	c := Column{Name: name, Kind: KText, Nullable: true, Raw: "text"}
	for _, r := range rules {
		switch {
		case r.Convert != nil && (r.Convert.To == name || r.Convert.To == "" && r.Convert.Column == name):
			c.Kind = kindOfType(r.Convert.Type)
		case r.Set == name && r.Type != "":
			c.Kind = kindOfType(r.Type)
		case len(r.Trim)+len(r.Lower)+len(r.Upper) > 0 && slot < len(src):
			c = src[slot]
		}
	}
	return c
}

// kindOfType is the kind of a convert: or set: type.
func kindOfType(t string) Kind {
	switch t {
	case "int", "cents":
		return KInt64
	case "float":
		return KFloat64
	case "decimal":
		return KDecimal
	case "bool":
		return KBool
	case "date":
		return KDate
	case "timestamp":
		return KTimestampTZ
	}
	return KText
}
