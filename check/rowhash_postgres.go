package check

import (
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// pgRowSQL writes the checksum's SQL for PostgreSQL.
type pgRowSQL struct{}

func (pgRowSQL) class(dbType string) colClass { return classOf(dbType) }

func (pgRowSQL) text(q string, cls colClass) string {
	var e string
	switch cls {
	case clsDecimal:
		e = "trim_scale(" + q + ")::text"
	case clsBool:
		e = "CASE WHEN " + q + " THEN '1' ELSE '0' END"
	case clsTimestampTZ, clsTimestamp:
		// Microseconds since the epoch: an instant in UTC for
		// timestamptz, the wall-clock time read as UTC otherwise.
		e = "(extract(epoch FROM " + q + ") * 1000000)::bigint::text"
	case clsDate:
		e = "to_char(" + q + ", 'YYYY-MM-DD')"
	case clsBytes:
		e = "encode(" + q + ", 'hex')"
	default:
		e = q + "::text"
	}
	return "coalesce(" + e + ", '\\N')"
}

func (pgRowSQL) hash(texts []string) string {
	return "('x' || substr(md5(" + strings.Join(texts, " || chr(31) || ") + "), 1, 15))::bit(60)::bigint"
}

func (pgRowSQL) keyText(q string) string { return q + "::text" }

func (pgRowSQL) div() string { return " / " }

// nativeHash combines PostgreSQL's own extended hash of each column (the
// functions of the types' hash operator classes, seeded by position) with
// XOR; a NULL counts as a constant per position. It costs a fraction of
// rendering text and MD5.
func (pgRowSQL) nativeHash(d dialect.Quoter, cols []column) (string, bool) {
	parts := make([]string, len(cols))
	for i, c := range cols {
		if c.cls == clsOther {
			return "", false
		}
		q := d.Quote(c.name)
		seed := strconv.Itoa(i + 1)
		fn, arg := "hashtextextended", q+"::text"
		switch strings.ToUpper(c.dbType) {
		case "INT2", "INT4", "INT8":
			fn, arg = "hash"+strings.ToLower(c.dbType)+"extended", q
		case "NUMERIC":
			fn, arg = "hash_numeric_extended", q
		case "TEXT", "VARCHAR", "NAME":
			arg = q
		case "BPCHAR":
			fn, arg = "hashbpcharextended", q
		case "FLOAT4", "FLOAT8":
			fn, arg = "hash"+strings.ToLower(c.dbType)+"extended", q
		case "UUID":
			fn, arg = "uuid_hash_extended", q
		case "TIMESTAMP":
			fn, arg = "timestamp_hash_extended", q
		case "TIMESTAMPTZ":
			// In UTC, so that servers in different time zones agree.
			fn, arg = "timestamp_hash_extended", q+" AT TIME ZONE 'UTC'"
		}
		parts[i] = "coalesce(" + fn + "(" + arg + ", " + seed + "), -" + seed + ")"
	}
	return strings.Join(parts, " # "), true
}
