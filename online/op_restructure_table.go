package online

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// RestructureTable rebuilds a table blue-green, for changes too large for
// one column: splits, merges, normalisation, primary key or type changes.
//
// Start creates <table>_v<version> from Columns, installs an AFTER trigger
// on the table that copies every insert, update and delete into it through
// Mapping, copies the existing rows in batches (INSERT ... SELECT ... FOR
// SHARE ... ON CONFLICT, so a row deleted or changed meanwhile is never
// resurrected or left stale), then verifies both tables hold the same rows:
// the count and a checksum of the mapped values, read in one snapshot. The
// new shape's view of the table reads the new table; with Down, writes
// through it are copied back into the old table by a second trigger, so
// old-shape and new-shape writers stay in step until Complete.
//
// Complete cuts over in one short transaction under lock_timeout: it drops
// the trigger, renames the old table away and the new one into its place,
// and moves serial sequences past the copied keys; then it drops the old
// table. Abort drops the trigger and the new table.
type RestructureTable struct {
	Table   string   `yaml:"table"`
	Columns []Column `yaml:"columns"`
	// Mapping gives each new column's value as an expression over the old
	// table's columns. A new column missing here takes the old column of
	// the same name, or else its default.
	Mapping map[string]string `yaml:"mapping"`
	// Down gives old columns as expressions over the new table's columns.
	// With it, rows written through the new shape before Complete are
	// copied back into the old table; without it the new shape is for
	// reading until Complete. It must give the old primary key (a column of
	// the same name in both tables counts as given).
	Down        map[string]string `yaml:"down"`
	PrimaryKey  []string          `yaml:"primary_key"`
	Constraints []string          `yaml:"constraints"`
}

func (o *RestructureTable) Kind() string     { return "restructure_table" }
func (o *RestructureTable) Tables() []string { return []string{o.Table} }

func (o *RestructureTable) Validate() error {
	if o.Table == "" {
		return errField("table", "is required")
	}
	if len(o.Columns) == 0 {
		return errField("columns", "needs the new table's columns")
	}
	names := map[string]bool{}
	for i, c := range o.Columns {
		if err := c.validate(fmt.Sprintf("columns[%d]", i)); err != nil {
			return err
		}
		names[c.Name] = true
	}
	for k := range o.Mapping {
		if !names[k] {
			return errField("mapping", "%q is not one of the new columns", k)
		}
	}
	if len(o.pk()) == 0 {
		return errField("primary_key", "the new table needs a primary key (primary_key: [...] or pk: true on columns) to keep the copy in step")
	}
	for _, k := range o.PrimaryKey {
		if !names[k] {
			return errField("primary_key", "%q is not one of the new columns", k)
		}
	}
	return nil
}

func (o *RestructureTable) pk() []string {
	if len(o.PrimaryKey) > 0 {
		return o.PrimaryKey
	}
	var pk []string
	for _, c := range o.Columns {
		if c.PK {
			pk = append(pk, c.Name)
		}
	}
	return pk
}

func (o *RestructureTable) newTable(version string) string {
	return truncName(fmt.Sprintf("%s_v%s", o.Table, version))
}

func (o *RestructureTable) oldTable(version string) string {
	return truncName(fmt.Sprintf("_strata_old_v%s_%s", version, o.Table))
}

func (o *RestructureTable) pkName(version string) string {
	return truncName(o.newTable(version) + "_pkey")
}

// mapped returns the new columns that get a value from the old row, with
// their expressions.
func (o *RestructureTable) mapped(w quoting, old []dialect.Column) (cols []Column, exprs []string) {
	for _, c := range o.Columns {
		if e, ok := o.Mapping[c.Name]; ok {
			cols, exprs = append(cols, c), append(exprs, e)
		} else if _, ok := findColumn(old, c.Name); ok {
			cols, exprs = append(cols, c), append(exprs, w.ident(c.Name))
		}
	}
	return cols, exprs
}

func (o *RestructureTable) createSQL(w builder, version string) string {
	defs := make([]string, 0, len(o.Columns)+1)
	for _, c := range o.Columns {
		c.PK = false
		defs = append(defs, c.definition(w.quoter()))
	}
	defs = append(defs, fmt.Sprintf("CONSTRAINT %s PRIMARY KEY (%s)", w.ident(o.pkName(version)), w.list(o.pk())))
	defs = append(defs, o.Constraints...)
	return fmt.Sprintf("CREATE TABLE %s (%s)", w.q(o.newTable(version)), strings.Join(defs, ", "))
}

// castType is the type a serial pseudo-type stands for.
func castType(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "smallserial", "serial2":
		return "smallint"
	case "serial", "serial4":
		return "integer"
	case "bigserial", "serial8":
		return "bigint"
	}
	return t
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (o *RestructureTable) trigger(x *Exec) string { return x.name(o.Table, "sync") }

