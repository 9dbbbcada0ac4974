package online

import (
	"context"
	"fmt"
)

// AddColumn adds a column. Up, an expression over the old shape's columns,
// fills it: for existing rows in a batched backfill, and for rows written
// by old-shape writers through a trigger. A NOT NULL column is enforced by
// a CHECK (col IS NOT NULL) NOT VALID at Start, validated after the
// backfill and turned into SET NOT NULL at Complete.
type AddColumn struct {
	Table  string `yaml:"table"`
	Column Column `yaml:"column"`
	Up     string `yaml:"up"`
}

func (o *AddColumn) Kind() string     { return "add_column" }
func (o *AddColumn) Tables() []string { return []string{o.Table} }

func (o *AddColumn) Validate() error {
	if o.Table == "" {
		return errField("table", "is required")
	}
	if err := o.Column.validate("column"); err != nil {
		return err
	}
	if o.Column.PK {
		return errField("column.pk", "cannot add a primary key column online; use restructure_table")
	}
	if !o.Column.nullable() && o.Column.Default == nil && o.Up == "" {
		return errField("column.nullable", "a NOT NULL column needs a default or an up expression to fill existing rows (or set nullable: true)")
	}
	return nil
}

func (o *AddColumn) names(x *Exec) (trg, nn, uq string) {
	return x.name(o.Table, "add", o.Column.Name), x.name("nn", o.Column.Name), x.name("uq", o.Column.Name)
}

func (o *AddColumn) Start(ctx context.Context, x *Exec) error {
	c := &o.Column
	_, t, err := x.tableBefore(ctx, o.Table)
	if err != nil {
		return err
	}
	trg, nn, _ := o.names(x)
	if t.col(c.Name) != nil && !x.marked("added") {
		return fmt.Errorf("column %q of table %q already exists", c.Name, o.Table)
	}
	qt := x.q(t.Phys)
	qc := x.ident(c.Name)
	up := o.Up
	fast := false
	if c.Default != nil && up == "" {
		if fast, err = x.eng.addsWithoutRewrite(ctx, x.db(), c.Type, *c.Default); err != nil {
			return err
		}
		if !fast {
			up = *c.Default // volatile: computed per row by the backfill, like PostgreSQL would
		}
	}
	if err := x.mark(ctx, "added"); err != nil {
		return err
	}
	var stmts []string
	if fast {
		// A constant default: PostgreSQL records it in the catalog, no rewrite
		// and no scan, even with NOT NULL.
		def := fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s DEFAULT %s", qt, qc, c.Type, *c.Default)
		if !c.nullable() {
			def += " NOT NULL"
		}
		stmts = append(stmts, def)
	} else {
		def := ""
		if c.Default != nil {
			def = *c.Default
		}
		stmts = append(stmts, addColumnSQL(qt, qc, c.Type, def))
	}
	if err := x.ddl(ctx, t.Phys, stmts...); err != nil {
		return err
	}
	// The trigger goes in before any constraint, so old-shape writers never
	// see a constraint their rows do not yet satisfy.
	if up != "" {
		if o.Up != "" {
			if err := x.installTrigger(ctx, dualWrite{name: trg, table: t.Phys,
				oldBody: fmt.Sprintf("NEW.%s := (%s);", qc, o.Up)}); err != nil {
				return err
			}
		}
		x.backfillColumn(t.Phys, c.Name, up)
	}
	return o.addConstraints(ctx, x, t.Phys, nn, !fast && !c.nullable())
}

// addColumnSQL adds a column, and sets its default when def is not empty,
// in one statement: one lock, taken once. The default set after the column
// exists applies to rows written from then on, while existing rows keep
// NULL for the backfill to fill, so the table is not rewritten even when
// def is volatile.
func addColumnSQL(qt, qc, typ, def string) string {
	s := fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s", qt, qc, typ)
	if def != "" {
		s += fmt.Sprintf(", ALTER COLUMN %s SET DEFAULT %s", qc, def)
	}
	return s
}

