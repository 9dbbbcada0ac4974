package online

import (
	"context"
	"fmt"
	"strings"
)

// AddForeignKey adds a foreign key NOT VALID (a brief lock on both tables)
// at Start, then validates it in its own transaction once backfills are
// done, which blocks neither readers nor writers.
type AddForeignKey struct {
	Table      string   `yaml:"table"`
	Name       string   `yaml:"name"`
	Columns    []string `yaml:"columns"`
	References struct {
		Table   string   `yaml:"table"`
		Columns []string `yaml:"columns"`
	} `yaml:"references"`
	OnDelete string `yaml:"on_delete"`
	OnUpdate string `yaml:"on_update"`
}

func (o *AddForeignKey) Kind() string     { return "add_foreign_key" }
func (o *AddForeignKey) Tables() []string { return []string{o.Table, o.References.Table} }

func (o *AddForeignKey) Validate() error {
	switch {
	case o.Table == "":
		return errField("table", "is required")
	case o.Name == "":
		return errField("name", "is required")
	case len(o.Columns) == 0:
		return errField("columns", "is required")
	case o.References.Table == "":
		return errField("references.table", "is required")
	case len(o.References.Columns) != len(o.Columns):
		return errField("references.columns", "needs as many columns as columns (%d)", len(o.Columns))
	}
	if err := validAction(o.OnDelete); err != nil {
		return errField("on_delete", "%v", err)
	}
	if err := validAction(o.OnUpdate); err != nil {
		return errField("on_update", "%v", err)
	}
	return nil
}

func (o *AddForeignKey) def(q func(string) string) string {
	return fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s)%s", quoteList(o.Columns), q(o.References.Table),
		quoteList(o.References.Columns), refActions(o.OnDelete, o.OnUpdate))
}

func (o *AddForeignKey) Start(ctx context.Context, x *Exec) error {
	exists, _, err := constraintState(ctx, x.db(), x.Schema(), o.Table, o.Name)
	if err != nil {
		return err
	}
	if exists && !x.marked("created") {
		return fmt.Errorf("constraint %q already exists on %s", o.Name, o.Table)
	}
	if err := x.mark(ctx, "created"); err != nil {
		return err
	}
	return x.addConstraint(ctx, o.Table, o.Name, o.def(x.q))
}

func (o *AddForeignKey) afterBackfill(ctx context.Context, x *Exec) error {
	return x.validateConstraint(ctx, o.Table, o.Name)
}

func (o *AddForeignKey) Complete(ctx context.Context, x *Exec) error { return nil }

func (o *AddForeignKey) Rollback(ctx context.Context, x *Exec) error {
	return x.dropConstraint(ctx, o.Table, o.Name)
}

// dropConstraint drops a constraint the operation created, for abort.
func (x *Exec) dropConstraint(ctx context.Context, table, name string) error {
	if !x.marked("created") {
		return nil
	}
	ok, err := tableExists(ctx, x.db(), x.Schema(), table)
	if err != nil || !ok {
		return err
	}
	return x.ddl(ctx, table, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", x.q(table), quoteIdent(name)))
}

func (o *AddForeignKey) plan(p *plan) {
	p.start = append(p.start,
		fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", p.q(o.Table), quoteIdent(o.Name), o.def(p.q)),
		fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s -- own transaction", p.q(o.Table), quoteIdent(o.Name)))
	p.abort = append(p.abort, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", p.q(o.Table), quoteIdent(o.Name)))
}

func (o *AddForeignKey) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	rt := c.table("references.table", o.References.Table)
	if t == nil || rt == nil {
		return
	}
	for _, col := range o.Columns {
		c.col("columns", t, col)
	}
	for _, col := range o.References.Columns {
		c.col("references.columns", rt, col)
	}
	c.constraintFree("name", t.Phys, o.Name)
	if c.err != nil || c.create[rt.Phys] != nil {
		return
	}
	var ok bool
	err := c.r.DB.QueryRowContext(c.ctx, `
SELECT EXISTS (SELECT 1 FROM pg_index i
  WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
    AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[]))
        = (SELECT array_agg(x ORDER BY x) FROM unnest($2::text[]) AS x))`, c.x.q(rt.Phys), o.References.Columns).Scan(&ok)
	if err != nil {
		c.err = err
		return
	}
	if !ok {
		c.fail("references.columns", "table %q has no primary key or unique constraint over (%s), which a foreign key needs", o.References.Table, strings.Join(o.References.Columns, ", "))
	}
}
