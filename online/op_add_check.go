package online

import (
	"context"
	"fmt"
)

// AddCheck adds a CHECK constraint NOT VALID at Start (new rows are checked
// from then on), then validates it in its own transaction once backfills
// are done.
type AddCheck struct {
	Table      string `yaml:"table"`
	Name       string `yaml:"name"`
	Constraint string `yaml:"constraint"`
}

func (o *AddCheck) Kind() string     { return "add_check" }
func (o *AddCheck) Tables() []string { return []string{o.Table} }

func (o *AddCheck) Validate() error {
	return required("table", o.Table, "name", o.Name, "constraint", o.Constraint)
}

func (o *AddCheck) Start(ctx context.Context, x *Exec) error {
	return x.createConstraint(ctx, o.Table, o.Name, "CHECK ("+o.Constraint+")")
}

func (o *AddCheck) afterBackfill(ctx context.Context, x *Exec) error {
	return x.validateConstraint(ctx, o.Table, o.Name)
}

func (o *AddCheck) Complete(ctx context.Context, x *Exec) error { return nil }

func (o *AddCheck) Rollback(ctx context.Context, x *Exec) error {
	return x.dropConstraint(ctx, o.Table, o.Name)
}

func (o *AddCheck) plan(p *plan) {
	p.start = append(p.start,
		fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s) NOT VALID", p.q(o.Table), p.ident(o.Name), o.Constraint),
		fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s -- own transaction", p.q(o.Table), p.ident(o.Name)))
	p.abort = append(p.abort, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", p.q(o.Table), p.ident(o.Name)))
}

func (o *AddCheck) precheck(c *checkEnv) {
	if t := c.table("table", o.Table); t != nil {
		c.constraintFree("name", t.Phys, o.Name)
	}
}
