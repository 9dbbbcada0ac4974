package online

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// CreateIndex builds an index with CREATE INDEX CONCURRENTLY at Start. An
// INVALID index left by an earlier failure is dropped and rebuilt. When an
// index of that name exists already (a replacement with another method or
// column list), the new one is built beside it under a temporary name, and
// Complete drops the old one and renames the new one into place.
type CreateIndex struct {
	Name    string   `yaml:"name"`
	Table   string   `yaml:"table"`
	Columns []string `yaml:"columns"` // column names, "name DESC", "name opclass", or expressions
	Method  string   `yaml:"method"`  // btree (default), gin, gist, brin, hash, spgist
	Unique  bool     `yaml:"unique"`
	Where   string   `yaml:"where"`
	// Predicate is pgroll's name for Where.
	Predicate         string            `yaml:"predicate"`
	Include           []string          `yaml:"include"`
	StorageParameters map[string]string `yaml:"storage_parameters"`
}

func (o *CreateIndex) Kind() string     { return "create_index" }
func (o *CreateIndex) Tables() []string { return []string{o.Table} }

var methods = map[string]bool{"": true, "btree": true, "gin": true, "gist": true, "brin": true, "hash": true, "spgist": true}

func (o *CreateIndex) Validate() error {
	switch {
	case o.Name == "":
		return errField("name", "is required")
	case o.Table == "":
		return errField("table", "is required")
	case len(o.Columns) == 0:
		return errField("columns", "needs at least one column or expression")
	case !methods[strings.ToLower(o.Method)]:
		return errField("method", "unknown index method %q (want btree, gin, gist, brin, hash or spgist)", o.Method)
	case o.Where != "" && o.Predicate != "":
		return errField("where", "give where or predicate, not both")
	}
	for k := range o.StorageParameters {
		if !optionRe.MatchString(k) {
			return errField("storage_parameters", "%q is not a storage parameter name", k)
		}
	}
	return nil
}

var orderWords = regexp.MustCompile(`^(?i)(asc|desc|nulls|first|last|[a-z_][a-z0-9_]*_ops)$`)

// indexElem renders one entry of columns: a plain name is quoted, a name
// followed by ordering or operator-class words keeps them, anything else is
// an expression in parentheses.
func indexElem(w quoting, s string) string {
	s = strings.TrimSpace(s)
	if identRe.MatchString(s) {
		return w.ident(s)
	}
	f := strings.Fields(s)
	if len(f) > 1 && identRe.MatchString(f[0]) {
		ok := true
		for _, w := range f[1:] {
			ok = ok && orderWords.MatchString(w)
		}
		if ok {
			return w.ident(f[0]) + " " + strings.Join(f[1:], " ")
		}
	}
	return "(" + s + ")"
}

func (o *CreateIndex) sql(w builder, name string) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if o.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX CONCURRENTLY " + w.ident(name) + " ON " + w.q(o.Table))
	if o.Method != "" {
		b.WriteString(" USING " + strings.ToLower(o.Method))
	}
	elems := make([]string, len(o.Columns))
	for i, c := range o.Columns {
		elems[i] = indexElem(w.quoter(), c)
	}
	b.WriteString(" (" + strings.Join(elems, ", ") + ")")
	if len(o.Include) > 0 {
		b.WriteString(" INCLUDE (" + w.list(o.Include) + ")")
	}
	if len(o.StorageParameters) > 0 {
		keys := make([]string, 0, len(o.StorageParameters))
		for k := range o.StorageParameters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kv := make([]string, len(keys))
		for i, k := range keys {
			kv[i] = k + " = " + optionValue(w.quoter(), o.StorageParameters[k])
		}
		b.WriteString(" WITH (" + strings.Join(kv, ", ") + ")")
	}
	if w := o.Where + o.Predicate; w != "" {
		b.WriteString(" WHERE " + w)
	}
	return b.String()
}