func (o *RestructureTable) Start(ctx context.Context, x *Exec) error {
	nt := o.newTable(x.version)
	if err := o.refuseReferenced(ctx, x); err != nil {
		return err
	}
	old, err := x.columns(ctx, o.Table)
	if err != nil {
		return err
	}
	if len(old) == 0 {
		return fmt.Errorf("table %q does not exist", o.Table)
	}
	if _, _, err := x.keyColumns(ctx, o.Table); err != nil {
		return err
	}
	exists, err := x.tableExists(ctx, nt)
	if err != nil {
		return err
	}
	if exists && !x.marked("created") {
		return fmt.Errorf("table %q already exists", nt)
	}
	if !exists {
		if err := x.mark(ctx, "created"); err != nil {
			return err
		}
		if err := x.ddl(ctx, nt, o.createSQL(x, x.version)); err != nil {
			return err
		}
	}
	if err := o.installSync(ctx, x, old); err != nil {
		return err
	}
	cols, exprs := o.mapped(x.quoting, old)
	names := make([]string, len(cols))
	vals := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		vals[i] = fmt.Sprintf("CAST((%s) AS %s)", exprs[i], castType(c.Type))
	}
	upd := o.upsertSet(x.quoting, cols)
	x.passes = append(x.passes, &pass{
		key:   fmt.Sprintf("copy:%d", x.idx+1),
		table: o.Table,
		stmt: func(cond string) string {
			return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM (SELECT * FROM %s WHERE %s FOR SHARE) AS _s ON CONFLICT ON CONSTRAINT %s %s",
				x.q(nt), x.list(names), strings.Join(vals, ", "), x.q(o.Table), cond, x.ident(o.pkName(x.version)), upd)
		},
	})
	return nil
}

func (o *RestructureTable) upsertSet(w quoting, cols []Column) string {
	var set []string
	for _, c := range cols {
		if !contains(o.pk(), c.Name) {
			set = append(set, fmt.Sprintf("%s = EXCLUDED.%s", w.ident(c.Name), w.ident(c.Name)))
		}
	}
	if len(set) == 0 {
		return "DO NOTHING"
	}
	return "DO UPDATE SET " + strings.Join(set, ", ")
}

// refuseReferenced refuses a table other tables' foreign keys point at:
// they would keep pointing at the old table after the cut-over.
func (o *RestructureTable) refuseReferenced(ctx context.Context, x *Exec) error {
	refs, err := x.referencedBy(ctx, o.Table)
	if err != nil {
		return err
	}
	if len(refs) > 0 {
		return fmt.Errorf("table %q is referenced by foreign keys (%s): drop them first, restructure, then add them back on the new table", o.Table, strings.Join(refs, ", "))
	}
	return nil
}

// installSync creates the AFTER trigger that copies each change of the old
// table into the new one and, when Down is given, the one that copies
// changes made through the new shape back into the old table.
func (o *RestructureTable) installSync(ctx context.Context, x *Exec, old []dialect.Column) error {
	cols, exprs := o.mapped(x.quoting, old)
	fwd := copyTrigger{name: o.trigger(x), source: o.Table, src: old, target: o.newTable(x.version),
		conflict: o.pkName(x.version), set: o.upsertSet(x.quoting, cols)}
	for _, k := range o.pk() {
		found := false
		for j, c := range cols {
			if c.Name == k {
				fwd.keys = append(fwd.keys, k)
				fwd.keyTypes = append(fwd.keyTypes, castType(c.Type))
				fwd.keyExprs = append(fwd.keyExprs, exprs[j])
				found = true
			}
		}
		if !found {
			return fmt.Errorf("primary key column %q of the new table has no mapping from the old table", k)
		}
	}
	for i, c := range cols {
		fwd.cols = append(fwd.cols, c.Name)
		fwd.vals = append(fwd.vals, fmt.Sprintf("CAST((%s) AS %s)", exprs[i], castType(c.Type)))
	}
	if err := x.ddl(ctx, o.Table, fwd.sql(x.quoting, x.Schema())...); err != nil {
		return err
	}
	if len(o.Down) == 0 {
		return nil
	}
	rev, err := o.reverse(ctx, x, old)
	if err != nil {
		return err
	}
	return x.ddl(ctx, o.newTable(x.version), rev.sql(x.quoting, x.Schema())...)
}

