package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kind is an engine-neutral column type.
type Kind string

// Kinds of column.
const (
	KInt16       Kind = "int16"
	KInt32       Kind = "int32"
	KInt64       Kind = "int64"
	KUint64      Kind = "uint64" // MySQL BIGINT UNSIGNED: numeric(20) elsewhere
	KDecimal     Kind = "decimal"
	KFloat32     Kind = "float32"
	KFloat64     Kind = "float64"
	KBool        Kind = "bool"
	KText        Kind = "text"
	KVarchar     Kind = "varchar"
	KChar        Kind = "char"
	KBytes       Kind = "bytes"
	KDate        Kind = "date"
	KTime        Kind = "time"
	KDatetime    Kind = "datetime"    // wall-clock time read in the spec's zone (MySQL DATETIME)
	KTimestamp   Kind = "timestamp"   // wall-clock time (PostgreSQL timestamp)
	KTimestampTZ Kind = "timestamptz" // an instant
	KJSON        Kind = "json"
	KUUID        Kind = "uuid"
	KEnum        Kind = "enum"
)

// Column describes one column of a table.
type Column struct {
	Name      string   `json:"name"`
	Kind      Kind     `json:"kind"`
	Raw       string   `json:"type"` // the engine's own type
	Nullable  bool     `json:"nullable"`
	Length    int      `json:"length,omitempty"`
	Precision int      `json:"precision,omitempty"`
	Scale     int      `json:"scale,omitempty"`
	Enum      []string `json:"enum,omitempty"`
}

func (c Column) isDateish() bool {
	switch c.Kind {
	case KDate, KDatetime, KTimestamp, KTimestampTZ:
		return true
	}
	return false
}

var (
	reParen = regexp.MustCompile(`\(([^)]*)\)`)
	reEnum  = regexp.MustCompile(`'((?:[^']|'')*)'`)
)

// kindOf maps an engine's type to a Kind. full is the complete type text
// (MySQL COLUMN_TYPE, PostgreSQL format_type, SQLite declared type).
func kindOf(engine, full string) Column {
	t := strings.ToLower(strings.TrimSpace(full))
	if rest, ok := strings.CutPrefix(t, "unsigned "); ok {
		// database/sql's DatabaseTypeName for MySQL: "UNSIGNED INT".
		t = rest + " unsigned"
	}
	c := Column{Raw: full}
	args := []int{}
	if m := reParen.FindStringSubmatch(t); m != nil && !strings.HasPrefix(t, "enum") && !strings.HasPrefix(t, "set") {
		for _, a := range strings.Split(m[1], ",") {
			n, _ := strconv.Atoi(strings.TrimSpace(a))
			args = append(args, n)
		}
	}
	base := t
	if i := strings.IndexAny(base, "( "); i > 0 {
		base = base[:i]
	}
	unsigned := strings.Contains(t, "unsigned")
	switch base {
	case "tinyint":
		if len(args) > 0 && args[0] == 1 && engine == "mysql" {
			c.Kind = KBool
		} else {
			c.Kind = KInt16
		}
	case "smallint", "int2", "smallserial", "year":
		c.Kind = KInt16
		if unsigned {
			c.Kind = KInt32
		}
	case "mediumint", "int", "integer", "int4", "serial":
		c.Kind = KInt32
		if unsigned || (engine == "sqlite") {
			c.Kind = KInt64
		}
	case "bigint", "int8", "bigserial":
		c.Kind = KInt64
		if unsigned {
			c.Kind = KUint64
		}
	case "decimal", "numeric", "dec", "fixed":
		c.Kind = KDecimal
		if len(args) > 0 {
			c.Precision = args[0]
		}
		if len(args) > 1 {
			c.Scale = args[1]
		}
	case "float", "real", "float4":
		c.Kind = KFloat32
		if engine == "sqlite" {
			c.Kind = KFloat64
		}
	case "double", "float8":
		c.Kind = KFloat64
	case "boolean", "bool":
		c.Kind = KBool
	case "varchar", "character", "nvarchar", "varchar2":
		c.Kind = KVarchar
		if base == "character" && !strings.Contains(t, "varying") {
			c.Kind = KChar
		}
		if len(args) > 0 {
			c.Length = args[0]
		} else {
			c.Kind = KText
		}
	case "char", "bpchar", "nchar":
		c.Kind = KChar
		c.Length = 1
		if len(args) > 0 {
			c.Length = args[0]
		}
	case "text", "tinytext", "mediumtext", "longtext", "clob", "citext", "name", "set", "inet", "cidr", "interval":
		c.Kind = KText
	case "blob", "tinyblob", "mediumblob", "longblob", "bytea", "binary", "varbinary":
		c.Kind = KBytes
	case "date":
		c.Kind = KDate
	case "time":
		c.Kind = KTime
		if strings.Contains(t, "with time zone") {
			c.Kind = KText
		}
	case "datetime":
		c.Kind = KDatetime
	case "timestamp":
		switch {
		case engine == "mysql":
			c.Kind = KTimestampTZ
		case strings.Contains(t, "with time zone"):
			c.Kind = KTimestampTZ
		default:
			c.Kind = KTimestamp
		}
	case "timestamptz":
		c.Kind = KTimestampTZ
	case "json", "jsonb":
		c.Kind = KJSON
	case "uuid":
		c.Kind = KUUID
	case "enum":
		c.Kind = KEnum
		for _, m := range reEnum.FindAllStringSubmatch(full, -1) {
			c.Enum = append(c.Enum, strings.ReplaceAll(m[1], "''", "'"))
		}
	default:
		c.Kind = KText
		if engine == "sqlite" {
			// SQLite's affinity rules.
			switch {
			case strings.Contains(t, "int"):
				c.Kind = KInt64
			case strings.Contains(t, "char"), strings.Contains(t, "clob"), strings.Contains(t, "text"):
				c.Kind = KText
			case strings.Contains(t, "real"), strings.Contains(t, "floa"), strings.Contains(t, "doub"):
				c.Kind = KFloat64
			case t == "" || strings.Contains(t, "blob"):
				c.Kind = KText
			}
		}
	}
	return c
}