// buildName is the name the index is built under: its own, or a temporary
// one when it replaces an existing index of that name.
func (o *CreateIndex) buildName(x *Exec) string {
	if x.marked("replace") {
		return truncName("_strata_new_" + o.Name)
	}
	return o.Name
}

func (o *CreateIndex) Start(ctx context.Context, x *Exec) error {
	if !x.marked("created") {
		exists, _, err := x.indexState(ctx, o.Name)
		if err != nil {
			return err
		}
		if exists {
			if err := x.mark(ctx, "replace"); err != nil {
				return err
			}
		}
		if err := x.mark(ctx, "created"); err != nil {
			return err
		}
	}
	name := o.buildName(x)
	return x.buildIndex(ctx, o.Table, name, o.sql(x, name))
}

// buildIndex runs a CREATE INDEX CONCURRENTLY statement unless a valid index
// of that name exists, dropping an INVALID one left by a failed build first.
func (x *Exec) buildIndex(ctx context.Context, table, name, create string) error {
	for attempt := 0; ; attempt++ {
		exists, valid, err := x.indexState(ctx, name)
		if err != nil {
			return err
		}
		if exists && valid {
			return nil
		}
		if exists {
			x.r.logger().Warn("dropping invalid index left by a failed build", "version", x.version, "table", table, "index", name)
			if err := x.concurrent(ctx, table, "DROP INDEX CONCURRENTLY IF EXISTS "+x.q(name)); err != nil {
				return err
			}
		}
		if attempt > 0 {
			return fmt.Errorf("index %s is still invalid after a rebuild", name)
		}
		if err := x.concurrent(ctx, table, create); err != nil {
			return err
		}
	}
}

func (o *CreateIndex) Complete(ctx context.Context, x *Exec) error {
	if !x.marked("replace") {
		return nil
	}
	x.afterSQL(o.Table, "DROP INDEX CONCURRENTLY IF EXISTS "+x.q(o.Name))
	x.afterSQL(o.Table, fmt.Sprintf("ALTER INDEX IF EXISTS %s RENAME TO %s", x.q(o.buildName(x)), x.ident(o.Name)))
	return nil
}

func (o *CreateIndex) Rollback(ctx context.Context, x *Exec) error {
	if !x.marked("created") {
		return nil
	}
	return x.concurrent(ctx, o.Table, "DROP INDEX CONCURRENTLY IF EXISTS "+x.q(o.buildName(x)))
}

func (o *CreateIndex) plan(p *plan) {
	p.start = append(p.start, o.sql(p, o.Name)+" -- built as _strata_new_<name> when it replaces an index")
	p.complete = append(p.complete, "-- when replacing: DROP INDEX CONCURRENTLY old; ALTER INDEX _strata_new_<name> RENAME TO "+p.ident(o.Name))
	p.abort = append(p.abort, "DROP INDEX CONCURRENTLY IF EXISTS "+p.ident(o.Name))
}

func (o *CreateIndex) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	if kind := c.relationKind(o.Name); kind != "" && kind != "index" {
		c.fail("name", "%s %q already exists in schema %s", kind, o.Name, c.x.Schema())
	}
	check := func(field, name string) {
		if mc := c.col(field, t, name); mc != nil && mc.Phys != name {
			c.fail(field, "column %q of table %q is changed by an earlier operation of this migration (the table holds it as %q until complete): index it in a later migration", name, o.Table, mc.Phys)
		}
	}
	for _, e := range o.Columns {
		if name, ok := plainColumn(e); ok {
			check("columns", name)
		}
	}
	for _, name := range o.Include {
		check("include", name)
	}
}

// plainColumn returns the column an index entry names, when it is a plain
// name (possibly with ordering or operator-class words) rather than an
// expression.
func plainColumn(s string) (string, bool) {
	f := strings.Fields(strings.TrimSpace(s))
	if len(f) == 0 || !identRe.MatchString(f[0]) {
		return "", false
	}
	for _, w := range f[1:] {
		if !orderWords.MatchString(w) {
			return "", false
		}
	}
	return f[0], true
}
