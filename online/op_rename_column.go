package online

import (
	"context"
	"fmt"
)

// RenameColumn renames a column: the new shape shows it under its new name
// from Start on (old-shape writers keep using the old name), and Complete
// renames the column itself.
type RenameColumn struct {
	Table string `yaml:"table"`
	From  string `yaml:"from"`
	To    string `yaml:"to"`
}

func (o *RenameColumn) Kind() string     { return "rename_column" }
func (o *RenameColumn) Tables() []string { return []string{o.Table} }

func (o *RenameColumn) Validate() error {
	return required("table", o.Table, "from", o.From, "to", o.To)
}

func (o *RenameColumn) Start(ctx context.Context, x *Exec) error {
	s, err := x.shapeBefore(ctx)
	if err != nil {
		return err
	}
	return o.reshape(s)
}

func (o *RenameColumn) Complete(ctx context.Context, x *Exec) error {
	x.contractSQL(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", x.q(o.Table), x.ident(o.From), x.ident(o.To)))
	return nil
}

func (o *RenameColumn) Rollback(ctx context.Context, x *Exec) error { return nil }

func (o *RenameColumn) reshape(s *shape) error {
	t, err := s.mustTable(o.Table)
	if err != nil {
		return err
	}
	c, err := t.mustCol(o.From)
	if err != nil {
		return err
	}
	if t.col(o.To) != nil {
		return fmt.Errorf("column %q of table %q already exists", o.To, o.Table)
	}
	c.Name = o.To
	return nil
}

func (o *RenameColumn) plan(p *plan) {
	p.start = append(p.start, fmt.Sprintf("-- the new version shows %s.%s as %s", p.q(o.Table), p.ident(o.From), p.ident(o.To)))
	p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", p.q(o.Table), p.ident(o.From), p.ident(o.To)))
}

func (o *RenameColumn) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	c.col("from", t, o.From)
	if t.col(o.To) != nil {
		c.fail("to", "column %q of table %q already exists", o.To, o.Table)
	}
}
