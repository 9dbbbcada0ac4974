package transfer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
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

func isIntKind(k Kind) bool { return k == KInt16 || k == KInt32 || k == KInt64 }

// Note is something the planner changed and the report explains.
type Note struct {
	Table  string `json:"table"`
	Column string `json:"column,omitempty"`
	Note   string `json:"note"`
}

var (
	reParen = regexp.MustCompile(`\(([^)]*)\)`)
	reEnum  = regexp.MustCompile(`'((?:[^'\\]|''|\\.)*)'`)
)

// typeText is a type's text taken apart: "decimal(10,2) unsigned" is base
// decimal, args [10 2], unsigned.
type typeText struct {
	full, lower, base string
	args              []int
	unsigned          bool
}

func parseTypeText(full string) typeText {
	t := strings.ToLower(strings.TrimSpace(full))
	if rest, ok := strings.CutPrefix(t, "unsigned "); ok {
		// database/sql's DatabaseTypeName for MySQL: "UNSIGNED INT".
		t = rest + " unsigned"
	}
	tt := typeText{full: full, lower: t, base: t, unsigned: strings.Contains(t, "unsigned")}
	if m := reParen.FindStringSubmatch(t); m != nil && !strings.HasPrefix(t, "enum") && !strings.HasPrefix(t, "set") {
		for _, a := range strings.Split(m[1], ",") {
			n, _ := strconv.Atoi(strings.TrimSpace(a))
			tt.args = append(tt.args, n)
		}
	}
	if i := strings.IndexAny(tt.base, "( "); i > 0 {
		tt.base = tt.base[:i]
	}
	return tt
}

func (tt typeText) arg(i int) int {
	if i < len(tt.args) {
		return tt.args[i]
	}
	return 0
}

// commonKind reads the types every engine spells alike; known is false
// for a type it does not know (then text). Engines adjust the types they
// spell differently.
func commonKind(tt typeText) (c Column, known bool) {
	c = Column{Raw: tt.full, Kind: KText}
	switch tt.base {
	case "tinyint":
		c.Kind = KInt16
	case "smallint", "int2", "smallserial", "year":
		c.Kind = pick(tt.unsigned, KInt32, KInt16)
	case "mediumint", "int", "integer", "int4", "serial":
		c.Kind = pick(tt.unsigned, KInt64, KInt32)
	case "bigint", "int8", "bigserial":
		c.Kind = pick(tt.unsigned, KUint64, KInt64)
	case "decimal", "numeric", "dec", "fixed":
		c.Kind, c.Precision, c.Scale = KDecimal, tt.arg(0), tt.arg(1)
	case "float", "real", "float4":
		c.Kind = KFloat32
	case "double", "float8":
		c.Kind = KFloat64
	case "boolean", "bool":
		c.Kind = KBool
	case "varchar", "character", "nvarchar", "varchar2":
		c.Kind, c.Length = KVarchar, tt.arg(0)
		if tt.base == "character" && !strings.Contains(tt.lower, "varying") {
			c.Kind = KChar
		}
		if len(tt.args) == 0 {
			c.Kind = KText
		}
	case "char", "bpchar", "nchar":
		c.Kind, c.Length = KChar, max(1, tt.arg(0))
	case "text", "tinytext", "mediumtext", "longtext", "clob", "citext", "name", "set", "inet", "cidr", "interval":
	case "blob", "tinyblob", "mediumblob", "longblob", "bytea", "binary", "varbinary":
		c.Kind = KBytes
	case "date":
		c.Kind = KDate
	case "time":
		c.Kind = pick(strings.Contains(tt.lower, "with time zone"), KText, KTime)
	case "datetime":
		c.Kind = KDatetime
	case "timestamp":
		c.Kind = pick(strings.Contains(tt.lower, "with time zone"), KTimestampTZ, KTimestamp)
	case "timestamptz":
		c.Kind = KTimestampTZ
	case "json", "jsonb":
		c.Kind = KJSON
	case "uuid":
		c.Kind = KUUID
	case "enum":
		c.Kind = KEnum
		for _, m := range reEnum.FindAllStringSubmatch(tt.full, -1) {
			c.Enum = append(c.Enum, strings.ReplaceAll(m[1], "''", "'"))
		}
	default:
		return c, false
	}
	return c, true
}

func pick[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// tableInfo is a table as transfer reads it: its columns as Kinds, and
// the catalog's definition for what create: true carries (nil for a
// query).
type tableInfo struct {
	Columns []Column
	Primary []string
	def     *dialect.TableInfo
}

// describe reads a table of the side. It returns (nil, nil) when the table
// does not exist.
func (s *side) describe(ctx context.Context, name string) (*tableInfo, error) {
	schema, table := splitName(name)
	def, err := s.Dialect.DescribeTable(ctx, s.DB, dialect.Table{Schema: schema, Name: table})
	if errors.Is(err, dialect.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", name, err)
	}
	ti := &tableInfo{Primary: def.PrimaryKey, def: def}
	for _, dc := range def.Columns {
		c := s.eng.column(dc.Type)
		c.Name, c.Nullable = dc.Name, dc.Nullable
		ti.Columns = append(ti.Columns, c)
	}
	return ti, nil
}

// describeQuery reads the columns a query returns.
func (s *side) describeQuery(ctx context.Context, query string) (*tableInfo, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT * FROM ("+query+") strata_q WHERE 1 = 0")
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
		c := s.eng.queryColumn(ct.DatabaseTypeName())
		c.Name, c.Nullable = ct.Name(), true
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

func qualify(table string, q func(string) string) string {
	if s, n := splitName(table); s != "" {
		return q(s) + "." + q(n)
	}
	return q(table)
}
