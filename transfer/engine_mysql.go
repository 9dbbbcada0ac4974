package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// myEngine is MySQL and MariaDB: rows go in as multi-row INSERTs.
type myEngine struct{ d dialect.Dialect }

var _ engine = myEngine{}

func (myEngine) traits() traits {
	return traits{title: "MySQL", zeroDates: true, tinyintBool: true, unsigned: true, enums: true,
		checksum: true, nonTransactional: true, trueSQL: "1", falseSQL: "0",
		// A TEXT, BLOB or JSON column takes a literal default only as an
		// expression (MySQL 8.0.13, MariaDB 10.2).
		exprDefaults: []string{"longtext", "longblob", "json"}}
}

// column reads tinyint(1) as a boolean, TIMESTAMP as an instant (MySQL
// stores it in UTC) and ENUM members with MySQL's backslash escapes.
func (myEngine) column(typ string) Column {
	tt := parseTypeText(typ)
	c, _ := commonKind(tt)
	switch {
	case tt.base == "tinyint" && tt.arg(0) == 1:
		c.Kind = KBool
	case tt.base == "timestamp":
		c.Kind = KTimestampTZ
	case c.Kind == KEnum:
		c.Enum = nil
		for _, m := range reEnum.FindAllStringSubmatch(typ, -1) {
			v, _ := unquoteMySQL("'" + m[1] + "'")
			c.Enum = append(c.Enum, v)
		}
	}
	return c
}

// queryColumn: a query's TIMESTAMP comes back in the session's zone, like
// a DATETIME.
func (e myEngine) queryColumn(typ string) Column {
	c := e.column(typ)
	if c.Kind == KTimestampTZ {
		c.Kind = KDatetime
	}
	return c
}

// selectColumn reads dates as text, so that zero dates arrive as they are
// instead of failing the driver's parse.
func (myEngine) selectColumn(quoted string, c Column) string {
	if c.isDateish() {
		return "CAST(" + quoted + " AS CHAR) AS " + quoted
	}
	return quoted
}

func (myEngine) unquote(lit string) (string, bool) { return unquoteMySQL(lit) }

// unquoteMySQL reads 'text' with quotes doubled or backslash-escaped, as
// MariaDB prints a default and COLUMN_TYPE an ENUM member.
func unquoteMySQL(lit string) (string, bool) {
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		return "", false
	}
	return unescapeBackslashes(strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")), true
}

func (e myEngine) columnType(c Column, key bool) string {
	switch c.Kind {
	case KDecimal:
		if c.Precision > 0 {
			return fmt.Sprintf("decimal(%d,%d)", min(c.Precision, 65), min(c.Scale, 30))
		}
		return "decimal(65,30)"
	case KVarchar, KChar:
		return fmt.Sprintf("%s(%d)", c.Kind, c.Length)
	case KEnum:
		return "enum(" + dialect.QuoteLiterals(e.d, c.Enum) + ")"
	case KBytes:
		return pick(key, "varbinary(255)", "longblob")
	}
	return typeName(c.Kind, pick(key, "varchar(255)", "longtext"), map[Kind]string{KInt16: "smallint", KInt32: "int",
		KInt64: "bigint", KUint64: "bigint unsigned", KFloat32: "float", KFloat64: "double", KBool: "tinyint(1)",
		KDate: "date", KTime: "time(6)", KDatetime: "datetime(6)", KTimestamp: "datetime(6)", KTimestampTZ: "datetime(6)",
		KJSON: "json", KUUID: "char(36)"})
}

// identitySQL: MySQL numbers one integer column per table, which must
// lead a key; at CREATE TABLE only the primary key exists.
func (myEngine) identitySQL(c Column, _ dialect.IdentityKind, pk []string) (string, bool, string) {
	switch {
	case !isIntKind(c.Kind) && c.Kind != KUint64:
		return "", false, fmt.Sprintf("a %s column cannot be AUTO_INCREMENT", c.Kind)
	case len(pk) == 0 || pk[0] != c.Name:
		return "", false, "MySQL numbers only a column that leads the primary key"
	}
	return "AUTO_INCREMENT", false, ""
}

// indexPart: TEXT and BLOB columns are indexed by a prefix, which would
// make a unique index compare prefixes only; JSON is not indexable.
func (myEngine) indexPart(c Column, unique bool) (string, string) {
	switch c.Kind {
	case KJSON:
		return "", "MySQL cannot index a JSON column"
	case KText, KBytes:
		if unique {
			return "", fmt.Sprintf("column %s becomes a MySQL TEXT or BLOB, which is unique only by a prefix (declare it varchar(n) in the source, or add the index yourself)", c.Name)
		}
		return "(255)", ""
	}
	return "", ""
}

func (e myEngine) indexSQL(ix indexDef) string {
	return "CREATE " + pick(ix.unique, "UNIQUE ", "") + "INDEX " + e.d.Quote(ix.name) + " ON " + ix.table + " (" + strings.Join(ix.parts, ", ") + ")"
}

func (myEngine) uniqueSQL(string, string) string { return "" }

func (e myEngine) foreignKeySQL(table, name, body string, existing *dialect.ForeignKey) []string {
	if existing != nil {
		return nil
	}
	return []string{"ALTER TABLE " + table + " ADD CONSTRAINT " + e.d.Quote(name) + " " + body}
}

func (e myEngine) dropSQL(table, _, name string, fk bool) string {
	if fk {
		return "ALTER TABLE " + table + " DROP FOREIGN KEY " + e.d.Quote(name)
	}
	return "DROP INDEX " + e.d.Quote(name) + " ON " + table
}

// tableOptions: the checkpoint commits with its chunk only in a
// transactional table.
func (myEngine) tableOptions() string { return " ENGINE=InnoDB" }

func (myEngine) begin(ctx context.Context, w *sqlWriter) (wtx, error) { return beginStd(ctx, w) }

func (e myEngine) encode(cols []Column, vals []any, buf []byte) (outRow, []byte, error) {
	return encodeArgs(e, cols, vals), buf, nil
}

// conflictClause: ON DUPLICATE KEY UPDATE; "skip" updates the key to
// itself, which changes nothing and counts no row.
func (e myEngine) conflictClause(w *sqlWriter) string {
	q := e.d.Quote
	var sets []string
	for _, c := range w.cols {
		if index(w.key, c.Name) < 0 {
			sets = append(sets, q(c.Name)+" = VALUES("+q(c.Name)+")")
		}
	}
	switch {
	case w.onConflict == "update" && len(sets) > 0:
		return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	case w.onConflict == "skip", w.onConflict == "update":
		k := q(w.key[0])
		return " ON DUPLICATE KEY UPDATE " + k + " = " + k
	}
	return ""
}

func (myEngine) arg(c Column, v any) any { return driverArg(c, v) }
