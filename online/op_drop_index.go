package online

import (
	"context"
	"fmt"
)

// DropIndex drops an index with DROP INDEX CONCURRENTLY at Complete.
type DropIndex struct {
	Name  string `yaml:"name"`
	Table string `yaml:"table"` // optional, for Tables and messages
}

func (o *DropIndex) Kind() string { return "drop_index" }

func (o *DropIndex) Tables() []string {
	if o.Table == "" {
		return nil
	}
	return []string{o.Table}
}

func (o *DropIndex) Validate() error {
	if o.Name == "" {
		return errField("name", "is required")
	}
	return nil
}

func (o *DropIndex) Start(ctx context.Context, x *Exec) error {
	exists, _, err := x.indexState(ctx, o.Name)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("index %q does not exist", o.Name)
	}
	return nil
}

func (o *DropIndex) Complete(ctx context.Context, x *Exec) error {
	x.afterSQL(o.Table, "DROP INDEX CONCURRENTLY IF EXISTS "+x.q(o.Name))
	return nil
}

func (o *DropIndex) Rollback(ctx context.Context, x *Exec) error { return nil }

func (o *DropIndex) plan(p *plan) {
	p.complete = append(p.complete, "DROP INDEX CONCURRENTLY IF EXISTS "+p.q(o.Name)+" -- after the cut-over")
}

func (o *DropIndex) precheck(c *checkEnv) {
	if c.err != nil {
		return
	}
	exists, _, err := c.x.indexState(c.ctx, o.Name)
	if err != nil {
		c.err = err
		return
	}
	if !exists {
		c.fail("name", "index %q does not exist in schema %s", o.Name, c.x.Schema())
	}
}
