package online

import (
	"context"
	"fmt"
)

// RenameTable renames a table: the new shape shows it under its new name
// from Start on, and Complete renames the table itself.
type RenameTable struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

func (o *RenameTable) Kind() string     { return "rename_table" }
func (o *RenameTable) Tables() []string { return []string{o.From} }

func (o *RenameTable) Validate() error {
	return required("from", o.From, "to", o.To)
}

func (o *RenameTable) Start(ctx context.Context, x *Exec) error {
	s, _, err := x.tableBefore(ctx, o.From)
	if err != nil {
		return err
	}
	if s.table(o.To) != nil {
		return fmt.Errorf("table %q already exists", o.To)
	}
	return nil
}

func (o *RenameTable) Complete(ctx context.Context, x *Exec) error {
	x.contractSQL(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", x.q(o.From), x.ident(o.To)))
	return nil
}

func (o *RenameTable) Rollback(ctx context.Context, x *Exec) error { return nil }

func (o *RenameTable) reshape(s *shape) error {
	t, err := s.mustTable(o.From)
	if err != nil {
		return err
	}
	t.Name = o.To
	return nil
}

func (o *RenameTable) plan(p *plan) {
	p.start = append(p.start, fmt.Sprintf("-- the new version shows %s as %s", p.q(o.From), p.ident(o.To)))
	p.complete = append(p.complete, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", p.q(o.From), p.ident(o.To)))
}

func (o *RenameTable) precheck(c *checkEnv) {
	if c.table("from", o.From) != nil {
		c.noTable("to", o.To)
	}
}
