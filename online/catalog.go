package online

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// What an operation reads about the tables it changes: their definitions
// come from the dialect's [dialect.Describer], the one place each engine's
// catalog queries are written.

// newPrefix starts the name of every column, constraint, trigger and
// function strata creates beside one of the application's.
const newPrefix = "_strata_new_"

func isInternal(col string) bool { return strings.HasPrefix(col, "_strata_") }

// table names a table of the migration's schema.
func (x *Exec) table(name string) dialect.Table {
	return dialect.Table{Schema: x.Schema(), Name: name}
}

// describe reads the definition of table name of the migration's schema.
func (x *Exec) describe(ctx context.Context, name string) (*dialect.TableInfo, error) {
	return x.d.DescribeTable(ctx, x.db(), x.table(name))
}

// columns returns the columns of table name in table order, none when it
// does not exist.
func (x *Exec) columns(ctx context.Context, name string) ([]dialect.Column, error) {
	ti, err := x.describe(ctx, name)
	if errors.Is(err, dialect.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ti.Columns, nil
}

func findColumn(cols []dialect.Column, name string) (dialect.Column, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	return dialect.Column{}, false
}

// tableExists reports whether a relation (a table, or anything else
// holding its name) named name exists in the migration's schema.
func (x *Exec) tableExists(ctx context.Context, name string) (bool, error) {
	kind, err := x.eng.relationKind(ctx, x.db(), x.Schema(), name)
	return kind != "", err
}

// keyColumns returns the columns backfills walk, with their types: the
// primary key, or else the unique, valid, non-partial index over NOT NULL
// plain columns with the fewest columns.
func (x *Exec) keyColumns(ctx context.Context, table string) (names, types []string, err error) {
	ti, err := x.describe(ctx, table)
	if err != nil && !errors.Is(err, dialect.ErrNotFound) {
		return nil, nil, fmt.Errorf("read keys of %s: %w", table, err)
	}
	var key []string
	if err == nil {
		key = walkKey(ti)
	}
	if len(key) == 0 {
		return nil, nil, fmt.Errorf("table %s: %w; add one (a primary key, or a unique index over NOT NULL columns) so rows can be walked in batches", table, ErrNoKey)
	}
	for _, k := range key {
		c, _ := ti.Column(k)
		types = append(types, c.Type)
	}
	return key, types, nil
}

// walkKey picks the key of keyColumns from a table's definition.
func walkKey(ti *dialect.TableInfo) []string {
	if len(ti.PrimaryKey) > 0 {
		return ti.PrimaryKey
	}
	var best []string
	for _, ix := range ti.Indexes {
		if !ix.Unique || !ix.Valid || ix.Predicate != "" || len(ix.Columns) == 0 {
			continue
		}
		cols := ix.ColumnNames()
		usable := true
		for _, name := range cols {
			c, ok := ti.Column(name)
			usable = usable && name != "" && ok && !c.Nullable
		}
		if usable && (best == nil || len(cols) < len(best)) {
			best = cols
		}
	}
	return best
}

// indexState reports whether index exists in the migration's schema and
// whether it is valid (a failed CREATE INDEX CONCURRENTLY leaves it
// invalid).
func (x *Exec) indexState(ctx context.Context, index string) (exists, valid bool, err error) {
	t, err := x.d.IndexTable(ctx, x.db(), x.Schema(), index)
	if errors.Is(err, dialect.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	ti, err := x.d.DescribeTable(ctx, x.db(), t)
	if errors.Is(err, dialect.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	for _, ix := range ti.Indexes {
		if ix.Name == index {
			return true, ix.Valid, nil
		}
	}
	// The primary key's index is not among Indexes.
	return true, true, nil
}

// constraintState reports whether table has a constraint named name and
// whether it is validated (one added NOT VALID is not, until VALIDATE).
func (x *Exec) constraintState(ctx context.Context, table, name string) (exists, validated bool, err error) {
	ti, err := x.describe(ctx, table)
	if errors.Is(err, dialect.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if ti.PrimaryKeyName == name ||
		slices.ContainsFunc(ti.Uniques, func(u dialect.Unique) bool { return u.Name == name }) ||
		slices.ContainsFunc(ti.Indexes, func(ix dialect.Index) bool { return ix.Constraint && ix.Name == name }) {
		return true, true, nil
	}
	for _, fk := range ti.ForeignKeys {
		if fk.Name == name {
			return true, !fk.NotValid, nil
		}
	}
	for _, c := range ti.Checks {
		if c.Name == name {
			return true, !c.NotValid, nil
		}
	}
	return false, false, nil
}

// estimateRows returns the engine's estimate of table's rows, counting
// them when there is none yet: such tables were never analyzed, so they
// are new and small.
func (x *Exec) estimateRows(ctx context.Context, table string) int64 {
	n, err := x.d.EstimateRows(ctx, x.db(), x.table(table))
	if err != nil {
		return 0
	}
	if n < 0 {
		_ = x.db().QueryRowContext(ctx, "SELECT count(*) FROM "+x.q(table)).Scan(&n)
	}
	return n
}

// referencedBy lists the foreign keys of other tables that point at table,
// as table.constraint.
func (x *Exec) referencedBy(ctx context.Context, table string) ([]string, error) {
	keys, err := x.eng.inboundKeys(ctx, x.db(), x.table(table))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if !k.Self {
			out = append(out, k.From+"."+k.Name)
		}
	}
	return out, nil
}