// reverse builds the trigger that copies new-shape writes back into the old
// table through Down.
func (o *RestructureTable) reverse(ctx context.Context, x *Exec, old []dialect.Column) (*copyTrigger, error) {
	ti, err := x.describe(ctx, o.Table)
	if err != nil {
		return nil, err
	}
	conName, keys := ti.PrimaryKeyName, ti.PrimaryKey
	if len(keys) == 0 {
		return nil, fmt.Errorf("down needs a primary key on %q to copy new-shape writes back", o.Table)
	}
	var src []dialect.Column
	for _, c := range o.Columns {
		src = append(src, dialect.Column{Name: c.Name, Type: castType(c.Type)})
	}
	for k := range o.Down {
		if _, ok := findColumn(old, k); !ok {
			return nil, fmt.Errorf("down: %q is not a column of %q", k, o.Table)
		}
	}
	rev := &copyTrigger{name: x.name(o.Table, "back"), source: o.newTable(x.version), src: src, target: o.Table, conflict: conName}
	var set []string
	for _, c := range old {
		expr, ok := o.Down[c.Name]
		if !ok {
			if _, same := findColumn(src, c.Name); !same {
				continue
			}
			expr = x.ident(c.Name)
		}
		rev.cols = append(rev.cols, c.Name)
		rev.vals = append(rev.vals, fmt.Sprintf("CAST((%s) AS %s)", expr, c.Type))
		if contains(keys, c.Name) {
			rev.keys = append(rev.keys, c.Name)
			rev.keyTypes = append(rev.keyTypes, c.Type)
			rev.keyExprs = append(rev.keyExprs, expr)
		} else {
			set = append(set, fmt.Sprintf("%s = EXCLUDED.%s", x.ident(c.Name), x.ident(c.Name)))
		}
	}
	if len(rev.keys) != len(keys) {
		return nil, fmt.Errorf("down must give every primary key column of %q (%s)", o.Table, strings.Join(keys, ", "))
	}
	rev.set = "DO NOTHING"
	if len(set) > 0 {
		rev.set = "DO UPDATE SET " + strings.Join(set, ", ")
	}
	return rev, nil
}

// afterBackfill verifies the copy: the same number of rows and the same
// checksum of the mapped values, both read in one snapshot.
func (o *RestructureTable) afterBackfill(ctx context.Context, x *Exec) error {
	old, err := x.columns(ctx, o.Table)
	if err != nil {
		return err
	}
	cols, exprs := o.mapped(x.quoting, old)
	oldRow := make([]string, len(cols))
	newRow := make([]string, len(cols))
	for i, c := range cols {
		oldRow[i] = fmt.Sprintf("CAST((%s) AS %s)", exprs[i], castType(c.Type))
		newRow[i] = x.ident(c.Name)
	}
	q := fmt.Sprintf(`SELECT
  (SELECT count(*) FROM %s), (SELECT count(*) FROM %s),
  (SELECT COALESCE(sum(hashtext(ROW(%s)::text)::bigint), 0)::text FROM %s),
  (SELECT COALESCE(sum(hashtext(ROW(%s)::text)::bigint), 0)::text FROM %s)`,
		x.q(o.Table), x.q(o.newTable(x.version)), strings.Join(oldRow, ", "), x.q(o.Table), strings.Join(newRow, ", "), x.q(o.newTable(x.version)))
	var n1, n2 int64
	var s1, s2 string
	if err := x.db().QueryRowContext(ctx, q).Scan(&n1, &n2, &s1, &s2); err != nil {
		return fmt.Errorf("verify copy of %s: %w", o.Table, err)
	}
	if n1 != n2 || s1 != s2 {
		return fmt.Errorf("verify copy of %s: %d rows (checksum %s) in %s, %d (checksum %s) in %s; abort and report this",
			o.Table, n1, s1, o.Table, n2, s2, o.newTable(x.version))
	}
	x.r.logger().Info("copy verified", "version", x.version, "table", o.Table, "rows", n1)
	x.data()["verified_rows"] = fmt.Sprint(n1)
	return x.save(ctx)
}

func (o *RestructureTable) Complete(ctx context.Context, x *Exec) error {
	nt, ot := o.newTable(x.version), o.oldTable(x.version)
	x.contractTrigger(o.trigger(x), o.Table)
	x.contractTrigger(x.name(o.Table, "back"), o.newTable(x.version))
	// Sequences of serial columns move past the copied keys.
	var seqs []string
	for _, c := range o.Columns {
		if strings.Contains(strings.ToLower(c.Type), "serial") || (c.Default != nil && strings.Contains(*c.Default, "nextval")) {
			seqs = append(seqs, c.Name)
		}
	}
	sort.Strings(seqs)
	// The catalog is read here, before the cut-over transaction, which
	// then holds its locks only for plain statements. The maximum is read
	// inside it: until then the trigger keeps copying new rows in. (Once
	// the cut-over has committed, the new table has the old one's name and
	// these reads find nothing, which a resumed Complete does not need.)
	for _, c := range seqs {
		seq, err := x.eng.serialSequence(ctx, x.db(), x.table(nt), c)
		if err != nil {
			return fmt.Errorf("read the sequence of %s.%s: %w", nt, c, err)
		}
		if seq != "" {
			x.contractSQL(fmt.Sprintf("SELECT setval(%s::regclass, GREATEST((SELECT max(%s) FROM %s), 1))",
				x.literal(seq), x.ident(c), x.q(nt)))
		}
	}
	// Sequences the old table owns but the new one uses must outlive it.
	shared, err := x.eng.sharedSequences(ctx, x.db(), x.table(o.Table), x.table(nt))
	if err != nil {
		return fmt.Errorf("read the sequences %s shares with %s: %w", o.Table, nt, err)
	}
	for _, seq := range shared {
		x.contractSQL("ALTER SEQUENCE " + seq + " OWNED BY NONE")
	}
	x.contractSQL(
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", x.q(o.Table), x.ident(ot)),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", x.q(nt), x.ident(o.Table)))
	x.afterSQL(o.Table, "DROP TABLE IF EXISTS "+x.q(ot))
	return nil
}