// tableInfo is a table's columns and primary key.
type tableInfo struct {
	Columns []Column
	Primary []string
}

// describeTable reads a table's columns on engine. It returns (nil, nil)
// when the table does not exist.
func describeTable(ctx context.Context, db *sql.DB, engine, table string) (*tableInfo, error) {
	ti := &tableInfo{}
	var rows *sql.Rows
	var err error
	switch engine {
	case "postgres":
		schema, name := splitName(table)
		rows, err = db.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
			COALESCE((SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), 0)
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relname = $1 AND n.nspname = COALESCE(NULLIF($2, ''), current_schema()) AND a.attnum > 0 AND NOT a.attisdropped
			ORDER BY a.attnum`, name, schema)
	case "mysql":
		rows, err = db.QueryContext(ctx, `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE = 'YES',
			COALESCE((SELECT k.ORDINAL_POSITION FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME AND k.CONSTRAINT_NAME = 'PRIMARY'), 0)
			FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION`, table)
	case "sqlite":
		rows, err = db.QueryContext(ctx, `SELECT name, type, "notnull" = 0, pk FROM pragma_table_info(?)`, table)
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	defer rows.Close()
	pk := map[int]string{}
	for rows.Next() {
		var name, typ string
		var nullable bool
		var pos int
		if err := rows.Scan(&name, &typ, &nullable, &pos); err != nil {
			return nil, fmt.Errorf("describe %s: %w", table, err)
		}
		c := kindOf(engine, typ)
		c.Name, c.Nullable = name, nullable
		ti.Columns = append(ti.Columns, c)
		if pos > 0 {
			pk[pos] = name
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	if len(ti.Columns) == 0 {
		return nil, nil
	}
	for i := 1; i <= len(pk); i++ {
		ti.Primary = append(ti.Primary, pk[i])
	}
	return ti, nil
}

// describeQuery reads the columns a query returns.
func describeQuery(ctx context.Context, db *sql.DB, engine, query string) (*tableInfo, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM ("+query+") strata_q WHERE 1 = 0")
	if err != nil {
		return nil, fmt.Errorf("describe query: %w", err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	ti := &tableInfo{}
	for _, ct := range cts {
		c := kindOf(engine, ct.DatabaseTypeName())
		if engine == "mysql" && c.Kind == KTimestampTZ {
			c.Kind = KDatetime
		}
		c.Name = ct.Name()
		c.Nullable = true
		ti.Columns = append(ti.Columns, c)
	}
	return ti, rows.Err()
}

func splitName(t string) (schema, name string) {
	if s, n, ok := strings.Cut(t, "."); ok {
		return s, n
	}
	return "", t
}

// Note is something the planner changed and the report explains.
type Note struct {
	Table  string `json:"table"`
	Column string `json:"column,omitempty"`
	Note   string `json:"note"`
}

// targetType renders c as a column type of engine. key says the column is
// part of the primary key (MySQL keys cannot be TEXT).
func targetType(engine string, c Column, key bool, q func(string) string) string {
	switch engine {
	case "postgres":
		switch c.Kind {
		case KInt16:
			return "smallint"
		case KInt32:
			return "integer"
		case KInt64:
			return "bigint"
		case KUint64:
			return "numeric(20,0)"
		case KDecimal:
			if c.Precision > 0 {
				return fmt.Sprintf("numeric(%d,%d)", c.Precision, c.Scale)
			}
			return "numeric"
		case KFloat32:
			return "real"
		case KFloat64:
			return "double precision"
		case KBool:
			return "boolean"
		case KVarchar:
			return fmt.Sprintf("varchar(%d)", c.Length)
		case KChar:
			return fmt.Sprintf("char(%d)", c.Length)
		case KBytes:
			return "bytea"
		case KDate:
			return "date"
		case KTime:
			return "time"
		case KDatetime, KTimestampTZ:
			return "timestamptz"
		case KTimestamp:
			return "timestamp"
		case KJSON:
			return "jsonb"
		case KUUID:
			return "uuid"
		case KEnum:
			return "text CHECK (" + q(c.Name) + " IN (" + quoteList(c.Enum) + "))"
		}
		return "text"
	case "mysql":
		switch c.Kind {
		case KInt16:
			return "smallint"
		case KInt32:
			return "int"
		case KInt64:
			return "bigint"
		case KUint64:
			return "bigint unsigned"
		case KDecimal:
			if c.Precision > 0 {
				return fmt.Sprintf("decimal(%d,%d)", min(c.Precision, 65), min(c.Scale, 30))
			}
			return "decimal(65,30)"
		case KFloat32:
			return "float"
		case KFloat64:
			return "double"
		case KBool:
			return "tinyint(1)"
		case KVarchar:
			return fmt.Sprintf("varchar(%d)", c.Length)
		case KChar:
			return fmt.Sprintf("char(%d)", c.Length)
		case KBytes:
			if key {
				return "varbinary(255)"
			}
			return "longblob"
		case KDate:
			return "date"
		case KTime:
			return "time(6)"
		case KDatetime, KTimestamp, KTimestampTZ:
			return "datetime(6)"
		case KJSON:
			return "json"
		case KUUID:
			return "char(36)"
		case KEnum:
			return "enum(" + quoteList(c.Enum) + ")"
		}
		if key {
			return "varchar(255)"
		}
		return "longtext"
	}
	// sqlite
	switch c.Kind {
	case KInt16, KInt32, KInt64:
		return "INTEGER"
	case KUint64, KDecimal:
		return "NUMERIC"
	case KFloat32, KFloat64:
		return "REAL"
	case KBool:
		return "BOOLEAN"
	case KBytes:
		return "BLOB"
	case KDate:
		return "DATE"
	case KDatetime, KTimestamp, KTimestampTZ:
		return "TIMESTAMP"
	case KEnum:
		return "TEXT CHECK (" + q(c.Name) + " IN (" + quoteList(c.Enum) + "))"
	}
	return "TEXT"
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

// createTableSQL builds CREATE TABLE for cols on engine, and notes the
// changes a reader should know about (relaxed NOT NULL, widened types).
func createTableSQL(engine, srcEngine, table string, cols []Column, key []string, q func(string) string) (string, []Note) {
	var notes []Note
	var defs []string
	for _, c := range cols {
		isKey := index(key, c.Name) >= 0
		typ := targetType(engine, c, isKey, q)
		null := c.Nullable
		if !c.Nullable && srcEngine == "mysql" && c.isDateish() && !isKey {
			null = true
			notes = append(notes, Note{Table: table, Column: c.Name, Note: fmt.Sprintf("created nullable although the source is NOT NULL: MySQL %s may hold zero dates (0000-00-00), which become NULL (counted as zero_dates)", c.Raw)})
		}
		switch {
		case srcEngine == "mysql" && c.Kind == KBool && engine != "mysql":
			notes = append(notes, Note{Table: table, Column: c.Name, Note: "MySQL tinyint(1) becomes boolean (0 false, any other value true)"})
		case srcEngine == "mysql" && c.Kind == KDatetime && engine == "postgres":
			notes = append(notes, Note{Table: table, Column: c.Name, Note: "MySQL datetime becomes timestamptz, read in the spec's timezone (default UTC)"})
		case strings.Contains(strings.ToLower(c.Raw), "unsigned") && engine != "mysql":
			notes = append(notes, Note{Table: table, Column: c.Name, Note: fmt.Sprintf("%s widened to %s so every unsigned value fits", c.Raw, typ)})
		case c.Kind == KEnum && engine != "mysql":
			notes = append(notes, Note{Table: table, Column: c.Name, Note: "enum becomes text with a CHECK of its values"})
		}
		d := q(c.Name) + " " + typ
		if !null || isKey {
			d += " NOT NULL"
		}
		defs = append(defs, d)
	}
	if len(key) > 0 {
		qk := make([]string, len(key))
		for i, k := range key {
			qk[i] = q(k)
		}
		defs = append(defs, "PRIMARY KEY ("+strings.Join(qk, ", ")+")")
	}
	return "CREATE TABLE " + qualify(table, q) + " (\n  " + strings.Join(defs, ",\n  ") + "\n)", notes
}

func qualify(table string, q func(string) string) string {
	if s, n := splitName(table); s != "" {
		return q(s) + "." + q(n)
	}
	return q(table)
}
