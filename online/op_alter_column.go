package online

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// AlterColumn changes a column. A change of type, or any change with an up
// expression, builds a new column beside the old one (_strata_new_<col>):
// triggers keep both in step (old-shape writes compute the new column with
// Up, new-shape writes compute the old with Down), existing rows are
// backfilled, constraints and copies of the column's indexes are built on
// the new column, and Complete swaps the columns in one short transaction
// (so the column moves to the end of the table's column order).
// Other changes (default, nullability, check, unique, foreign key, name)
// are made in place with the same lock-light steps.
//
// Constraints on the new column hold from Start on, for the rows the
// backfill writes and for old-shape writes the trigger converts, so Up must
// produce values that satisfy them (as in pgroll): a row that breaks them
// stops the backfill, and an old-shape write that would break them fails.
type AlterColumn struct {
	Table      string      `yaml:"table"`
	Column     string      `yaml:"column"`
	Name       string      `yaml:"name"` // rename to
	Type       string      `yaml:"type"`
	Up         string      `yaml:"up"`   // new value from the old shape's columns
	Down       string      `yaml:"down"` // old value from the new shape's columns
	Nullable   *bool       `yaml:"nullable"`
	Default    *string     `yaml:"default"`
	Check      *Check      `yaml:"check"`
	Unique     *Unique     `yaml:"unique"`
	References *References `yaml:"references"`
	Comment    *string     `yaml:"comment"`
}

// Unique names a unique constraint.
type Unique struct {
	Name string `yaml:"name"`
}

func (o *AlterColumn) Kind() string     { return "alter_column" }
func (o *AlterColumn) Tables() []string { return []string{o.Table} }

func (o *AlterColumn) Validate() error {
	if err := required("table", o.Table, "column", o.Column); err != nil {
		return err
	}
	if o.Name == "" && o.Type == "" && o.Up == "" && o.Nullable == nil && o.Default == nil && o.Check == nil &&
		o.Unique == nil && o.References == nil && o.Comment == nil {
		return errField("column", "nothing to change: give name, type, nullable, default, check, unique, references or comment")
	}
	if o.Check != nil && o.Check.Constraint == "" {
		return errField("check.constraint", "is required")
	}
	if r := o.References; r != nil && (r.Table == "" || r.Column == "") {
		return errField("references", "needs table and column")
	}
	if o.Down != "" && !o.dup() {
		return errField("down", "only applies with type or up")
	}
	return nil
}

// dup reports whether the change builds a new column.
func (o *AlterColumn) dup() bool { return o.Type != "" || o.Up != "" }

func (o *AlterColumn) newPhys() string { return truncName(newPrefix + o.Column) }

// target is the physical column constraints and indexes go on.
func (o *AlterColumn) target() string {
	if o.dup() {
		return o.newPhys()
	}
	return o.Column
}

func (o *AlterColumn) finalName() string {
	if o.Name != "" {
		return o.Name
	}
	return o.Column
}

func (o *AlterColumn) names(x *Exec) (trg, nn, chk, uq, fk string) {
	return x.name(o.Table, "alter", o.Column), x.name("nn", o.Column), x.name("chk", o.Column), x.name("uq", o.Column), x.name("fk", o.Column)
}

func (o *AlterColumn) Start(ctx context.Context, x *Exec) error {
	_, t, err := x.tableBefore(ctx, o.Table)
	if err != nil {
		return err
	}
	mc, err := t.mustCol(o.Column)
	if err != nil {
		return err
	}
	if mc.Phys != o.Column {
		return fmt.Errorf("column %q is changed by an earlier operation of this migration; alter it in a later migration", o.Column)
	}
	if o.Name != "" && o.Name != o.Column && t.col(o.Name) != nil {
		return fmt.Errorf("column %q of table %q already exists", o.Name, o.Table)
	}
	cols, err := x.columns(ctx, o.Table)
	if err != nil {
		return err
	}
	old, ok := findColumn(cols, o.Column)
	if !ok {
		old.Nullable = true
	}
	if o.dup() {
		return o.startDup(ctx, x, old)
	}
	return o.startInPlace(ctx, x, old)
}

