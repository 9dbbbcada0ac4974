package online

import (
	"context"
	"fmt"
)

// DropColumn removes a column: the new shape no longer shows it from Start
// on, and Complete drops it. While both shapes are live, Down computes the
// column for rows written through the new shape (required when the column
// is NOT NULL without a default).
type DropColumn struct {
	Table  string `yaml:"table"`
	Column string `yaml:"column"`
	Down   string `yaml:"down"`
}

func (o *DropColumn) Kind() string     { return "drop_column" }
func (o *DropColumn) Tables() []string { return []string{o.Table} }

func (o *DropColumn) Validate() error {
	return required("table", o.Table, "column", o.Column)
}

func (o *DropColumn) trigger(x *Exec) string { return x.name(o.Table, "drop", o.Column) }

func (o *DropColumn) Start(ctx context.Context, x *Exec) error {
	_, t, err := x.tableBefore(ctx, o.Table)
	if err != nil {
		return err
	}
	c, err := t.mustCol(o.Column)
	if err != nil {
		return err
	}
	cols, err := x.columns(ctx, t.Phys)
	if err != nil {
		return err
	}
	if pc, ok := findColumn(cols, c.Phys); ok && !pc.Nullable && pc.Default == "" && pc.Generated == "" && o.Down == "" {
		return fmt.Errorf("column %q is NOT NULL without a default: give down: an expression for rows written through the new shape", o.Column)
	}
	if o.Down == "" {
		return nil
	}
	return x.installTrigger(ctx, dualWrite{
		name:    o.trigger(x),
		table:   t.Phys,
		newBody: fmt.Sprintf("NEW.%s := (%s);", x.ident(c.Phys), o.Down),
	})
}

func (o *DropColumn) Complete(ctx context.Context, x *Exec) error {
	if o.Down != "" {
		x.contractTrigger(o.trigger(x), o.Table)
	}
	x.contractSQL(fmt.Sprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", x.q(o.Table), x.ident(o.Column)))
	return nil
}

func (o *DropColumn) Rollback(ctx context.Context, x *Exec) error {
	if o.Down == "" {
		return nil
	}
	return x.dropTrigger(ctx, o.trigger(x), o.Table)
}

func (o *DropColumn) reshape(s *shape) error {
	t, err := s.mustTable(o.Table)
	if err != nil {
		return err
	}
	if _, err := t.mustCol(o.Column); err != nil {
		return err
	}
	t.dropCol(o.Column)
	return nil
}

func (o *DropColumn) plan(p *plan) {
	if o.Down != "" {
		p.start = append(p.start, fmt.Sprintf("-- trigger on %s: rows written through the new shape get %s = (%s)", p.q(o.Table), p.ident(o.Column), o.Down))
	}
	p.start = append(p.start, fmt.Sprintf("-- the new version's view of %s leaves out %s", p.q(o.Table), p.ident(o.Column)))
	p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", p.q(o.Table), p.ident(o.Column)))
	if o.Down != "" {
		p.abort = append(p.abort, "-- drop the trigger")
	}
}

func (o *DropColumn) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	mc := c.col("column", t, o.Column)
	if mc == nil || c.create[t.Phys] != nil {
		return
	}
	cols, err := c.x.columns(c.ctx, t.Phys)
	if err != nil {
		c.err = err
		return
	}
	if pc, ok := findColumn(cols, mc.Phys); ok && !pc.Nullable && pc.Default == "" && pc.Generated == "" && o.Down == "" {
		c.fail("down", "column %q is NOT NULL without a default: give down, an expression for rows written through the new shape", o.Column)
	}
	c.dependents("column", t.Phys, mc.Phys, "drop_column")
}
