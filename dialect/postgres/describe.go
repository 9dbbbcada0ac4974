package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// DescribeTable implements [dialect.Describer] from pg_catalog. An empty
// schema finds the table along search_path, as a statement would.
func (d Dialect) DescribeTable(ctx context.Context, q dialect.Querier, t dialect.Table) (*dialect.TableInfo, error) {
	oid, ti, err := d.resolve(ctx, q, t)
	if err != nil {
		return nil, err
	}
	steps := []func(context.Context, dialect.Querier, int64, *dialect.TableInfo) error{
		describeColumns, describeConstraints, describeIndexes,
	}
	for _, step := range steps {
		if err := step(ctx, q, oid, ti); err != nil {
			return nil, fmt.Errorf("describe table %s: %w", t, err)
		}
	}
	return ti, nil
}

// resolve finds t's oid through to_regclass, which follows search_path for
// an unqualified name exactly as a statement would.
func (d Dialect) resolve(ctx context.Context, q dialect.Querier, t dialect.Table) (int64, *dialect.TableInfo, error) {
	ti := &dialect.TableInfo{}
	var oid int64
	err := q.QueryRowContext(ctx, `SELECT c.oid::bigint, n.nspname, c.relname
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'f')`, t.Qualified(d)).Scan(&oid, &ti.Schema, &ti.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, &dialect.NotFoundError{Kind: "table", Schema: t.Schema, Name: t.Name}
	}
	if err != nil {
		return 0, nil, fmt.Errorf("describe table %s: %w", t, err)
	}
	return oid, ti, nil
}

func describeColumns(ctx context.Context, q dialect.Querier, oid int64, ti *dialect.TableInfo) error {
	rows, err := q.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
	COALESCE(pg_get_expr(ad.adbin, ad.adrelid), ''), a.attidentity::text, a.attgenerated::text,
	COALESCE(pg_get_serial_sequence(a.attrelid::regclass::text, a.attname), '')
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, oid)
	if err != nil {
		return fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c dialect.Column
		var expr, identity, generated, seq string
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &expr, &identity, &generated, &seq); err != nil {
			return fmt.Errorf("read columns: %w", err)
		}
		switch {
		case generated == "s":
			c.Generated, c.GeneratedStored = expr, true
		default:
			c.Default = expr
		}
		switch identity {
		case "a":
			c.Identity = &dialect.Identity{Kind: dialect.IdentityAlways, Sequence: seq}
		case "d":
			c.Identity = &dialect.Identity{Kind: dialect.IdentityByDefault, Sequence: seq}
		default:
			if seq != "" && strings.HasPrefix(expr, "nextval(") {
				c.Identity = &dialect.Identity{Kind: dialect.IdentitySerial, Sequence: seq}
			}
		}
		ti.Columns = append(ti.Columns, c)
	}
	return rows.Err()
}

