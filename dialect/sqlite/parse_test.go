package sqlite

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCreateTableFindsWhatNoPragmaReports(t *testing.T) {
	t.Parallel()
	sql := `CREATE TABLE "odd ""name""" (
	id INTEGER PRIMARY KEY AUTOINCREMENT, -- a comment with CHECK (x)
	price NUMERIC(10, 2) NOT NULL DEFAULT (1.5) CONSTRAINT price_positive CHECK (price > 0),
	qty INTEGER CHECK (qty BETWEEN 0 AND 100),
	total REAL GENERATED ALWAYS AS (price * qty) STORED,
	label TEXT AS (upper('a,b' || "odd col")) VIRTUAL,
	"odd col" TEXT DEFAULT 'as (not) this' REFERENCES other(x),
	parent INTEGER CONSTRAINT parent_fk REFERENCES parent /* c */ ON DELETE CASCADE,
	CONSTRAINT pk_name PRIMARY KEY (id),
	CONSTRAINT uq_pair UNIQUE (qty, [odd col]),
	UNIQUE (label),
	CONSTRAINT fk_pair FOREIGN KEY (qty, label) REFERENCES pairs (a, b),
	CHECK (qty <> 13)
) WITHOUT ROWID`
	got := parseCreateTable(sql)
	want := tableDDL{
		checks: []ddlCheck{
			{name: "price_positive", expr: "price > 0"},
			{expr: "qty BETWEEN 0 AND 100"},
			{expr: "qty <> 13"},
		},
		generated:  map[string]string{"total": "price * qty", "label": `upper('a,b' || "odd col")`},
		autoinc:    true,
		withoutRow: true,
		pkName:     "pk_name",
		uniqueNames: []namedColumns{
			{name: "uq_pair", columns: []string{"qty", "odd col"}},
			{columns: []string{"label"}},
		},
		fkNames: []namedColumns{
			{columns: []string{"odd col"}},
			{name: "parent_fk", columns: []string{"parent"}},
			{name: "fk_pair", columns: []string{"qty", "label"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseCreateTable:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseCreateTableAsSelectGivesNothing(t *testing.T) {
	t.Parallel()
	got := parseCreateTable(`CREATE TABLE copy AS SELECT (1) AS x`)
	if len(got.checks) != 0 || len(got.generated) != 0 {
		t.Errorf("CREATE TABLE … AS SELECT parsed as %+v", got)
	}
}

func TestParseCreateIndexReadsExpressionsAndPredicate(t *testing.T) {
	t.Parallel()
	got := parseCreateIndex(`CREATE UNIQUE INDEX IF NOT EXISTS "ix(1)" ON t (lower(name) COLLATE NOCASE DESC, "a b" ASC, (x + y), z) WHERE deleted_at IS NULL AND (x > 0);`)
	want := indexDDL{parts: []string{"lower(name)", `"a b"`, "(x + y)", "z"}, predicate: "deleted_at IS NULL AND (x > 0)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseCreateIndex:\n got %+v\nwant %+v", got, want)
	}
}

// FuzzParseCreate checks that the parsers never panic and that every
// expression they return is a slice of their input.
func FuzzParseCreate(f *testing.F) {
	for _, s := range []string{
		`CREATE TABLE t (a INTEGER CHECK (a > 0), b AS (a * 2))`,
		`CREATE INDEX i ON t (lower(a)) WHERE b`,
		`CREATE TABLE "x" (a, CONSTRAINT c CHECK ((a)), FOREIGN KEY (a) REFERENCES p)`,
		`CREATE TABLE t ([a] TEXT DEFAULT 'it''s', "b""" INT, ` + "`c`" + ` INT) /* unterminated`,
		`CREATE TABLE t (a CHECK (`,
		`CREATE INDEX i ON t ((`,
		"CREATE TABLE t (a -- x\n)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		td := parseCreateTable(sql)
		for _, c := range td.checks {
			if !strings.Contains(sql, c.expr) {
				t.Errorf("check %q is not part of %q", c.expr, sql)
			}
		}
		for _, g := range td.generated {
			if !strings.Contains(sql, g) {
				t.Errorf("generated %q is not part of %q", g, sql)
			}
		}
		ix := parseCreateIndex(sql)
		for _, p := range append(ix.parts, ix.predicate) {
			if !strings.Contains(sql, p) {
				t.Errorf("index part %q is not part of %q", p, sql)
			}
		}
	})
}
