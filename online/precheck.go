package online

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// prechecker is implemented by operations whose preconditions can be read
// from the live catalog: the tables, columns, keys and names they need or
// must not find. [Runner.Check] calls it for every operation, in order,
// with the new shape as the earlier operations leave it.
type prechecker interface {
	precheck(c *checkEnv)
}

// checkEnv is what an operation's precheck reads and reports through.
type checkEnv struct {
	ctx    context.Context
	x      *Exec
	s      *shape                  // new shape before the operation
	idx    int                     // operation index (0-based)
	op     Operation               // the operation being checked
	errs   PreconditionErrors      // problems found so far
	err    error                   // a failure to read the catalog: stops the check
	create map[string]*CreateTable // tables created by earlier operations, by name
}

// Check validates the preconditions of every operation of m against the live
// catalog, without changing anything: the tables and columns an operation
// names exist (as the earlier operations of m leave the new shape), the
// names it creates are free, its types are known, the table it backfills has
// a primary key (or a unique index over NOT NULL columns) to walk, and no
// view or foreign key would stop Complete from dropping what it drops. It
// returns [PreconditionErrors] listing every problem, each naming the file,
// the operation (index and kind) and the field, or nil. Operations after an
// sql operation are not checked: its statements may create what they need.
// Start calls Check before it changes anything.
func (r *Runner) Check(ctx context.Context, version string, m *Migration) error {
	if r.DB == nil {
		return errors.New("online: Runner.DB is nil")
	}
	if m == nil || len(m.Operations) == 0 {
		return errors.New("online: migration has no operations")
	}
	x, _, err := r.newExec(version, m, nil, nil)
	if err != nil {
		return err
	}
	s, err := x.physShape(ctx)
	if err != nil {
		return fmt.Errorf("check %s: %w", version, err)
	}
	s.version = version
	c := &checkEnv{ctx: ctx, x: x, s: s, create: map[string]*CreateTable{}}
	for i, op := range m.Operations {
		if _, ok := op.(*RawSQL); ok {
			break
		}
		c.idx, c.op, x.idx = i, op, i
		before := len(c.errs)
		if pc, ok := op.(prechecker); ok {
			pc.precheck(c)
		}
		if c.err != nil {
			return fmt.Errorf("check %s: operation %d (%s): %w", version, i+1, op.Kind(), c.err)
		}
		if ct, ok := op.(*CreateTable); ok {
			c.create[ct.Name] = ct
		}
		// Later operations are checked against the shape this one leaves,
		// as far as it can be made, so that one problem is reported once
		// and not again by every operation that builds on it.
		if rs, ok := op.(reshaper); ok {
			if err := rs.reshape(s); err != nil && len(c.errs) == before {
				c.fail("", "%v", err)
			}
		}
	}
	if len(c.errs) > 0 {
		return c.errs
	}
	return nil
}

// fail records a problem with field (a dotted path, empty for the operation
// as a whole).
func (c *checkEnv) fail(field, format string, args ...any) *PreconditionError {
	e := &PreconditionError{File: c.x.m.File, Index: c.idx + 1, Op: c.op.Kind(), Field: field, Msg: fmt.Sprintf(format, args...)}
	e.Line = c.x.m.line(c.idx, field)
	c.errs = append(c.errs, e)
	return e
}

// table returns the table of the new shape named name, or reports that it
// does not exist.
func (c *checkEnv) table(field, name string) *tableModel {
	if t := c.s.table(name); t != nil {
		return t
	}
	c.fail(field, "table %q does not exist in schema %s", name, c.x.Schema())
	return nil
}

// col returns column name of t, or reports that it does not exist.
func (c *checkEnv) col(field string, t *tableModel, name string) *modelCol {
	if mc := t.col(name); mc != nil {
		return mc
	}
	c.fail(field, "column %q of table %q does not exist", name, t.Name)
	return nil
}

// noTable reports a table of the new shape, or any relation of the schema,
// named name.
func (c *checkEnv) noTable(field, name string) {
	if c.s.table(name) != nil {
		c.fail(field, "table %q already exists", name)
		return
	}
	if kind := c.relationKind(name); kind != "" {
		c.fail(field, "%s %q already exists in schema %s", kind, name, c.x.Schema())
	}
}

