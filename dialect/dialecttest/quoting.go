package dialecttest

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/strata-db/strata/dialect"
)

// HostileNames are identifiers the quoting test creates tables and columns
// with: quotes of every engine, backslashes, reserved words, mixed case,
// unicode, spaces and punctuation that means something in SQL.
var HostileNames = []string{
	`quo"te`, "back`tick", `back\slash`, `it's`, `\`, `"`, "`", "select", "order", "MixedCase",
	"日本語", "ünïcödé", "with space", "dot.ted", "semi;colon", "dash--dash", "[bracket]", "$dollar", "%percent",
}

// HostileLiterals are strings the quoting test writes as literals and reads
// back: quotes, backslash sequences that mean something in an escaping
// mode, injection attempts, control characters, unicode and the empty
// string.
var HostileLiterals = []string{
	"", "plain", "it's", `''`, `\`, `\\`, `\'`, `\''`, `'\`, `back\slash`, `trailing\`, `\n`, `\0`, `\b`, `\Z`, `\x41`, `\u0041`,
	`%_`, `'; DROP TABLE victims; --`, `"double"`, "`tick`", "tab\tnew\nline\rend", "日本語 ünïcödé 🎉", `$$dollar$$`, `E'x'`, `X'41'`,
}

func (s *suite) testQuoting(t *testing.T) {
	modes := append([]string{""}, s.c.LiteralModes...)
	for _, mode := range modes {
		name := "default mode"
		if mode != "" {
			name = "after " + mode
		}
		t.Run(name, func(t *testing.T) {
			db := s.c.Open(t)
			c := conn(t, db)
			if mode != "" {
				exec(t, c, mode)
			}
			t.Run("names round-trip through real tables", func(t *testing.T) { s.testNames(t, c) })
			t.Run("literals round-trip through SELECT, INSERT, DEFAULT and CHECK", func(t *testing.T) { s.testLiterals(t, c) })
		})
	}
}

// testNames creates one table per hostile name, with a column of that name,
// and finds both through the catalog and through SQL.
func (s *suite) testNames(t *testing.T, c *sql.Conn) {
	d := s.c.Dialect
	for i, n := range HostileNames {
		tbl := dialect.Table{Name: n}
		exec(t, c,
			"CREATE TABLE "+tbl.Qualified(d)+" ("+d.Quote(n)+" INTEGER NOT NULL, "+d.Quote("other "+n)+" INTEGER)",
			fmt.Sprintf("INSERT INTO %s (%s) VALUES (%d)", tbl.Qualified(d), d.Quote(n), i))
		var got int
		if err := c.QueryRowContext(ctx(t), "SELECT "+d.Quote(n)+" FROM "+tbl.Qualified(d)).Scan(&got); err != nil || got != i {
			t.Errorf("read back table %q: %d, %v", n, got, err)
			continue
		}
		ti, err := d.DescribeTable(ctx(t), c, tbl)
		if err != nil {
			t.Errorf("describe %q: %v", n, err)
			continue
		}
		if ti.Name != n || len(ti.Columns) != 2 || ti.Columns[0].Name != n || ti.Columns[1].Name != "other "+n {
			t.Errorf("describe %q: table %q with columns %+v", n, ti.Name, ti.Columns)
		}
	}
	tables, err := d.Tables(ctx(t), c, "")
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	for _, n := range HostileNames {
		if !slices.Contains(names, n) {
			t.Errorf("Tables lacks %q: %q", n, names)
		}
	}
}

// testLiterals writes every hostile literal in a SELECT, an INSERT, a
// column DEFAULT and a CHECK constraint's IN list, and reads each back.
func (s *suite) testLiterals(t *testing.T, c *sql.Conn) {
	d := s.c.Dialect
	for _, lit := range HostileLiterals {
		var got sql.NullString
		q := "SELECT " + d.QuoteLiteral(lit)
		if err := c.QueryRowContext(ctx(t), q).Scan(&got); err != nil || got.String != lit {
			t.Errorf("%s: read %q, %v; want %q", q, got.String, err, lit)
		}
	}

	tbl := d.Quote("literals")
	exec(t, c, "CREATE TABLE "+tbl+" (id INTEGER NOT NULL, v VARCHAR(200) CHECK (v IN ("+dialect.QuoteLiterals(d, HostileLiterals)+")))")
	for i, lit := range HostileLiterals {
		exec(t, c, fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%d, %s)", tbl, i, d.QuoteLiteral(lit)))
	}
	got, err := scanStrings(c.QueryContext(ctx(t), "SELECT v FROM "+tbl+" ORDER BY id"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, HostileLiterals) {
		t.Errorf("inserted literals read back as %q, want %q", got, HostileLiterals)
	}
	if _, err := c.ExecContext(ctx(t), "INSERT INTO "+tbl+" (id, v) VALUES (-1, "+d.QuoteLiteral("not in the list")+")"); err == nil {
		t.Error("the CHECK built from quoted literals let an unlisted value in")
	}

	cols := make([]string, len(HostileLiterals))
	for i, lit := range HostileLiterals {
		cols[i] = fmt.Sprintf("%s VARCHAR(200) DEFAULT %s", d.Quote(fmt.Sprintf("d%d", i)), d.QuoteLiteral(lit))
	}
	defaults := d.Quote("defaults")
	exec(t, c, "CREATE TABLE "+defaults+" (id INTEGER NOT NULL, "+joinComma(cols)+")",
		"INSERT INTO "+defaults+" (id) VALUES (1)")
	row := make([]any, len(HostileLiterals))
	vals := make([]sql.NullString, len(HostileLiterals))
	for i := range vals {
		row[i] = &vals[i]
	}
	if err := c.QueryRowContext(ctx(t), "SELECT "+joinComma(colNames(d, len(HostileLiterals)))+" FROM "+defaults).Scan(row...); err != nil {
		t.Fatal(err)
	}
	for i, lit := range HostileLiterals {
		if vals[i].String != lit {
			t.Errorf("DEFAULT %s gave %q, want %q", d.QuoteLiteral(lit), vals[i].String, lit)
		}
	}
}

func colNames(q dialect.Quoter, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = q.Quote(fmt.Sprintf("d%d", i))
	}
	return out
}

func joinComma(parts []string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += ", "
		}
		s += p
	}
	return s
}
