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
	switch {
	case o.Table == "":
		return errField("table", "is required")
	case o.Name == "":
		return errField("name", "is required")
	case o.Constraint == "":
		return errField("constraint", "is required")
	}
	return nil
}

func (o *AddCheck) Start(ctx context.Context, x *Exec) error {
	exists, _, err := x.constraintState(ctx, o.Table, o.Name)
	if err != nil {
		return err
	}
	if exists && !x.marked("created") {
		return fmt.Errorf("constraint %q already exists on %s", o.Name, o.Table)
	}
	if err := x.mark(ctx, "created"); err != nil {
		return err
	}
	return x.addConstraint(ctx, o.Table, o.Name, "CHECK ("+o.Constraint+")")
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
