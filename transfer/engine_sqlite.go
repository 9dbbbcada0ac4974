package transfer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// liteEngine is SQLite: types are affinities, times are text, and rows go
// in as multi-row INSERTs from one writer.
type liteEngine struct{ d dialect.Dialect }

var _ engine = liteEngine{}

func (liteEngine) traits() traits {
	return traits{title: "SQLite", rowSeek: true, inlineForeignKeys: true, trueSQL: "1", falseSQL: "0"}
}

// column reads a declared type by SQLite's affinity rules: every integer
// is 64 bits, every float a double, and an unknown name goes by the
// letters it holds.
func (liteEngine) column(typ string) Column {
	tt := parseTypeText(typ)
	c, known := commonKind(tt)
	switch {
	case c.Kind == KInt32:
		c.Kind = KInt64
	case c.Kind == KFloat32:
		c.Kind = KFloat64
	case !known && strings.Contains(tt.lower, "int"):
		c.Kind = KInt64
	case !known && (strings.Contains(tt.lower, "real") || strings.Contains(tt.lower, "floa") || strings.Contains(tt.lower, "doub")):
		c.Kind = KFloat64
	}
	return c
}

func (e liteEngine) queryColumn(typ string) Column { return e.column(typ) }

func (liteEngine) selectColumn(quoted string, _ Column) string { return quoted }

func (liteEngine) unquote(lit string) (string, bool) { return unquoteDoubled(lit) }

func (e liteEngine) columnType(c Column, _ bool) string {
	if c.Kind == KEnum {
		return enumCheck("TEXT", c, e.d)
	}
	return typeName(c.Kind, "TEXT", map[Kind]string{KInt16: "INTEGER", KInt32: "INTEGER", KInt64: "INTEGER",
		KUint64: "NUMERIC", KDecimal: "NUMERIC", KFloat32: "REAL", KFloat64: "REAL", KBool: "BOOLEAN", KBytes: "BLOB",
		KDate: "DATE", KDatetime: "TIMESTAMP", KTimestamp: "TIMESTAMP", KTimestampTZ: "TIMESTAMP"})
}

// identitySQL: only a table's single INTEGER PRIMARY KEY is numbered by
// SQLite. It numbers it anyway (the rowid); AUTOINCREMENT adds that a
// number is never used twice, as a sequence or AUTO_INCREMENT promises.
func (liteEngine) identitySQL(c Column, kind dialect.IdentityKind, pk []string) (string, bool, string) {
	switch {
	case !isIntKind(c.Kind):
		return "", false, fmt.Sprintf("a %s column cannot be numbered by SQLite", c.Kind)
	case len(pk) != 1 || pk[0] != c.Name:
		return "", false, "SQLite numbers only a table's single INTEGER PRIMARY KEY"
	case kind == dialect.IdentityRowID:
		return "PRIMARY KEY", true, ""
	}
	return "PRIMARY KEY AUTOINCREMENT", true, ""
}

func (liteEngine) indexPart(Column, bool) (string, string) { return "", "" }

func (e liteEngine) indexSQL(ix indexDef) string {
	s := "CREATE " + pick(ix.unique, "UNIQUE ", "") + "INDEX " + e.d.Quote(ix.name) + " ON " + ix.table + " (" + strings.Join(ix.parts, ", ") + ")"
	if ix.where != "" {
		s += " WHERE " + ix.where
	}
	return s
}

func (liteEngine) uniqueSQL(string, string) string { return "" }

func (liteEngine) foreignKeySQL(string, string, string, *dialect.ForeignKey) []string { return nil }

func (e liteEngine) dropSQL(_, schema, name string, _ bool) string {
	return "DROP INDEX " + dialect.QuoteQualified(e.d, schema, name)
}

func (liteEngine) tableOptions() string { return "" }

func (liteEngine) begin(ctx context.Context, w *sqlWriter) (wtx, error) { return beginStd(ctx, w) }

func (e liteEngine) encode(cols []Column, vals []any, buf []byte) (outRow, []byte, error) {
	return encodeArgs(e, cols, vals), buf, nil
}

func (liteEngine) conflictClause(w *sqlWriter) string { return onConflict(w) }

// arg writes times as text in UTC, as SQLite's own CURRENT_TIMESTAMP does.
func (liteEngine) arg(c Column, v any) any {
	if t, ok := v.(time.Time); ok {
		if c.Kind == KDate {
			return t.Format("2006-01-02")
		}
		return t.UTC().Format("2006-01-02 15:04:05.999999")
	}
	return driverArg(c, v)
}
