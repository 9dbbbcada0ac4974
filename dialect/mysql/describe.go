package mysql

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

// information_schema compares names case-insensitively, while table names
// are case-sensitive on most servers (lower_case_table_names=0): every
// query here returns TABLE_NAME and rows of another table with the same
// letters are dropped in Go.

// DescribeTable implements [dialect.Describer] from information_schema. An
// empty schema means the connection's current database.
func (d Dialect) DescribeTable(ctx context.Context, q dialect.Querier, t dialect.Table) (*dialect.TableInfo, error) {
	schema, err := schemaOf(ctx, q, t.Schema)
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", t, err)
	}
	ok, err := tableExists(ctx, q, schema, t.Name)
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", t, err)
	}
	if !ok {
		return nil, &dialect.NotFoundError{Kind: "table", Schema: t.Schema, Name: t.Name}
	}
	v, err := d.ServerVersion(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", t, err)
	}
	ti := &dialect.TableInfo{Schema: schema, Name: t.Name}
	r := describer{q: q, v: v, schema: schema, table: t.Name, ti: ti}
	for _, step := range []func(context.Context) error{r.columns, r.indexes, r.foreignKeys, r.checks} {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("describe table %s: %w", t, err)
		}
	}
	return ti, nil
}

// describer reads one table's definition, one catalog query per part.
type describer struct {
	q      dialect.Querier
	v      dialect.Version
	schema string
	table  string
	ti     *dialect.TableInfo
}

func schemaOf(ctx context.Context, q dialect.Querier, schema string) (string, error) {
	if schema != "" {
		return schema, nil
	}
	var db sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil {
		return "", fmt.Errorf("read the current database: %w", err)
	}
	if db.String == "" {
		return "", errors.New("no database selected: name one in the URL (mysql://host/DATABASE) or qualify the table")
	}
	return db.String, nil
}

func tableExists(ctx context.Context, q dialect.Querier, schema, name string) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`, schema, name)
	if err != nil {
		return false, fmt.Errorf("look the table up: %w", err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return false, err
		}
		found = found || n == name
	}
	return found, rows.Err()
}

func (r *describer) columns(ctx context.Context) error {
	rows, err := r.q.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE = 'YES', COLUMN_DEFAULT,
	EXTRA, COALESCE(GENERATION_EXPRESSION, ''), DATA_TYPE
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`, r.schema, r.table)
	if err != nil {
		return fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, extra, dataType string
		var def sql.NullString
		var c dialect.Column
		if err := rows.Scan(&table, &c.Name, &c.Type, &c.Nullable, &def, &extra, &c.Generated, &dataType); err != nil {
			return fmt.Errorf("read columns: %w", err)
		}
		if table != r.table {
			continue
		}
		lower := strings.ToLower(extra)
		if strings.Contains(lower, "auto_increment") {
			c.Identity = &dialect.Identity{Kind: dialect.IdentityAutoIncrement}
		}
		if c.Generated != "" {
			c.GeneratedStored = strings.Contains(lower, "stored") || strings.Contains(lower, "persistent")
		} else if def.Valid {
			c.Default = r.defaultExpr(def.String, lower, dataType)
		}
		if i := strings.Index(lower, "on update "); i >= 0 {
			c.OnUpdate = extra[i+len("on update "):]
		}
		r.ti.Columns = append(r.ti.Columns, c)
	}
	return rows.Err()
}

// defaultExpr turns COLUMN_DEFAULT into an SQL expression. MariaDB (10.2.7
// and later) stores it as one already ('text', NULL, current_timestamp()).
// MySQL stores a literal default as its bare value and marks expressions
// DEFAULT_GENERATED, so a literal of a non-numeric column is quoted here.
func (r *describer) defaultExpr(def, extra, dataType string) string {
	if r.v.Flavor == dialect.MariaDB {
		if def == "NULL" {
			return ""
		}
		return def
	}
	switch {
	case strings.Contains(extra, "default_generated"), strings.HasPrefix(strings.ToUpper(def), "CURRENT_TIMESTAMP"):
		return def
	}
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double", "bit", "year":
		return def
	}
	return Dialect{}.QuoteLiteral(def)
}

