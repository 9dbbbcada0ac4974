package online

import "context"

// SetNotNull makes a column NOT NULL without a long lock: a CHECK (col IS
// NOT NULL) NOT VALID at Start, validated in its own transaction, then SET
// NOT NULL (which uses the validated check instead of scanning) and the
// check dropped at Complete. With Up, existing NULLs are replaced by Up's
// value in a new column first, as alter_column does, so Abort leaves every
// row as it was.
type SetNotNull struct {
	Table  string `yaml:"table"`
	Column string `yaml:"column"`
	Up     string `yaml:"up"`
	Down   string `yaml:"down"`
}

func (o *SetNotNull) Kind() string     { return "set_not_null" }
func (o *SetNotNull) Tables() []string { return []string{o.Table} }

// alter is the alter_column that does the work, its expressions quoted
// with w.
func (o *SetNotNull) alter(w quoting) *AlterColumn {
	f := false
	a := &AlterColumn{Table: o.Table, Column: o.Column, Nullable: &f, Down: o.Down}
	if o.Up != "" {
		a.Up = "COALESCE(" + w.ident(o.Column) + ", " + o.Up + ")"
		if a.Down == "" {
			a.Down = w.ident(o.Column)
		}
	}
	return a
}

func (o *SetNotNull) Validate() error {
	if err := required("table", o.Table, "column", o.Column); err != nil {
		return err
	}
	switch {
	case o.Down != "" && o.Up == "":
		return errField("down", "only applies with up")
	}
	return nil
}

func (o *SetNotNull) Start(ctx context.Context, x *Exec) error {
	return o.alter(x.quoting).Start(ctx, x)
}
func (o *SetNotNull) Complete(ctx context.Context, x *Exec) error {
	return o.alter(x.quoting).Complete(ctx, x)
}
func (o *SetNotNull) Rollback(ctx context.Context, x *Exec) error {
	return o.alter(x.quoting).Rollback(ctx, x)
}
func (o *SetNotNull) afterBackfill(ctx context.Context, x *Exec) error {
	return o.alter(x.quoting).afterBackfill(ctx, x)
}

// reshape: the new shape depends only on whether a new column is built
// (when Up is given), not on the expressions that fill it.
func (o *SetNotNull) reshape(s *shape) error {
	return (&AlterColumn{Table: o.Table, Column: o.Column, Up: o.Up}).reshape(s)
}
func (o *SetNotNull) plan(p *plan)         { o.alter(p.quoting).plan(p) }
func (o *SetNotNull) precheck(c *checkEnv) { o.alter(c.x.quoting).precheck(c) }
