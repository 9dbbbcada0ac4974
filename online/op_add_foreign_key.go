package online

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-db/strata/dialect"
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
	if err := required("table", o.Table, "name", o.Name); err != nil {
		return err
	}
	switch {
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

func (o *AddForeignKey) def(w builder) string {
	return fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s)%s", w.list(o.Columns), w.q(o.References.Table),
		w.list(o.References.Columns), refActions(o.OnDelete, o.OnUpdate))
}

func (o *AddForeignKey) Start(ctx context.Context, x *Exec) error {
	return x.createConstraint(ctx, o.Table, o.Name, o.def(x))
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
	ok, err := x.tableExists(ctx, table)
	if err != nil || !ok {
		return err
	}
	return x.ddl(ctx, table, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", x.q(table), x.ident(name)))
}

func (o *AddForeignKey) plan(p *plan) {
	p.start = append(p.start,
		fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", p.q(o.Table), p.ident(o.Name), o.def(p)),
		fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s -- own transaction", p.q(o.Table), p.ident(o.Name)))
	p.abort = append(p.abort, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", p.q(o.Table), p.ident(o.Name)))
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
	ti, err := c.x.describe(c.ctx, rt.Phys)
	if err != nil {
		c.err = err
		return
	}
	ok := hasUniqueKey(ti, o.References.Columns)
	if !ok {
		c.fail("references.columns", "table %q has no primary key or unique constraint over (%s), which a foreign key needs", o.References.Table, strings.Join(o.References.Columns, ", "))
	}
}

// hasUniqueKey reports whether ti has a primary key, or a valid unique
// index without a predicate, over exactly cols (in any order): what a
// foreign key needs to point at them.
func hasUniqueKey(ti *dialect.TableInfo, cols []string) bool {
	same := func(key []string) bool {
		a, b := slices.Clone(key), slices.Clone(cols)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	if same(ti.PrimaryKey) {
		return true
	}
	return slices.ContainsFunc(ti.Indexes, func(ix dialect.Index) bool {
		return ix.Unique && ix.Valid && ix.Predicate == "" && !slices.Contains(ix.ColumnNames(), "") && same(ix.ColumnNames())
	})
}