// addConstraints adds the new column's constraints, NOT VALID (validated
// after the backfill), and its comment. notNull asks for the CHECK that
// stands for NOT NULL until Complete.
func (o *AddColumn) addConstraints(ctx context.Context, x *Exec, table, nn string, notNull bool) error {
	c := &o.Column
	qt, qc := x.q(table), x.ident(c.Name)
	if notNull {
		if err := x.addConstraint(ctx, table, nn, fmt.Sprintf("CHECK (%s IS NOT NULL)", qc)); err != nil {
			return err
		}
	}
	if c.Check != nil {
		if err := x.addConstraint(ctx, table, checkName(x, c), "CHECK ("+c.Check.Constraint+")"); err != nil {
			return err
		}
	}
	if r := c.References; r != nil {
		if err := x.addConstraint(ctx, table, fkName(x, c), fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s)%s",
			qc, x.q(r.Table), x.ident(r.Column), refActions(r.OnDelete, r.OnUpdate))); err != nil {
			return err
		}
	}
	if c.Comment != "" {
		if err := x.ddl(ctx, table, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", qt, qc, x.literal(c.Comment))); err != nil {
			return err
		}
	}
	return nil
}

func checkName(x *Exec, c *Column) string {
	if c.Check.Name != "" {
		return c.Check.Name
	}
	return x.name("chk", c.Name)
}

func fkName(x *Exec, c *Column) string {
	if c.References.Name != "" {
		return c.References.Name
	}
	return x.name("fk", c.Name)
}

// createConstraint adds the constraint an operation creates, NOT VALID;
// a constraint of that name that this migration did not create is an
// error.
func (x *Exec) createConstraint(ctx context.Context, table, name, def string) error {
	exists, _, err := x.constraintState(ctx, table, name)
	if err != nil {
		return err
	}
	if exists && !x.marked("created") {
		return fmt.Errorf("constraint %q already exists on %s", name, table)
	}
	if err := x.mark(ctx, "created"); err != nil {
		return err
	}
	return x.addConstraint(ctx, table, name, def)
}

