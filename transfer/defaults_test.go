package transfer

import (
	"testing"

	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
)

// Defaults as each engine's catalog prints them read as the same value,
// and those that are expressions are left out with a reason.
func TestParseDefaultReadsEachEnginesSpelling(t *testing.T) {
	pg, my, lite := pgEngine{postgres.Dialect{}}, myEngine{mysql.Dialect{MariaDB: true}}, liteEngine{sqlite.Dialect{}}
	for _, c := range []struct {
		name string
		src  engine
		expr string
		want *defaultValue
	}{
		{"a PostgreSQL text literal with its cast", pg, "'it''s'::text", &defaultValue{kind: defLiteral, text: "it's"}},
		{"a PostgreSQL varchar literal", pg, "'NL'::character varying", &defaultValue{kind: defLiteral, text: "NL"}},
		{"a PostgreSQL escape string", pg, `E'a\\b'::text`, &defaultValue{kind: defLiteral, text: `a\b`}},
		{"a PostgreSQL negative number", pg, "'-1'::integer", &defaultValue{kind: defLiteral, text: "-1"}},
		{"a PostgreSQL number with a cast", pg, "0::numeric", &defaultValue{kind: defNumber, text: "0"}},
		{"PostgreSQL now()", pg, "now()", &defaultValue{kind: defNow}},
		{"PostgreSQL CURRENT_TIMESTAMP", pg, "CURRENT_TIMESTAMP", &defaultValue{kind: defNow}},
		{"a PostgreSQL boolean", pg, "false", &defaultValue{kind: defBool}},
		{"a PostgreSQL NULL", pg, "NULL::text", nil},
		{"a MariaDB literal with a backslash", my, `'x\\y'`, &defaultValue{kind: defLiteral, text: `x\y`}},
		{"a MariaDB literal with a quote", my, "'o''k'", &defaultValue{kind: defLiteral, text: "o'k"}},
		{"MariaDB current_timestamp()", my, "current_timestamp()", &defaultValue{kind: defNow}},
		{"MySQL CURRENT_TIMESTAMP(6)", my, "CURRENT_TIMESTAMP(6)", &defaultValue{kind: defNow}},
		{"a MySQL decimal", my, "1.50", &defaultValue{kind: defNumber, text: "1.50"}},
		{"a SQLite literal", lite, "'ZZ'", &defaultValue{kind: defLiteral, text: "ZZ"}},
		{"a SQLite parenthesised number", lite, "(0)", &defaultValue{kind: defNumber, text: "0"}},
		{"SQLite CURRENT_TIMESTAMP", lite, "CURRENT_TIMESTAMP", &defaultValue{kind: defNow}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, reason := parseDefault(c.expr, c.src)
			if reason != "" || (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
				t.Fatalf("parseDefault(%q) = %+v, %q; want %+v", c.expr, got, reason, c.want)
			}
		})
	}
	for _, expr := range []string{"md5('x'::text)", "nextval('s'::regclass)", "(uuid())", "'a' || 'b'", "(hex(randomblob(4)))"} {
		if got, reason := parseDefault(expr, pg); got != nil || reason == "" {
			t.Errorf("parseDefault(%q) = %+v, %q; want it left out with a reason", expr, got, reason)
		}
	}
}

// A default fits the target column's kind: booleans and numbers cross
// over, the current time fits a time, a zero date does not fit at all.
func TestDefaultFitsTheTargetColumn(t *testing.T) {
	for _, c := range []struct {
		name   string
		v      defaultValue
		col    Column
		want   defaultValue
		reason bool
	}{
		{"MySQL 1 into a boolean", defaultValue{kind: defNumber, text: "1"}, Column{Kind: KBool}, defaultValue{kind: defBool, b: true}, false},
		{"a boolean into a number", defaultValue{kind: defBool, b: true}, Column{Kind: KInt16}, defaultValue{kind: defNumber, text: "1"}, false},
		{"a quoted number into a number", defaultValue{kind: defLiteral, text: "-1"}, Column{Kind: KInt32}, defaultValue{kind: defNumber, text: "-1"}, false},
		{"the current time into a date", defaultValue{kind: defNow}, Column{Kind: KDate}, defaultValue{kind: defNow}, true},
		{"a zero date", defaultValue{kind: defLiteral, text: "0000-00-00 00:00:00"}, Column{Kind: KDatetime}, defaultValue{kind: defLiteral, text: "0000-00-00 00:00:00"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, reason := c.v.fit(c.col)
			if got != c.want || (reason != "") != c.reason {
				t.Fatalf("fit = %+v, %q; want %+v (a reason: %v)", got, reason, c.want, c.reason)
			}
		})
	}
}
