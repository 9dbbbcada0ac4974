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

func (o *SetNotNull) alter() *AlterColumn {
	f := false
	a := &AlterColumn{Table: o.Table, Column: o.Column, Nullable: &f, Down: o.Down}
	if o.Up != "" {
		a.Up = "COALESCE(" + quoteIdent(o.Column) + ", " + o.Up + ")"
		if a.Down == "" {
			a.Down = quoteIdent(o.Column)
		}
	}
	return a
}

func (o *SetNotNull) Validate() error {
	switch {
	case o.Table == "":
		return errField("table", "is required")
	case o.Column == "":
		return errField("column", "is required")
	case o.Down != "" && o.Up == "":
		return errField("down", "only applies with up")
	}
	return nil
}

func (o *SetNotNull) Start(ctx context.Context, x *Exec) error    { return o.alter().Start(ctx, x) }
func (o *SetNotNull) Complete(ctx context.Context, x *Exec) error { return o.alter().Complete(ctx, x) }
func (o *SetNotNull) Rollback(ctx context.Context, x *Exec) error { return o.alter().Rollback(ctx, x) }
func (o *SetNotNull) afterBackfill(ctx context.Context, x *Exec) error {
	return o.alter().afterBackfill(ctx, x)
}
func (o *SetNotNull) reshape(s *shape) error { return o.alter().reshape(s) }
func (o *SetNotNull) plan(p *plan)           { o.alter().plan(p) }

func (o *SetNotNull) precheck(c *checkEnv) { o.alter().precheck(c) }