func (o *AlterColumn) notNull(old dialect.Column) bool {
	if o.Nullable != nil {
		return !*o.Nullable
	}
	return !old.Nullable
}

func (o *AlterColumn) startDup(ctx context.Context, x *Exec, old dialect.Column) error {
	if err := o.refuseKeyColumn(ctx, x); err != nil {
		return err
	}
	trg, nn, chk, _, fk := o.names(x)
	qt, qc, qn := x.q(o.Table), x.ident(o.Column), x.ident(o.newPhys())
	typ := o.Type
	if typ == "" {
		typ = old.Type
	}
	up, down := o.Up, o.Down
	if up == "" {
		up = fmt.Sprintf("CAST(%s AS %s)", qc, typ)
	}
	if down == "" {
		down = fmt.Sprintf("CAST(%s AS %s)", x.ident(o.finalName()), old.Type)
	}
	if _, ok := x.data()["type"]; !ok {
		x.data()["type"] = typ
		x.data()["not_null"] = fmt.Sprint(o.notNull(old))
	}
	if err := x.mark(ctx, "added"); err != nil {
		return err
	}
	def := old.Default
	if o.Default != nil {
		def = *o.Default
	}
	if err := x.ddl(ctx, o.Table, addColumnSQL(qt, qn, typ, def)); err != nil {
		return err
	}
	if err := x.installTrigger(ctx, dualWrite{
		name:    trg,
		table:   o.Table,
		oldBody: fmt.Sprintf("NEW.%s := (%s);", qn, up),
		newBody: fmt.Sprintf("NEW.%s := (%s);", qc, down),
	}); err != nil {
		return err
	}
	if o.notNull(old) {
		if err := x.addConstraint(ctx, o.Table, nn, fmt.Sprintf("CHECK (%s IS NOT NULL)", qn)); err != nil {
			return err
		}
	}
	if o.Check != nil {
		expr := renameIdent(x.quoting, o.Check.Constraint, o.finalName(), o.newPhys())
		if o.finalName() != o.Column {
			expr = renameIdent(x.quoting, expr, o.Column, o.newPhys())
		}
		if err := x.addConstraint(ctx, o.Table, chk, "CHECK ("+expr+")"); err != nil {
			return err
		}
	}
	if r := o.References; r != nil {
		if err := x.addConstraint(ctx, o.Table, fk, fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s)%s",
			qn, x.q(r.Table), x.ident(r.Column), refActions(r.OnDelete, r.OnUpdate))); err != nil {
			return err
		}
	}
	x.backfillColumn(o.Table, o.newPhys(), up)
	return nil
}

// refuseKeyColumn refuses to duplicate a column that is part of the primary
// key or of a foreign key: swapping it would need the keys rebuilt, which
// restructure_table does.
func (o *AlterColumn) refuseKeyColumn(ctx context.Context, x *Exec) error {
	kinds, err := x.keyConstraints(ctx, o.Table, o.Column)
	if err != nil {
		return err
	}
	if len(kinds) > 0 {
		return fmt.Errorf("column %q is part of %s: changing its type online needs restructure_table", o.Column, strings.Join(kinds, " and "))
	}
	return nil
}

