package online

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
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
	r      *Runner
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
	x := &Exec{r: r, version: version, m: m, st: newState(version, m)}
	s, err := physShape(ctx, r.DB, r.schema())
	if err != nil {
		return fmt.Errorf("check %s: %w", version, err)
	}
	s.version = version
	c := &checkEnv{ctx: ctx, r: r, x: x, s: s, create: map[string]*CreateTable{}}
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
	c.fail(field, "table %q does not exist in schema %s", name, c.r.schema())
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
		c.fail(field, "%s %q already exists in schema %s", kind, name, c.r.schema())
	}
}

// relationKind names the kind of relation name in the schema, or "".
func (c *checkEnv) relationKind(name string) string {
	if c.err != nil {
		return ""
	}
	var kind string
	err := c.r.DB.QueryRowContext(c.ctx, `
SELECT CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index'
  WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'relation' END
FROM pg_class WHERE oid = to_regclass($1)`, quoteQualified(c.r.schema(), name)).Scan(&kind)
	if err != nil && !isNoRows(err) {
		c.err = err
	}
	return kind
}

// typeKnown reports a type the server does not know.
func (c *checkEnv) typeKnown(field, typ string) {
	if c.err != nil || typ == "" {
		return
	}
	var ok bool
	err := c.r.DB.QueryRowContext(c.ctx, `SELECT to_regtype($1) IS NOT NULL`, castType(typ)).Scan(&ok)
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		c.fail(field, "type %q: %s", typ, pe.Message)
	case err != nil:
		c.err = err
	case !ok:
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
	_, _, err := keyColumns(c.ctx, c.r.DB, c.r.schema(), t.Phys)
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
	exists, _, err := constraintState(c.ctx, c.r.DB, c.r.schema(), table, name)
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
	rows, err := c.r.DB.QueryContext(c.ctx, `
SELECT DISTINCT CASE v.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || quote_ident(n.nspname) || '.' || quote_ident(v.relname)
FROM pg_attribute a
JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
JOIN pg_class v ON v.oid = w.ev_class
JOIN pg_namespace n ON n.oid = v.relnamespace
WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND v.oid <> a.attrelid AND n.nspname NOT LIKE 'strata\_v%'
UNION
SELECT DISTINCT 'foreign key ' || quote_ident(f.conname) || ' of ' || f.conrelid::regclass::text
FROM pg_attribute a JOIN pg_constraint f ON f.contype = 'f' AND f.confrelid = a.attrelid AND a.attnum = ANY(f.confkey)
WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND f.conrelid <> a.attrelid
ORDER BY 1`, quoteQualified(c.r.schema(), table), col)
	if err != nil {
		c.err = err
		return
	}
	defer rows.Close()
	var deps []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			c.err = err
			return
		}
		deps = append(deps, d)
	}
	if err := rows.Err(); err != nil {
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
	refs, err := referencingKeys(c.ctx, c.r.DB, quoteQualified(c.r.schema(), table))
	if err != nil {
		c.err = err
	}
	return refs
}

// referencingKeys lists the foreign keys of other tables that point at
// qtable, as table.constraint.
func referencingKeys(ctx context.Context, q querier, qtable string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `
SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint
WHERE contype = 'f' AND confrelid = to_regclass($1) AND conrelid <> confrelid ORDER BY 1`, qtable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
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