// describeConstraints reads the primary key, unique, foreign key and check
// constraints. Column lists come back as JSON arrays: names may hold any
// character, so no separator is safe.
func describeConstraints(ctx context.Context, q dialect.Querier, oid int64, ti *dialect.TableInfo) error {
	rows, err := q.QueryContext(ctx, `SELECT con.conname, con.contype::text,
	(SELECT COALESCE(json_agg(a.attname ORDER BY k.o), '[]')::text
	 FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n),
	COALESCE(rn.nspname, ''), COALESCE(rc.relname, ''),
	(SELECT COALESCE(json_agg(a.attname ORDER BY k.o), '[]')::text
	 FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n),
	con.confdeltype::text, con.confupdtype::text,
	COALESCE(pg_get_expr(con.conbin, con.conrelid), ''), pg_get_constraintdef(con.oid), NOT con.convalidated
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.conrelid = $1 AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY con.conname`, oid)
	if err != nil {
		return fmt.Errorf("read constraints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, kind, cols, refSchema, refTable, refCols, onDelete, onUpdate, expr, def string
		var notValid bool
		if err := rows.Scan(&name, &kind, &cols, &refSchema, &refTable, &refCols, &onDelete, &onUpdate, &expr, &def, &notValid); err != nil {
			return fmt.Errorf("read constraints: %w", err)
		}
		var columns, refColumns []string
		if err := json.Unmarshal([]byte(cols), &columns); err != nil {
			return fmt.Errorf("read constraint %s: %w", name, err)
		}
		if err := json.Unmarshal([]byte(refCols), &refColumns); err != nil {
			return fmt.Errorf("read constraint %s: %w", name, err)
		}
		switch kind {
		case "p":
			ti.PrimaryKey, ti.PrimaryKeyName = columns, name
		case "u":
			ti.Uniques = append(ti.Uniques, dialect.Unique{Name: name, Columns: columns})
		case "f":
			ti.ForeignKeys = append(ti.ForeignKeys, dialect.ForeignKey{Name: name, Columns: columns,
				RefSchema: refSchema, RefTable: refTable, RefColumns: refColumns,
				OnDelete: action(onDelete), OnUpdate: action(onUpdate), Definition: def, NotValid: notValid})
		case "c":
			ti.Checks = append(ti.Checks, dialect.Check{Name: name, Expression: expr, NotValid: notValid})
		}
	}
	return rows.Err()
}

// action spells pg_constraint's one-letter referential action.
func action(c string) string {
	switch c {
	case "r":
		return "RESTRICT"
	case "c":
		return "CASCADE"
	case "n":
		return "SET NULL"
	case "d":
		return "SET DEFAULT"
	}
	return "NO ACTION"
}

// indexPart is one key or INCLUDE column of an index, as the query below
// returns it.
type indexPart struct {
	Name    string `json:"name"`
	Expr    string `json:"expr"`
	Desc    bool   `json:"desc"`
	Include bool   `json:"include"`
}

func describeIndexes(ctx context.Context, q dialect.Querier, oid int64, ti *dialect.TableInfo) error {
	// indoption is an int2vector, whose subscripts start at 0.
	rows, err := q.QueryContext(ctx, `SELECT ic.relname, i.indisunique, i.indisvalid, am.amname,
	COALESCE(pg_get_expr(i.indpred, i.indrelid), ''), pg_get_indexdef(i.indexrelid),
	EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('u', 'x')),
	(SELECT COALESCE(json_agg(json_build_object(
		'name', COALESCE(a.attname, ''),
		'expr', CASE WHEN k.n = 0 THEN pg_get_indexdef(i.indexrelid, k.o::int, true) ELSE '' END,
		'desc', k.o <= i.indnkeyatts AND (i.indoption[k.o - 1] & 1) = 1,
		'include', k.o > i.indnkeyatts) ORDER BY k.o), '[]')::text
	 FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
	 LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n AND k.n > 0)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
WHERE i.indrelid = $1 AND NOT i.indisprimary
ORDER BY ic.relname`, oid)
	if err != nil {
		return fmt.Errorf("read indexes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ix dialect.Index
		var parts string
		if err := rows.Scan(&ix.Name, &ix.Unique, &ix.Valid, &ix.Method, &ix.Predicate, &ix.Definition, &ix.Constraint, &parts); err != nil {
			return fmt.Errorf("read indexes: %w", err)
		}
		var ps []indexPart
		if err := json.Unmarshal([]byte(parts), &ps); err != nil {
			return fmt.Errorf("read index %s: %w", ix.Name, err)
		}
		for _, p := range ps {
			switch {
			case p.Include:
				ix.Include = append(ix.Include, p.Name)
			case p.Expr != "":
				ix.Columns = append(ix.Columns, dialect.IndexColumn{Expression: p.Expr, Descending: p.Desc})
			default:
				ix.Columns = append(ix.Columns, dialect.IndexColumn{Name: p.Name, Descending: p.Desc})
			}
		}
		ti.Indexes = append(ti.Indexes, ix)
	}
	return rows.Err()
}

// Tables implements [dialect.Describer]: ordinary and partitioned tables,
// without partitions.
func (Dialect) Tables(ctx context.Context, q dialect.Querier, schema string) ([]dialect.Table, error) {
	rows, err := q.QueryContext(ctx, `SELECT n.nspname, c.relname
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname`, schema)
	if err != nil {
		return nil, fmt.Errorf("list tables of schema %q: %w", schema, err)
	}
	defer rows.Close()
	var out []dialect.Table
	for rows.Next() {
		var t dialect.Table
		if err := rows.Scan(&t.Schema, &t.Name); err != nil {
			return nil, fmt.Errorf("list tables of schema %q: %w", schema, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EstimateRows implements [dialect.Describer] from pg_class.reltuples,
// which VACUUM and ANALYZE keep; -1 before either ran (PostgreSQL 14 and
// later say so; earlier versions say 0).
func (d Dialect) EstimateRows(ctx context.Context, q dialect.Querier, t dialect.Table) (int64, error) {
	var n sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT reltuples::float8 FROM pg_catalog.pg_class WHERE oid = to_regclass($1)`, t.Qualified(d)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, &dialect.NotFoundError{Kind: "table", Schema: t.Schema, Name: t.Name}
	}
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
	}
	if !n.Valid || n.Float64 < 0 {
		return -1, nil
	}
	return int64(n.Float64), nil
}
