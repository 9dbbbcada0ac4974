package online

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// querier is what catalog look-ups need: a *sql.DB, *sql.Conn or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// column is one physical column of a table.
type column struct {
	Name    string
	Type    string // format_type
	NotNull bool
	Default string // expression, empty when none
}

// prefix of every column, constraint, trigger and function strata creates.
const (
	newPrefix = "_strata_new_"
)

func isInternal(col string) bool { return strings.HasPrefix(col, "_strata_") }

func tableExists(ctx context.Context, q querier, schema, table string) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, quoteQualified(schema, table)).Scan(&ok)
	return ok, err
}

func tableColumns(ctx context.Context, q querier, schema, table string) ([]column, error) {
	rows, err := q.QueryContext(ctx, `
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, quoteQualified(schema, table))
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Name, &c.Type, &c.NotNull, &c.Default); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func findColumn(cols []column, name string) (column, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	return column{}, false
}

// keyColumns returns the columns backfills walk: the primary key, or else
// the unique, valid, non-partial index over NOT NULL plain columns with the
// fewest columns. Their types are returned beside them.
func keyColumns(ctx context.Context, q querier, schema, table string) (names, types []string, err error) {
	rows, err := q.QueryContext(ctx, `
SELECT i.indexrelid, i.indisprimary, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, k.ord
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid, k.ord`, quoteQualified(schema, table))
	if err != nil {
		return nil, nil, fmt.Errorf("read keys of %s: %w", table, err)
	}
	defer rows.Close()
	type key struct {
		names, types []string
		ok           bool
	}
	var order []int64
	keys := map[int64]*key{}
	for rows.Next() {
		var id int64
		var primary, notNull bool
		var name, typ string
		var ord int
		if err := rows.Scan(&id, &primary, &name, &typ, &notNull, &ord); err != nil {
			return nil, nil, err
		}
		k := keys[id]
		if k == nil {
			k = &key{ok: true}
			keys[id] = k
			order = append(order, id)
		}
		k.names = append(k.names, name)
		k.types = append(k.types, typ)
		k.ok = k.ok && notNull
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, id := range order {
		if k := keys[id]; k.ok {
			return k.names, k.types, nil
		}
	}
	return nil, nil, fmt.Errorf("table %s: %w; add one (a primary key, or a unique index over NOT NULL columns) so rows can be walked in batches", table, ErrNoKey)
}

// indexState reports whether index exists in schema and whether it is valid.
func indexState(ctx context.Context, q querier, schema, index string) (exists, valid bool, err error) {
	err = q.QueryRowContext(ctx, `
SELECT true, i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, quoteQualified(schema, index)).Scan(&exists, &valid)
	if err == sql.ErrNoRows {
		return false, false, nil
	}
	return exists, valid, err
}

// constraintState reports whether table has constraint name and whether it
// is validated.
func constraintState(ctx context.Context, q querier, schema, table, name string) (exists, validated bool, err error) {
	err = q.QueryRowContext(ctx, `
SELECT true, convalidated FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2`,
		quoteQualified(schema, table), name).Scan(&exists, &validated)
	if err == sql.ErrNoRows {
		return false, false, nil
	}
	return exists, validated, err
}

// baseTables lists the ordinary and partitioned tables of schema.
func baseTables(ctx context.Context, q querier, schema string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname`, schema)
	if err != nil {
		return nil, fmt.Errorf("list tables of schema %s: %w", schema, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// estimateRows returns the planner's row estimate for table.
func estimateRows(ctx context.Context, q querier, schema, table string) int64 {
	var n sql.NullFloat64
	_ = q.QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)`, quoteQualified(schema, table)).Scan(&n)
	if !n.Valid {
		return 0
	}
	if n.Float64 < 0 {
		// Never analyzed: such tables are new and small, count them.
		var c int64
		_ = q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteQualified(schema, table)).Scan(&c)
		return c
	}
	return int64(n.Float64)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
