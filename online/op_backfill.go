package online

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// BackfillData is a data migration: it sets columns of table to
// expressions on the rows matching Where, walking the key in batches. The
// values it overwrites are kept in a backup table
// (_strata_bak_v<version>_<n>) so Abort can put them back; Complete drops
// it. Each row is changed exactly once, even across a killed and resumed
// run: a row is updated in the same transaction that backs it up, and rows
// already backed up are skipped. Dual-write triggers of the same migration
// fire, so a cleaned value reaches the new shape too.
type BackfillData struct {
	Table string            `yaml:"table"`
	Set   map[string]string `yaml:"set"`
	Where string            `yaml:"where"`
}

func (o *BackfillData) Kind() string     { return "backfill" }
func (o *BackfillData) Tables() []string { return []string{o.Table} }

func (o *BackfillData) Validate() error {
	if o.Table == "" {
		return errField("table", "is required")
	}
	if len(o.Set) == 0 {
		return errField("set", "needs at least one column: expression")
	}
	return nil
}

func (o *BackfillData) cols() []string {
	cols := make([]string, 0, len(o.Set))
	for c := range o.Set {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	return cols
}

func (o *BackfillData) backup(x *Exec) string {
	return truncName(fmt.Sprintf("_strata_bak_v%s_%d", x.version, x.idx+1))
}

func (o *BackfillData) Start(ctx context.Context, x *Exec) error {
	keys, _, err := x.keyColumns(ctx, o.Table)
	if err != nil {
		return err
	}
	cols := o.cols()
	bak := o.backup(x)
	exists, err := x.tableExists(ctx, bak)
	if err != nil {
		return err
	}
	// The backup table takes the columns' exact types from the table, and
	// then its key, each in a transaction of its own: the first only reads
	// the table's definition (ACCESS SHARE), the second locks only the new
	// table. A run stopped in between adds the key when resumed.
	if !exists {
		if err := x.mark(ctx, "backup"); err != nil {
			return err
		}
		all := x.list(append(append([]string{}, keys...), cols...))
		if err := x.ddl(ctx, o.Table, fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM %s WITH NO DATA", x.q(bak), all, x.q(o.Table))); err != nil {
			return err
		}
	}
	ti, err := x.describe(ctx, bak)
	if err != nil {
		return err
	}
	if len(ti.PrimaryKey) == 0 {
		if err := x.ddl(ctx, bak, fmt.Sprintf("ALTER TABLE %s ADD PRIMARY KEY (%s)", x.q(bak), x.list(keys))); err != nil {
			return err
		}
	}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = x.ident(c) + " = (" + o.Set[c] + ")"
	}
	ret := make([]string, len(keys))
	join := make([]string, len(keys))
	for i, k := range keys {
		alias := fmt.Sprintf("_strata_k%d", i+1)
		ret[i] = x.ident(k) + " AS " + alias
		join[i] = fmt.Sprintf("%s.%s = _k.%s", x.q(o.Table), x.ident(k), alias)
	}
	where := ""
	if o.Where != "" {
		where = " AND (" + o.Where + ")"
	}
	all := x.list(append(append([]string{}, keys...), cols...))
	x.passes = append(x.passes, &pass{
		key:   fmt.Sprintf("op:%d", x.idx+1),
		table: o.Table,
		stmt: func(cond string) string {
			return fmt.Sprintf(`WITH _k AS (INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s%s FOR UPDATE ON CONFLICT DO NOTHING RETURNING %s) UPDATE %s SET %s FROM _k WHERE %s`,
				x.q(bak), all, all, x.q(o.Table), cond, where, strings.Join(ret, ", "),
				x.q(o.Table), strings.Join(sets, ", "), strings.Join(join, " AND "))
		},
	})
	return nil
}

func (o *BackfillData) Complete(ctx context.Context, x *Exec) error {
	x.afterSQL(o.Table, "DROP TABLE IF EXISTS "+x.q(o.backup(x)))
	return nil
}

// Rollback writes the backed-up values back, in batches over the backup
// table, then drops it.
func (o *BackfillData) Rollback(ctx context.Context, x *Exec) error {
	bak := o.backup(x)
	exists, err := x.tableExists(ctx, bak)
	if err != nil || !exists {
		return err
	}
	keys, _, err := x.keyColumns(ctx, bak)
	if err != nil {
		return err
	}
	cols := o.cols()
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = fmt.Sprintf("%s = b.%s", x.ident(c), x.ident(c))
	}
	join := make([]string, len(keys))
	for i, k := range keys {
		join[i] = fmt.Sprintf("%s.%s = b.%s", x.q(o.Table), x.ident(k), x.ident(k))
	}
	p := &pass{
		key:   fmt.Sprintf("restore:%d", x.idx+1),
		table: o.Table,
		from:  bak,
		qual:  "b",
		stmt: func(cond string) string {
			return fmt.Sprintf("UPDATE %s SET %s FROM %s b WHERE %s AND %s",
				x.q(o.Table), strings.Join(sets, ", "), x.q(bak), strings.Join(join, " AND "), cond)
		},
	}
	if err := x.runPass(ctx, p); err != nil {
		return fmt.Errorf("restore values from %s: %w", bak, err)
	}
	return x.ddl(ctx, bak, "DROP TABLE IF EXISTS "+x.q(bak))
}

func (o *BackfillData) plan(p *plan) {
	cols := o.cols()
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = p.ident(c) + " = (" + o.Set[c] + ")"
	}
	w := ""
	if o.Where != "" {
		w = " AND (" + o.Where + ")"
	}
	p.start = append(p.start,
		fmt.Sprintf("CREATE TABLE _strata_bak_v%s_<n> AS SELECT <key>, %s FROM %s WITH NO DATA", p.version, p.list(cols), p.q(o.Table)),
		fmt.Sprintf("UPDATE %s SET %s WHERE <key range>%s -- in batches, old values saved to the backup table", p.q(o.Table), strings.Join(sets, ", "), w))
	p.complete = append(p.complete, "DROP TABLE _strata_bak_v"+p.version+"_<n>")
	p.abort = append(p.abort, fmt.Sprintf("UPDATE %s SET ... FROM _strata_bak_v%s_<n> -- in batches; then drop it", p.q(o.Table), p.version))
}

func (o *BackfillData) precheck(c *checkEnv) {
	t := c.table("table", o.Table)
	if t == nil {
		return
	}
	for _, col := range o.cols() {
		c.col("set."+col, t, col)
	}
	c.needKey("table", t, "backfill")
}
