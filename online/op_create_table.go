package online

import (
	"context"
	"fmt"
	"strings"
)

// CreateTable creates a table. It exists in both shapes from Start on;
// Abort drops it.
type CreateTable struct {
	Name        string   `yaml:"name"`
	Columns     []Column `yaml:"columns"`
	Constraints []string `yaml:"constraints"` // table constraints, as SQL (PRIMARY KEY (a, b), UNIQUE ...)
	Comment     string   `yaml:"comment"`
}

func (o *CreateTable) Kind() string     { return "create_table" }
func (o *CreateTable) Tables() []string { return []string{o.Name} }

func (o *CreateTable) Validate() error {
	if o.Name == "" {
		return errField("name", "is required")
	}
	if len(o.Columns) == 0 {
		return errField("columns", "needs at least one column")
	}
	seen := map[string]bool{}
	for i, c := range o.Columns {
		if err := c.validate(fmt.Sprintf("columns[%d]", i)); err != nil {
			return err
		}
		if seen[c.Name] {
			return errField("columns", "column %q appears twice", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

func (o *CreateTable) sql(w builder) []string {
	defs := make([]string, 0, len(o.Columns)+len(o.Constraints))
	for i := range o.Columns {
		defs = append(defs, o.Columns[i].definition(w.quoter()))
	}
	defs = append(defs, o.Constraints...)
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (%s)", w.q(o.Name), strings.Join(defs, ", "))}
	if o.Comment != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON TABLE %s IS %s", w.q(o.Name), w.literal(o.Comment)))
	}
	for _, c := range o.Columns {
		if c.Comment != "" {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", w.q(o.Name), w.ident(c.Name), w.literal(c.Comment)))
		}
	}
	return stmts
}

func (o *CreateTable) Start(ctx context.Context, x *Exec) error {
	exists, err := x.tableExists(ctx, o.Name)
	if err != nil {
		return err
	}
	if exists {
		if x.marked("created") {
			return nil
		}
		return fmt.Errorf("table %q already exists", o.Name)
	}
	if err := x.mark(ctx, "created"); err != nil {
		return err
	}
	return x.ddl(ctx, o.Name, o.sql(x)...)
}

func (o *CreateTable) Complete(ctx context.Context, x *Exec) error { return nil }

func (o *CreateTable) Rollback(ctx context.Context, x *Exec) error {
	if !x.marked("created") {
		return nil
	}
	return x.ddl(ctx, o.Name, "DROP TABLE IF EXISTS "+x.q(o.Name))
}

func (o *CreateTable) reshape(s *shape) error {
	if s.table(o.Name) != nil {
		return nil // already created (resumed run)
	}
	t := &tableModel{Phys: o.Name, Name: o.Name}
	for _, c := range o.Columns {
		t.Cols = append(t.Cols, modelCol{Name: c.Name, Phys: c.Name, Type: c.Type})
	}
	s.tables = append(s.tables, t)
	return nil
}

func (o *CreateTable) plan(p *plan) {
	p.start = append(p.start, o.sql(p)...)
	p.abort = append(p.abort, "DROP TABLE IF EXISTS "+p.q(o.Name))
}

func (o *CreateTable) precheck(c *checkEnv) {
	c.noTable("name", o.Name)
	for i := range o.Columns {
		col := &o.Columns[i]
		field := fmt.Sprintf("columns[%d]", i)
		c.typeKnown(field+".type", col.Type)
		if r := col.References; r != nil && r.Table != o.Name {
			c.references(field+".references", r.Table, []string{r.Column})
		}
	}
}