func (o *RestructureTable) Rollback(ctx context.Context, x *Exec) error {
	if !x.marked("created") {
		return nil
	}
	if err := x.dropTrigger(ctx, o.trigger(x), o.Table); err != nil {
		return err
	}
	return x.ddl(ctx, o.Table, "DROP TABLE IF EXISTS "+x.q(o.newTable(x.version)),
		"DROP FUNCTION IF EXISTS "+x.qualified(x.Schema(), x.name(o.Table, "back"))+"()")
}

// reshape points the new shape's view of the table at the new table. The
// shape is computed before the new table exists too, so it is built from
// Columns rather than the catalog.
func (o *RestructureTable) reshape(s *shape) error {
	// The new table is not a table of the new shape in its own right.
	for i, t := range s.tables {
		if t.Phys == o.newTableFor(s) {
			s.tables = append(s.tables[:i], s.tables[i+1:]...)
			break
		}
	}
	t, err := s.mustTable(o.Table)
	if err != nil {
		return err
	}
	t.Phys = o.newTableFor(s)
	t.Cols = nil
	for _, c := range o.Columns {
		t.Cols = append(t.Cols, modelCol{Name: c.Name, Phys: c.Name, Type: c.Type})
	}
	return nil
}

// newTableFor returns the new table's name for the shape's version.
func (o *RestructureTable) newTableFor(s *shape) string { return o.newTable(s.version) }

func (o *RestructureTable) plan(p *plan) {
	p.start = append(p.start, o.createSQL(p, p.version),
		fmt.Sprintf("CREATE TRIGGER ... AFTER INSERT OR UPDATE OR DELETE ON %s -- copies each change into %s", p.q(o.Table), p.ident(o.newTable(p.version))),
		fmt.Sprintf("INSERT INTO %s SELECT ... FROM (SELECT * FROM %s WHERE <key range> FOR SHARE) ON CONFLICT DO UPDATE -- in batches", p.ident(o.newTable(p.version)), p.q(o.Table)),
		"-- verify: row count and checksum of both tables in one snapshot")
	p.complete = append(p.complete,
		fmt.Sprintf("DROP TRIGGER ...; ALTER TABLE %s RENAME TO %s; ALTER TABLE %s RENAME TO %s -- one transaction",
			p.q(o.Table), p.ident(o.oldTable(p.version)), p.ident(o.newTable(p.version)), p.ident(o.Table)),
		"DROP TABLE "+p.ident(o.oldTable(p.version)))
	p.abort = append(p.abort, "DROP TRIGGER ...; DROP TABLE IF EXISTS "+p.ident(o.newTable(p.version)))
}

func (o *RestructureTable) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	c.needKey("table", t, "the copy of restructure_table")
	if refs := c.referencedBy(t.Phys); len(refs) > 0 {
		c.fail("table", "foreign key %s points at table %q; it would keep pointing at the old table after the cut-over: drop it first and add it back after complete", strings.Join(refs, ", "), o.Table)
	}
	c.noTable("table", o.newTable(c.x.version))
	for i := range o.Columns {
		field := fmt.Sprintf("columns[%d]", i)
		c.typeKnown(field+".type", o.Columns[i].Type)
		if r := o.Columns[i].References; r != nil && r.Table != o.Table {
			c.references(field+".references", r.Table, []string{r.Column})
		}
	}
	for k := range o.Down {
		if t.col(k) == nil {
			c.fail("down", "%q is not a column of table %q", k, o.Table)
		}
	}
	if len(o.Down) == 0 || c.err != nil || c.create[t.Phys] != nil {
		return
	}
	ti, err := c.x.describe(c.ctx, t.Phys)
	if err != nil {
		c.err = err
		return
	}
	if len(ti.PrimaryKey) == 0 {
		c.fail("down", "table %q has no primary key, which down needs to copy new-shape writes back", o.Table)
	}
}