// relationKind names the kind of relation name in the schema, or "".
func (c *checkEnv) relationKind(name string) string {
	if c.err != nil {
		return ""
	}
	kind, err := c.x.eng.relationKind(c.ctx, c.x.db(), c.x.Schema(), name)
	if err != nil {
		c.err = err
	}
	return kind
}

// typeKnown reports a type the server does not know.
func (c *checkEnv) typeKnown(field, typ string) {
	if c.err != nil || typ == "" {
		return
	}
	known, why, err := c.x.eng.typeKnown(c.ctx, c.x.db(), typ)
	switch {
	case err != nil:
		c.err = err
	case why != "":
		c.fail(field, "type %q: %s", typ, why)
	case !known:
		c.fail(field, "type %q does not exist", typ)
	}
}

// needKey reports a table without the key a batched walk needs.
func (c *checkEnv) needKey(field string, t *tableModel, why string) {
	if c.err != nil {
		return
	}
	if ct := c.create[t.Phys]; ct != nil {
		if !ct.hasKey() {
			c.fail(field, "table %q, created by this migration, has no primary key, which %s needs to walk its rows in batches; give it one", t.Name, why).Err = ErrNoKey
		}
		return
	}
	_, _, err := c.x.keyColumns(c.ctx, t.Phys)
	if errors.Is(err, ErrNoKey) {
		c.fail(field, "table %q has no primary key or unique index over NOT NULL columns, which %s needs to walk its rows in batches; add one first (ALTER TABLE %s ADD PRIMARY KEY (...))",
			t.Name, why, c.x.q(t.Phys)).Err = ErrNoKey
		return
	}
	if err != nil {
		c.err = err
	}
}

// constraintFree reports a constraint of table (physical name) named name.
func (c *checkEnv) constraintFree(field, table, name string) {
	if c.err != nil || name == "" || c.create[table] != nil {
		return
	}
	exists, _, err := c.x.constraintState(c.ctx, table, name)
	if err != nil {
		c.err = err
		return
	}
	if exists {
		c.fail(field, "constraint %q already exists on table %q", name, table)
	}
}

// references reports a foreign key target that does not exist.
func (c *checkEnv) references(field, table string, cols []string) {
	t := c.table(field+".table", table)
	if t == nil {
		return
	}
	for _, col := range cols {
		c.col(field+".column", t, col)
	}
}

// dependents reports what would stop Complete from dropping column col of
// table (physical names): views, materialized views and foreign keys of
// other tables that use it. Version schemas are strata's own.
func (c *checkEnv) dependents(field, table, col, what string) {
	if c.err != nil || c.create[table] != nil {
		return
	}
	deps, err := c.x.eng.columnUsers(c.ctx, c.x.db(), c.x.table(table), col)
	if err != nil {
		c.err = err
		return
	}
	if len(deps) > 0 {
		c.fail(field, "%s drops column %q of table %q at complete, but %s uses it; drop or change that first", what, col, table, strings.Join(deps, ", "))
	}
}

// referencedBy lists the foreign keys of other tables pointing at table.
func (c *checkEnv) referencedBy(table string) []string {
	if c.err != nil || c.create[table] != nil {
		return nil
	}
	refs, err := c.x.referencedBy(c.ctx, table)
	if err != nil {
		c.err = err
	}
	return refs
}

// hasKey reports whether the created table has a key backfills can walk.
func (o *CreateTable) hasKey() bool {
	for _, c := range o.Columns {
		if c.PK || (c.Unique && !c.nullable()) {
			return true
		}
	}
	for _, con := range o.Constraints {
		if strings.Contains(strings.ToUpper(con), "PRIMARY KEY") {
			return true
		}
	}
	return false
}

// checkColumn checks a column definition's type and the table and column
// its foreign key references.
func (c *checkEnv) checkColumn(field string, col *Column) {
	c.typeKnown(field+".type", col.Type)
	if r := col.References; r != nil {
		c.references(field+".references", r.Table, []string{r.Column})
	}
}