// keyConstraints says which kinds of key column col of table is part of:
// "the primary key", "a foreign key" (its own or one pointing at it).
func (x *Exec) keyConstraints(ctx context.Context, table, col string) ([]string, error) {
	ti, err := x.describe(ctx, table)
	if errors.Is(err, dialect.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var kinds []string
	if slices.Contains(ti.PrimaryKey, col) {
		kinds = append(kinds, "the primary key")
	}
	uses := func(cols []string) bool { return slices.Contains(cols, col) }
	fk := slices.ContainsFunc(ti.ForeignKeys, func(k dialect.ForeignKey) bool { return uses(k.Columns) })
	if !fk {
		in, err := x.eng.inboundKeys(ctx, x.db(), x.table(table))
		if err != nil {
			return nil, err
		}
		fk = slices.ContainsFunc(in, func(k inboundKey) bool { return uses(k.Columns) })
	}
	if fk {
		kinds = append(kinds, "a foreign key")
	}
	return kinds, nil
}

// copyIndexes builds, on the new column, a copy of every index on the old
// column, recording the pairs for Complete.
func (o *AlterColumn) copyIndexes(ctx context.Context, x *Exec) error {
	ti, err := x.describe(ctx, o.Table)
	if err != nil {
		return err
	}
	for _, ix := range ti.Indexes {
		if strings.HasPrefix(ix.Name, "_strata_") || !(slices.Contains(ix.ColumnNames(), o.Column) || slices.Contains(ix.Include, o.Column)) {
			continue
		}
		def, ok := o.indexCopy(x, ix)
		if !ok {
			continue
		}
		newName := truncName(newPrefix + ix.Name)
		con := ""
		if ix.Constraint && slices.ContainsFunc(ti.Uniques, func(u dialect.Unique) bool { return u.Name == ix.Name }) {
			con = "u" // Complete turns the copy into the unique constraint
		}
		x.data()["index:"+newName] = ix.Name + "\x00" + con
		if err := x.save(ctx); err != nil {
			return err
		}
		if err := x.buildIndex(ctx, o.Table, newName, def); err != nil {
			return err
		}
	}
	return nil
}

// indexCopy rewrites the engine's definition of ix into a concurrent build
// of the same index over the new column.
func (o *AlterColumn) indexCopy(x *Exec, ix dialect.Index) (string, bool) {
	on := strings.Index(ix.Definition, " ON ")
	using := strings.Index(ix.Definition, " USING ")
	if on < 0 || using < 0 {
		return "", false
	}
	head := "CREATE INDEX CONCURRENTLY "
	if ix.Unique {
		head = "CREATE UNIQUE INDEX CONCURRENTLY "
	}
	return head + x.ident(truncName(newPrefix+ix.Name)) + ix.Definition[on:using] + renameIdent(x.quoting, ix.Definition[using:], o.Column, o.newPhys()), true
}

func (o *AlterColumn) startInPlace(ctx context.Context, x *Exec, old dialect.Column) error {
	_, nn, chk, _, fk := o.names(x)
	qt, qc := x.q(o.Table), x.ident(o.Column)
	if o.Default != nil {
		if _, ok := x.data()["prev_default"]; !ok {
			x.data()["prev_default"] = old.Default
			if err := x.save(ctx); err != nil {
				return err
			}
		}
		if err := x.ddl(ctx, o.Table, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", qt, qc, *o.Default)); err != nil {
			return err
		}
	}
	if o.Nullable != nil && *o.Nullable && (!old.Nullable || x.marked("dropped_not_null")) {
		if err := x.mark(ctx, "dropped_not_null"); err != nil {
			return err
		}
		if err := x.ddl(ctx, o.Table, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", qt, qc)); err != nil {
			return err
		}
	}
	if o.Nullable != nil && !*o.Nullable && old.Nullable {
		if err := x.mark(ctx, "created"); err != nil {
			return err
		}
		if err := x.addConstraint(ctx, o.Table, nn, fmt.Sprintf("CHECK (%s IS NOT NULL)", qc)); err != nil {
			return err
		}
	}
	if o.Check != nil {
		if err := x.mark(ctx, "created"); err != nil {
			return err
		}
		if err := x.addConstraint(ctx, o.Table, chk, "CHECK ("+o.Check.Constraint+")"); err != nil {
			return err
		}
	}
	if r := o.References; r != nil {
		if err := x.mark(ctx, "created"); err != nil {
			return err
		}
		if err := x.addConstraint(ctx, o.Table, fk, fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s)%s",
			qc, x.q(r.Table), x.ident(r.Column), refActions(r.OnDelete, r.OnUpdate))); err != nil {
			return err
		}
	}
	return nil
}

func (o *AlterColumn) afterBackfill(ctx context.Context, x *Exec) error {
	_, nn, chk, uq, fk := o.names(x)
	for _, c := range []string{nn, chk, fk} {
		if err := x.validateConstraint(ctx, o.Table, c); err != nil {
			return err
		}
	}
	if o.Unique != nil {
		if err := x.mark(ctx, "created"); err != nil {
			return err
		}
		if err := x.buildIndex(ctx, o.Table, uq, fmt.Sprintf("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s)",
			x.ident(uq), x.q(o.Table), x.ident(o.target()))); err != nil {
			return err
		}
	}
	if o.dup() {
		return o.copyIndexes(ctx, x)
	}
	return nil
}

