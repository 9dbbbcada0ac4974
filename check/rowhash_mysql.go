package check

import (
	"strings"

	"github.com/strata-db/strata/dialect"
)

// myRowSQL writes the checksum's SQL for MySQL and MariaDB.
type myRowSQL struct{}

// class: MySQL's TIMESTAMP is an instant (stored in UTC, shown in the
// session's time zone), PostgreSQL's timestamp a wall-clock time.
func (myRowSQL) class(dbType string) colClass {
	if strings.EqualFold(dbType, "TIMESTAMP") {
		return clsTimestampTZ
	}
	return classOf(dbType)
}

func (myRowSQL) text(q string, cls colClass) string {
	var e string
	switch cls {
	case clsText, clsUUID:
		e = "CONVERT(" + q + " USING utf8mb4)"
	case clsDecimal:
		s := "CAST(" + q + " AS CHAR)"
		e = "CASE WHEN INSTR(" + s + ", '.') > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + s + ")) ELSE " + s + " END"
	case clsTimestampTZ:
		e = "CAST(ROUND(UNIX_TIMESTAMP(" + q + ") * 1000000) AS CHAR)"
	case clsTimestamp:
		e = "CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + q + ") AS CHAR)"
	case clsDate:
		e = "DATE_FORMAT(" + q + ", '%Y-%m-%d')"
	case clsBytes:
		e = "LOWER(HEX(" + q + "))"
	default:
		e = "CAST(" + q + " AS CHAR)"
	}
	return "COALESCE(" + e + ", '\\\\N')"
}

func (myRowSQL) hash(texts []string) string {
	return "CAST(CONV(SUBSTRING(MD5(CONCAT_WS(CHAR(31 USING utf8mb4), " + strings.Join(texts, ", ") + ")), 1, 15), 16, 10) AS UNSIGNED)"
}

func (myRowSQL) keyText(q string) string { return "CAST(" + q + " AS CHAR)" }

func (myRowSQL) div() string { return " DIV " }

func (myRowSQL) nativeHash(dialect.Quoter, []column) (string, bool) { return "", false }
