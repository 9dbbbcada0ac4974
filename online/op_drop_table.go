package online

import (
	"context"
	"fmt"
	"strings"
)

// DropTable removes a table: the new shape no longer shows it from Start
// on, and Complete drops it.
type DropTable struct {
	Name string `yaml:"name"`
}

func (o *DropTable) Kind() string     { return "drop_table" }
func (o *DropTable) Tables() []string { return []string{o.Name} }

func (o *DropTable) Validate() error {
	if o.Name == "" {
		return errField("name", "is required")
	}
	return nil
}

func (o *DropTable) Start(ctx context.Context, x *Exec) error {
	_, _, err := x.tableBefore(ctx, o.Name)
	return err
}

func (o *DropTable) Complete(ctx context.Context, x *Exec) error {
	x.contractSQL("DROP TABLE IF EXISTS " + x.q(o.Name))
	return nil
}

func (o *DropTable) Rollback(ctx context.Context, x *Exec) error { return nil }

func (o *DropTable) reshape(s *shape) error {
	if s.table(o.Name) == nil {
		return fmt.Errorf("table %q does not exist", o.Name)
	}
	s.drop(o.Name)
	return nil
}

func (o *DropTable) plan(p *plan) {
	p.start = append(p.start, fmt.Sprintf("-- the new version's views leave out %s", p.q(o.Name)))
	p.complete = append(p.complete, "DROP TABLE IF EXISTS "+p.q(o.Name))
}

func (o *DropTable) precheck(c *checkEnv) {
	t := c.table("name", o.Name)
	if t == nil {
		return
	}
	if refs := c.referencedBy(t.Phys); len(refs) > 0 {
		c.fail("name", "foreign key %s points at table %q, and complete drops it without CASCADE: drop those keys first", strings.Join(refs, ", "), o.Name)
	}
}