func (o *AlterColumn) Complete(ctx context.Context, x *Exec) error {
	trg, nn, chk, uq, _ := o.names(x)
	qt := x.q(o.Table)
	final := x.ident(o.finalName())
	if o.dup() {
		x.contractTrigger(trg, o.Table)
		x.contractSQL(
			fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", qt, x.ident(o.Column)),
			fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", qt, x.ident(o.newPhys()), final))
		var keys []string
		for k := range x.data() {
			if strings.HasPrefix(k, "index:") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			orig, con, _ := strings.Cut(x.data()[k], "\x00")
			tmp := strings.TrimPrefix(k, "index:")
			switch con {
			case "u":
				x.contractSQL(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s", qt, x.ident(orig), x.ident(tmp)))
			default:
				x.contractSQL(fmt.Sprintf("ALTER INDEX %s RENAME TO %s", x.q(tmp), x.ident(orig)))
			}
		}
		if x.data()["not_null"] == "true" {
			x.contractSQL(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", qt, final),
				fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(nn)))
		}
	} else {
		if o.Name != "" && o.Name != o.Column {
			x.contractSQL(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", qt, x.ident(o.Column), final))
		}
		if o.Nullable != nil && !*o.Nullable {
			x.contractSQL(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", qt, final),
				fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(nn)))
		}
	}
	if o.Check != nil && o.Check.Name != "" {
		x.contractSQL(fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", qt, x.ident(chk), x.ident(o.Check.Name)))
	}
	if o.Unique != nil {
		name := o.Unique.Name
		if name == "" {
			name = truncName(o.Table + "_" + o.finalName() + "_key")
		}
		x.contractSQL(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s", qt, x.ident(name), x.ident(uq)))
	}
	if o.Comment != nil {
		x.contractSQL(fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", qt, final, x.literal(*o.Comment)))
	}
	return nil
}

func (o *AlterColumn) Rollback(ctx context.Context, x *Exec) error {
	trg, nn, chk, uq, fk := o.names(x)
	qt, qc := x.q(o.Table), x.ident(o.Column)
	if o.dup() {
		if !x.marked("added") {
			return nil
		}
		if err := x.dropTrigger(ctx, trg, o.Table); err != nil {
			return err
		}
		// Dropping the new column drops its constraints and indexes too.
		return x.ddl(ctx, o.Table, fmt.Sprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", qt, x.ident(o.newPhys())))
	}
	if x.marked("created") {
		if err := x.concurrent(ctx, o.Table, "DROP INDEX CONCURRENTLY IF EXISTS "+x.q(uq)); err != nil {
			return err
		}
		if err := x.ddl(ctx, o.Table,
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(nn)),
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(chk)),
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(fk))); err != nil {
			return err
		}
	}
	if prev, ok := x.data()["prev_default"]; ok {
		stmt := fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", qt, qc)
		if prev != "" {
			stmt = fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", qt, qc, prev)
		}
		if err := x.ddl(ctx, o.Table, stmt); err != nil {
			return err
		}
	}
	if x.marked("dropped_not_null") {
		// Put NOT NULL back without a scan under an exclusive lock: a
		// validated CHECK first, then SET NOT NULL uses it.
		tmp := x.name("renn", o.Column)
		if err := x.addConstraint(ctx, o.Table, tmp, fmt.Sprintf("CHECK (%s IS NOT NULL)", qc)); err != nil {
			return err
		}
		if err := x.validateConstraint(ctx, o.Table, tmp); err != nil {
			return fmt.Errorf("restore NOT NULL on %s.%s (rows with NULL were written while expanded): %w", o.Table, o.Column, err)
		}
		if err := x.ddl(ctx, o.Table, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", qt, qc),
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(tmp))); err != nil {
			return err
		}
	}
	return nil
}

func (o *AlterColumn) reshape(s *shape) error {
	t, err := s.mustTable(o.Table)
	if err != nil {
		return err
	}
	c, err := t.mustCol(o.Column)
	if err != nil {
		return err
	}
	if o.dup() {
		c.Phys = o.newPhys()
		if o.Type != "" {
			c.Type = o.Type
		}
	}
	if o.Name != "" {
		c.Name = o.Name
	}
	return nil
}

func (o *AlterColumn) plan(p *plan) {
	qt, qc := p.q(o.Table), p.ident(o.Column)
	if o.dup() {
		qn := p.ident(o.newPhys())
		p.start = append(p.start,
			fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", qt, qn, o.Type),
			fmt.Sprintf("CREATE TRIGGER ... ON %s -- old-shape writes: %s = (%s); new-shape writes: %s = (%s)", qt, qn, o.Up, qc, o.Down),
			fmt.Sprintf("UPDATE %s SET %s = (%s) WHERE <key range> -- in batches", qt, qn, o.Up),
			"-- constraints NOT VALID then VALIDATE, copies of the column's indexes CONCURRENTLY")
		p.complete = append(p.complete,
			"DROP TRIGGER ...; DROP FUNCTION ...",
			fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", qt, qc),
			fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", qt, qn, p.ident(o.finalName())),
			"-- SET NOT NULL using the validated check, rename indexes and constraints")
		p.abort = append(p.abort, fmt.Sprintf("DROP TRIGGER ...; ALTER TABLE %s DROP COLUMN IF EXISTS %s", qt, qn))
		return
	}
	if o.Default != nil {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", qt, qc, *o.Default))
	}
	if o.Nullable != nil && *o.Nullable {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", qt, qc))
	}
	if o.Nullable != nil && !*o.Nullable {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT ... CHECK (%s IS NOT NULL) NOT VALID; VALIDATE", qt, qc))
		p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL; DROP CONSTRAINT ...", qt, qc))
	}
	if o.Check != nil {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT ... CHECK (%s) NOT VALID; VALIDATE", qt, o.Check.Constraint))
	}
	if o.Unique != nil {
		p.start = append(p.start, fmt.Sprintf("CREATE UNIQUE INDEX CONCURRENTLY ... ON %s (%s)", qt, qc))
		p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT ... UNIQUE USING INDEX ...", qt))
	}
	if o.Name != "" {
		p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", qt, qc, p.ident(o.Name)))
	}
	p.abort = append(p.abort, "-- drop the constraints and index created, restore the default and NOT NULL")
}

func (o *AlterColumn) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	mc := c.col("column", t, o.Column)
	if mc == nil {
		return
	}
	if mc.Phys != o.Column {
		c.fail("column", "column %q is changed by an earlier operation of this migration; alter it in a later migration", o.Column)
		return
	}
	if o.Name != "" && o.Name != o.Column && t.col(o.Name) != nil {
		c.fail("name", "column %q of table %q already exists", o.Name, o.Table)
	}
	c.typeKnown("type", o.Type)
	if r := o.References; r != nil {
		c.references("references", r.Table, []string{r.Column})
	}
	if o.Check != nil {
		c.constraintFree("check.name", t.Phys, o.Check.Name)
	}
	if o.Unique != nil {
		name := o.Unique.Name
		if name == "" {
			name = truncName(o.Table + "_" + o.finalName() + "_key")
		}
		c.constraintFree("unique", t.Phys, name)
		if kind := c.relationKind(name); kind != "" {
			c.fail("unique", "complete names the unique constraint %q, but %s %q already exists", name, kind, name)
		}
	}
	if !o.dup() || c.create[t.Phys] != nil || c.err != nil {
		return
	}
	field := "up"
	if o.Type != "" {
		field = "type"
	}
	c.needKey(field, t, "the backfill of the new column")
	kinds, err := c.x.keyConstraints(c.ctx, t.Phys, o.Column)
	if err != nil {
		c.err = err
		return
	}
	if len(kinds) > 0 {
		c.fail("column", "column %q is part of %s: changing its type online needs restructure_table", o.Column, strings.Join(kinds, " and "))
		return
	}
	c.dependents("column", t.Phys, o.Column, "alter_column (a new column replaces it)")
}