func (r *describer) indexes(ctx context.Context) error {
	expr := "''"
	if r.v.Flavor == dialect.MySQL && r.v.AtLeast(8, 0, 13) {
		expr = "COALESCE(EXPRESSION, '')" // functional key parts
	}
	rows, err := r.q.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE = 0, COALESCE(COLUMN_NAME, ''),
	COALESCE(COLLATION, 'A') = 'D', COALESCE(SUB_PART, 0), INDEX_TYPE, `+expr+`
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
ORDER BY INDEX_NAME, SEQ_IN_INDEX`, r.schema, r.table)
	if err != nil {
		return fmt.Errorf("read indexes: %w", err)
	}
	defer rows.Close()
	byName := map[string]*dialect.Index{}
	var names []string
	for rows.Next() {
		var table, name, method, expression string
		var unique bool
		var part dialect.IndexColumn
		if err := rows.Scan(&table, &name, &unique, &part.Name, &part.Descending, &part.Length, &method, &expression); err != nil {
			return fmt.Errorf("read indexes: %w", err)
		}
		if table != r.table {
			continue
		}
		if expression != "" {
			part.Name, part.Expression = "", expression
		}
		if name == "PRIMARY" {
			r.ti.PrimaryKey = append(r.ti.PrimaryKey, part.Name)
			r.ti.PrimaryKeyName = name
			continue
		}
		ix := byName[name]
		if ix == nil {
			ix = &dialect.Index{Name: name, Unique: unique, Constraint: unique, Method: strings.ToLower(method), Valid: true}
			byName[name] = ix
			names = append(names, name)
		}
		ix.Columns = append(ix.Columns, part)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		ix := byName[n]
		r.ti.Indexes = append(r.ti.Indexes, *ix)
		if ix.Unique {
			r.ti.Uniques = append(r.ti.Uniques, dialect.Unique{Name: n, Columns: ix.ColumnNames()})
		}
	}
	return nil
}

func (r *describer) foreignKeys(ctx context.Context) error {
	rows, err := r.q.QueryContext(ctx, `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,
	k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.DELETE_RULE, rc.UPDATE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
  ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND rc.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, r.schema, r.table)
	if err != nil {
		return fmt.Errorf("read foreign keys: %w", err)
	}
	defer rows.Close()
	var fks []dialect.ForeignKey
	for rows.Next() {
		var table, name, col, refSchema, refTable, refCol, onDelete, onUpdate string
		if err := rows.Scan(&table, &name, &col, &refSchema, &refTable, &refCol, &onDelete, &onUpdate); err != nil {
			return fmt.Errorf("read foreign keys: %w", err)
		}
		if table != r.table {
			continue
		}
		if n := len(fks); n == 0 || fks[n-1].Name != name {
			fks = append(fks, dialect.ForeignKey{Name: name, RefSchema: refSchema, RefTable: refTable,
				OnDelete: strings.ToUpper(onDelete), OnUpdate: strings.ToUpper(onUpdate)})
		}
		fk := &fks[len(fks)-1]
		fk.Columns = append(fk.Columns, col)
		fk.RefColumns = append(fk.RefColumns, refCol)
	}
	// information_schema sorts case-insensitively; names sort by bytes
	// on every engine.
	slices.SortStableFunc(fks, func(a, b dialect.ForeignKey) int { return strings.Compare(a.Name, b.Name) })
	r.ti.ForeignKeys = fks
	return rows.Err()
}

// checks reads CHECK constraints: MariaDB (10.2 and later) lists them with
// their table; MySQL (8.0.16 and later) through TABLE_CONSTRAINTS, its
// check names being unique per schema. Older servers keep none.
func (r *describer) checks(ctx context.Context) error {
	var query string
	switch {
	case r.v.Flavor == dialect.MariaDB && r.v.AtLeast(10, 2, 1):
		query = `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME`
	case r.v.Flavor == dialect.MySQL && r.v.AtLeast(8, 0, 16):
		query = `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA = ? AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'CHECK' ORDER BY cc.CONSTRAINT_NAME`
	default:
		return nil
	}
	rows, err := r.q.QueryContext(ctx, query, r.schema, r.table)
	if err != nil {
		return fmt.Errorf("read checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var c dialect.Check
		if err := rows.Scan(&table, &c.Name, &c.Expression); err != nil {
			return fmt.Errorf("read checks: %w", err)
		}
		if table == r.table {
			r.ti.Checks = append(r.ti.Checks, c)
		}
	}
	slices.SortStableFunc(r.ti.Checks, func(a, b dialect.Check) int { return strings.Compare(a.Name, b.Name) })
	return rows.Err()
}

// Tables implements [dialect.Describer].
func (Dialect) Tables(ctx context.Context, q dialect.Querier, schema string) ([]dialect.Table, error) {
	schema, err := schemaOf(ctx, q, schema)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`, schema)
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
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, rows.Err()
}

// EstimateRows implements [dialect.Describer] from TABLE_ROWS, InnoDB's
// sampled estimate (MySQL 8 caches it for information_schema_stats_expiry).
func (Dialect) EstimateRows(ctx context.Context, q dialect.Querier, t dialect.Table) (int64, error) {
	schema, err := schemaOf(ctx, q, t.Schema)
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`, schema, t.Name)
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n sql.NullInt64
		if err := rows.Scan(&name, &n); err != nil {
			return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
		}
		if name != t.Name {
			continue
		}
		if !n.Valid {
			return -1, nil
		}
		return n.Int64, nil
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", t, err)
	}
	return 0, &dialect.NotFoundError{Kind: "table", Schema: t.Schema, Name: t.Name}
}
