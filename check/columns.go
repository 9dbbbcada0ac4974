package check

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// colClass is how a column's values are rendered for hashing.
type colClass int

const (
	clsOther colClass = iota
	clsInt
	clsDecimal
	clsFloat
	clsText
	clsBool
	clsTimestampTZ // an instant: PostgreSQL timestamptz, MySQL TIMESTAMP
	clsTimestamp   // a wall-clock time, read as UTC: timestamp, DATETIME
	clsDate
	clsBytes
	clsUUID
)

// classOf classes a type as the driver names it (DatabaseTypeName) by the
// names both engines share; a rowSQL classes the names whose meaning
// differs between them.
func classOf(dbType string) colClass {
	switch strings.TrimPrefix(strings.ToUpper(dbType), "UNSIGNED ") {
	case "INT2", "INT4", "INT8", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR":
		return clsInt
	case "NUMERIC", "DECIMAL":
		return clsDecimal
	case "FLOAT4", "FLOAT8", "FLOAT", "DOUBLE", "REAL":
		return clsFloat
	case "TEXT", "VARCHAR", "BPCHAR", "CHAR", "NAME", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET", "CITEXT":
		return clsText
	case "BOOL", "BOOLEAN":
		return clsBool
	case "TIMESTAMPTZ":
		return clsTimestampTZ
	case "TIMESTAMP", "DATETIME":
		return clsTimestamp
	case "DATE":
		return clsDate
	case "BYTEA", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY":
		return clsBytes
	case "UUID":
		return clsUUID
	}
	return clsOther
}

type column struct {
	name   string
	dbType string
	cls    colClass
}

// columns returns the columns of a side, in order, classed by rs: the
// columns of its result, so that a query side is described as a table is.
func columns(ctx context.Context, s *Side, rs rowSQL) ([]column, error) {
	cts, err := resultColumns(ctx, s.DB, s.from())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	out := make([]column, len(cts))
	for i, ct := range cts {
		out[i] = column{name: ct.Name(), dbType: ct.DatabaseTypeName(), cls: rs.class(ct.DatabaseTypeName())}
	}
	return out, nil
}

// resultColumns returns the columns of what from (a quoted table, or a
// query as a derived table) returns, reading no row.
func resultColumns(ctx context.Context, q Querier, from string) ([]*sql.ColumnType, error) {
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+from+" WHERE 1 = 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	return cts, rows.Err()
}

func findColumn(cols []column, name string) (column, bool) {
	for _, c := range cols {
		if c.name == name {
			return c, true
		}
	}
	for _, c := range cols {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return column{}, false
}
