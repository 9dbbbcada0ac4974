package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// DescribeTable implements [dialect.Describer] from SQLite's pragmas and,
// for what no pragma reports (CHECK constraints, generated-column
// expressions, constraint names, index expressions and predicates), from
// the CREATE statements in sqlite_schema. An empty schema means "main".
func (d Dialect) DescribeTable(ctx context.Context, q dialect.Querier, t dialect.Table) (*dialect.TableInfo, error) {
	schema := t.Schema
	if schema == "" {
		schema = "main"
	}
	var name, create string
	err := q.QueryRowContext(ctx, `SELECT name, COALESCE(sql, '') FROM `+d.Quote(schema)+`.sqlite_master
WHERE type = 'table' AND name = ? COLLATE NOCASE`, t.Name).Scan(&name, &create)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &dialect.NotFoundError{Kind: "table", Schema: t.Schema, Name: t.Name}
	}
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", t, err)
	}
	r := describer{q: q, schema: schema, ti: &dialect.TableInfo{Schema: schema, Name: name}, ddl: parseCreateTable(create)}
	for _, step := range []func(context.Context) error{r.columns, r.indexes, r.foreignKeys} {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("describe table %s: %w", t, err)
		}
	}
	for _, c := range r.ddl.checks {
		r.ti.Checks = append(r.ti.Checks, dialect.Check{Name: c.name, Expression: c.expr})
	}
	slices.SortStableFunc(r.ti.Checks, func(a, b dialect.Check) int { return strings.Compare(a.Name, b.Name) })
	return r.ti, nil
}

// describer reads one table's definition.
type describer struct {
	q      dialect.Querier
	schema string
	ti     *dialect.TableInfo
	ddl    tableDDL
}