// addConstraint adds a constraint NOT VALID, unless it exists already.
func (x *Exec) addConstraint(ctx context.Context, table, name, def string) error {
	exists, _, err := x.constraintState(ctx, table, name)
	if err != nil || exists {
		return err
	}
	return x.ddl(ctx, table, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", x.q(table), x.ident(name), def))
}

// validateConstraint validates a NOT VALID constraint in its own
// transaction; VALIDATE takes a lock that readers and writers do not wait
// for.
func (x *Exec) validateConstraint(ctx context.Context, table, name string) error {
	exists, valid, err := x.constraintState(ctx, table, name)
	if err != nil || !exists || valid {
		return err
	}
	if err := x.concurrent(ctx, table, fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", x.q(table), x.ident(name))); err != nil {
		return fmt.Errorf("validate %s on %s (existing rows break it; fix them, e.g. with a backfill operation, or abort): %w", name, table, err)
	}
	return nil
}

func (o *AddColumn) afterBackfill(ctx context.Context, x *Exec) error {
	c := &o.Column
	_, nn, uq := o.names(x)
	if err := x.validateConstraint(ctx, o.Table, nn); err != nil {
		return err
	}
	if c.Check != nil {
		if err := x.validateConstraint(ctx, o.Table, checkName(x, c)); err != nil {
			return err
		}
	}
	if c.References != nil {
		if err := x.validateConstraint(ctx, o.Table, fkName(x, c)); err != nil {
			return err
		}
	}
	if c.Unique {
		return x.buildIndex(ctx, o.Table, uq, fmt.Sprintf("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s)", x.ident(uq), x.q(o.Table), x.ident(c.Name)))
	}
	return nil
}

func (o *AddColumn) Complete(ctx context.Context, x *Exec) error {
	c := &o.Column
	trg, nn, uq := o.names(x)
	qt, qc := x.q(o.Table), x.ident(c.Name)
	if o.Up != "" {
		x.contractTrigger(trg, o.Table)
	}
	exists, _, err := x.constraintState(ctx, o.Table, nn)
	if err != nil {
		return err
	}
	if exists {
		// The validated CHECK lets SET NOT NULL skip its scan.
		x.contractSQL(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", qt, qc),
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qt, x.ident(nn)))
	}
	if c.Unique {
		name := o.Table + "_" + c.Name + "_key"
		x.contractSQL(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s", qt, x.ident(truncName(name)), x.ident(uq)))
	}
	return nil
}

func (o *AddColumn) Rollback(ctx context.Context, x *Exec) error {
	if !x.marked("added") {
		return nil
	}
	trg, _, _ := o.names(x)
	if err := x.dropTrigger(ctx, trg, o.Table); err != nil {
		return err
	}
	return x.ddl(ctx, o.Table, fmt.Sprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", x.q(o.Table), x.ident(o.Column.Name)))
}

func (o *AddColumn) reshape(s *shape) error {
	t, err := s.mustTable(o.Table)
	if err != nil {
		return err
	}
	if t.col(o.Column.Name) == nil {
		t.Cols = append(t.Cols, modelCol{Name: o.Column.Name, Phys: o.Column.Name, Type: o.Column.Type})
	}
	return nil
}

func (o *AddColumn) plan(p *plan) {
	c := &o.Column
	qt, qc := p.q(o.Table), p.ident(c.Name)
	p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", qt, qc, c.Type))
	if c.Default != nil {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s -- or in ADD COLUMN when constant", qt, qc, *c.Default))
	}
	if !c.nullable() {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT ... CHECK (%s IS NOT NULL) NOT VALID", qt, qc))
	}
	if o.Up != "" {
		p.start = append(p.start,
			fmt.Sprintf("CREATE TRIGGER ... BEFORE INSERT OR UPDATE ON %s -- old-shape writes set %s = (%s)", qt, qc, o.Up),
			fmt.Sprintf("UPDATE %s SET %s = (%s) WHERE <key range> -- in batches of about the batch time", qt, qc, o.Up))
	}
	if !c.nullable() {
		p.start = append(p.start, fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT ...", qt))
		p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL; ALTER TABLE %s DROP CONSTRAINT ...", qt, qc, qt))
	}
	if c.Unique {
		p.start = append(p.start, fmt.Sprintf("CREATE UNIQUE INDEX CONCURRENTLY ... ON %s (%s)", qt, qc))
		p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT ... UNIQUE USING INDEX ...", qt))
	}
	if o.Up != "" {
		p.complete = append(p.complete, "DROP TRIGGER ...; DROP FUNCTION ...")
	}
	p.abort = append(p.abort, fmt.Sprintf("DROP TRIGGER IF EXISTS ...; ALTER TABLE %s DROP COLUMN IF EXISTS %s", qt, qc))
}

func (o *AddColumn) precheck(c *checkEnv) {
	col := &o.Column
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	if t.col(col.Name) != nil {
		c.fail("column.name", "column %q of table %q already exists", col.Name, o.Table)
	}
	before := len(c.errs)
	c.typeKnown("column.type", col.Type)
	if r := col.References; r != nil {
		c.references("column.references", r.Table, []string{r.Column})
		c.constraintFree("column.references.name", t.Phys, r.Name)
	}
	if col.Check != nil {
		c.constraintFree("column.check.name", t.Phys, col.Check.Name)
	}
	if col.Unique {
		name := truncName(o.Table + "_" + col.Name + "_key")
		c.constraintFree("column.unique", t.Phys, name)
		if kind := c.relationKind(name); kind != "" {
			c.fail("column.unique", "complete names the unique constraint %q, but %s %q already exists", name, kind, name)
		}
	}
	if c.err != nil || len(c.errs) > before {
		return
	}
	field, backfill := "up", o.Up != ""
	if !backfill && col.Default != nil {
		fast, err := c.x.eng.addsWithoutRewrite(c.ctx, c.x.db(), col.Type, *col.Default)
		if err != nil {
			c.fail("column.default", "%v", err)
			return
		}
		field, backfill = "column.default", !fast
	}
	if backfill {
		c.needKey(field, t, "the backfill of add_column")
	}
}