func (r *describer) columns(ctx context.Context) error {
	rows, err := r.q.QueryContext(ctx, `SELECT name, type, "notnull" = 0, dflt_value, pk, hidden
FROM pragma_table_xinfo(?, ?) ORDER BY cid`, r.ti.Name, r.schema)
	if err != nil {
		return fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	pk := map[int]string{}
	for rows.Next() {
		var c dialect.Column
		var def sql.NullString
		var pos, hidden int
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &def, &pos, &hidden); err != nil {
			return fmt.Errorf("read columns: %w", err)
		}
		if hidden == 1 { // a virtual table's hidden column
			continue
		}
		if hidden == 2 || hidden == 3 {
			c.Generated, c.GeneratedStored = r.ddl.generated[c.Name], hidden == 3
		}
		if def.Valid && !strings.EqualFold(def.String, "NULL") {
			c.Default = def.String
		}
		if pos > 0 {
			pk[pos] = c.Name
		}
		r.ti.Columns = append(r.ti.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 1; i <= len(pk); i++ {
		r.ti.PrimaryKey = append(r.ti.PrimaryKey, pk[i])
	}
	r.ti.PrimaryKeyName = r.ddl.pkName
	// INTEGER PRIMARY KEY (spelled exactly so) aliases the rowid, unless
	// the table is WITHOUT ROWID.
	if len(r.ti.PrimaryKey) == 1 && !r.ddl.withoutRow {
		for i, c := range r.ti.Columns {
			if c.Name == r.ti.PrimaryKey[0] && strings.EqualFold(c.Type, "INTEGER") {
				kind := dialect.IdentityRowID
				if r.ddl.autoinc {
					kind = dialect.IdentityAutoIncrement
				}
				r.ti.Columns[i].Identity = &dialect.Identity{Kind: kind}
				// The pragma says nullable, but a NULL written there
				// becomes the next rowid: the column never holds one.
				r.ti.Columns[i].Nullable = false
			}
		}
	}
	return nil
}

// index is one row of pragma_index_list.
type index struct {
	name    string
	unique  bool
	origin  string // c: CREATE INDEX, u: UNIQUE constraint, pk: primary key
	partial bool
}

func (r *describer) indexes(ctx context.Context) error {
	rows, err := r.q.QueryContext(ctx, `SELECT name, "unique", origin, partial FROM pragma_index_list(?, ?)`, r.ti.Name, r.schema)
	if err != nil {
		return fmt.Errorf("read indexes: %w", err)
	}
	var list []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partial); err != nil {
			rows.Close()
			return fmt.Errorf("read indexes: %w", err)
		}
		list = append(list, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read indexes: %w", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	for _, l := range list {
		if l.origin == "pk" {
			continue
		}
		ix, err := r.index(ctx, l)
		if err != nil {
			return err
		}
		r.ti.Indexes = append(r.ti.Indexes, ix)
		if l.origin == "u" {
			r.ti.Uniques = append(r.ti.Uniques, dialect.Unique{Name: r.uniqueName(ix), Columns: ix.ColumnNames()})
		}
	}
	return nil
}

// uniqueName is the CONSTRAINT name the DDL gave a unique constraint over
// the index's columns, else the automatic index's name.
func (r *describer) uniqueName(ix dialect.Index) string {
	for _, u := range r.ddl.uniqueNames {
		if u.name != "" && slices.Equal(u.columns, ix.ColumnNames()) {
			return u.name
		}
	}
	return ix.Name
}

func (r *describer) index(ctx context.Context, l index) (dialect.Index, error) {
	ix := dialect.Index{Name: l.name, Unique: l.unique, Constraint: l.origin == "u", Valid: true}
	var def sql.NullString
	if err := r.q.QueryRowContext(ctx, `SELECT sql FROM `+Dialect{}.Quote(r.schema)+`.sqlite_master WHERE type = 'index' AND name = ?`, l.name).Scan(&def); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ix, fmt.Errorf("read index %s: %w", l.name, err)
	}
	ix.Definition = def.String
	parsed := parseCreateIndex(def.String)
	if l.partial {
		ix.Predicate = parsed.predicate
	}
	rows, err := r.q.QueryContext(ctx, `SELECT seqno, cid, COALESCE(name, ''), "desc" FROM pragma_index_xinfo(?, ?) WHERE key = 1 ORDER BY seqno`, l.name, r.schema)
	if err != nil {
		return ix, fmt.Errorf("read index %s: %w", l.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq, cid int
		var part dialect.IndexColumn
		if err := rows.Scan(&seq, &cid, &part.Name, &part.Descending); err != nil {
			return ix, fmt.Errorf("read index %s: %w", l.name, err)
		}
		if cid == -2 { // an expression
			part.Name = ""
			if seq < len(parsed.parts) {
				part.Expression = parsed.parts[seq]
			}
		}
		ix.Columns = append(ix.Columns, part)
	}
	return ix, rows.Err()
}

func (r *describer) foreignKeys(ctx context.Context) error {
	rows, err := r.q.QueryContext(ctx, `SELECT id, "table", "from", "to", on_delete, on_update
FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq`, r.ti.Name, r.schema)
	if err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	var fks []dialect.ForeignKey
	last := -1
	implicit := map[int]bool{} // the reference names no columns: the parent's key
	for rows.Next() {
		var id int
		var ref, from string
		var to sql.NullString
		var onDelete, onUpdate string
		if err := rows.Scan(&id, &ref, &from, &to, &onDelete, &onUpdate); err != nil {
			rows.Close()
			return fmt.Errorf("read foreign keys: %w", err)
		}
		if id != last {
			fks = append(fks, dialect.ForeignKey{RefTable: ref, OnDelete: strings.ToUpper(onDelete), OnUpdate: strings.ToUpper(onUpdate)})
			last = id
		}
		fk := &fks[len(fks)-1]
		fk.Columns = append(fk.Columns, from)
		fk.RefColumns = append(fk.RefColumns, to.String)
		if !to.Valid {
			implicit[len(fks)-1] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	for i := range fks {
		if implicit[i] {
			parent, err := Dialect{}.DescribeTable(ctx, r.q, dialect.Table{Schema: r.schema, Name: fks[i].RefTable})
			if err == nil {
				fks[i].RefColumns = parent.PrimaryKey
			}
		}
		for _, n := range r.ddl.fkNames {
			if n.name != "" && slices.Equal(n.columns, fks[i].Columns) {
				fks[i].Name = n.name
			}
		}
	}
	// pragma_foreign_key_list numbers the last declared key 0; named
	// keys are sorted by name as on the other engines, unnamed ones keep
	// their declared order.
	slices.Reverse(fks)
	slices.SortStableFunc(fks, func(a, b dialect.ForeignKey) int { return strings.Compare(a.Name, b.Name) })
	r.ti.ForeignKeys = fks
	return nil
}

// Tables implements [dialect.Describer], leaving out SQLite's own
// sqlite_* tables.
func (d Dialect) Tables(ctx context.Context, q dialect.Querier, schema string) ([]dialect.Table, error) {
	if schema == "" {
		schema = "main"
	}
	rows, err := q.QueryContext(ctx, `SELECT name FROM `+d.Quote(schema)+`.sqlite_master
WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", schema, err)
	}
	defer rows.Close()
	var out []dialect.Table
	for rows.Next() {
		t := dialect.Table{Schema: schema}
		if err := rows.Scan(&t.Name); err != nil {
			return nil, fmt.Errorf("list tables of %s: %w", schema, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EstimateRows implements [dialect.Describer] from sqlite_stat1, which
// ANALYZE fills; -1 without it.
func (d Dialect) EstimateRows(ctx context.Context, q dialect.Querier, t dialect.Table) (int64, error) {
	schema := t.Schema
	if schema == "" {
		schema = "main"
	}
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM `+d.Quote(schema)+`.sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`, t.Name).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, &dialect.NotFoundError{Kind: "table", Schema: t.Schema, Name: t.Name}
	}
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
	}
	var stat string
	err = q.QueryRowContext(ctx, `SELECT stat FROM `+d.Quote(schema)+`.sqlite_stat1 WHERE tbl = ? ORDER BY idx IS NOT NULL LIMIT 1`, name).Scan(&stat)
	if errors.Is(err, sql.ErrNoRows) || d.IsMissingObject(err) {
		return -1, nil // never analyzed: no sqlite_stat1, or no row for the table
	}
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
	}
	var n int64
	if _, err := fmt.Sscanf(stat, "%d", &n); err != nil {
		return -1, nil
	}
	return n, nil
}
