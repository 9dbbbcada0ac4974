package check_test

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/check"
)

func TestParseErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"an unknown kind lists the known ones", "pre:\n  - not_nul: {table: t, columns: [a]}\n", "x.yaml:2: unknown check \"not_nul\" (kinds: not_null, unique"},
		{"a misspelt field names the field", "post:\n  - unique:\n      table: t\n      colums: [a]\n", "x.yaml:4: unique: unknown field \"colums\""},
		{"a missing field is named", "pre:\n  - orphans: {table: t, column: a}\n", "x.yaml:2: orphans: missing field references"},
		{"references needs table.column", "pre:\n  - orphans: {table: t, column: a, references: users}\n", "x.yaml:2: orphans: references: \"users\": want table.column"},
		{"severity is error or warn", "pre:\n  - not_null: {table: t, columns: [a], severity: fatal}\n", "x.yaml:2: not_null: severity: \"fatal\" is not error or warn"},
		{"expect wants rows or value", "pre:\n  - sql: {query: SELECT 1, expect: {row: 0}}\n", "x.yaml:2: sql: expect: unknown field \"row\""},
		{"an unknown phase", "during: []\n", "x.yaml:1: unknown key \"during\" (want pre: or post:)"},
		{"bad YAML", "pre: [\n", "x.yaml:1: did not find expected node content"},
		{"a tolerance must be a number or percentage", "pre:\n  - row_count: {table: t, equals: 3, tolerance: lots}\n", "x.yaml:2: row_count: tolerance: \"lots\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := check.Parse("x.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseDocumentReadsChecksAndRestorePoint(t *testing.T) {
	doc := `operations:
  - add_column: {table: users, column: {name: x, type: int, nullable: true}}
restore_point: [users, orders]
checks:
  pre:
    - row_count: {table: users, equals: {query: "SELECT count(*) FROM accounts"}, tolerance: 0.5%}
  post:
    - checksum: {source: users, target: {query: "SELECT * FROM users_copy"}, key: id, columns: [email]}
`
	set, err := check.ParseDocument("5_x.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Pre) != 1 || len(set.Post) != 1 || strings.Join(set.RestorePoint, ",") != "users,orders" {
		t.Fatalf("set = %+v", set)
	}
	rc := set.Pre[0]
	if rc.EqualsQuery == "" || !rc.TolerancePct || rc.Tolerance != 0.5 || rc.Line != 6 {
		t.Errorf("row_count = %+v", rc)
	}
	cs := set.Post[0]
	if cs.Source.Table != "users" || cs.Target.Query == "" || cs.Key[0] != "id" || cs.Label() != "checksum users = (SELECT * FROM users_copy)" {
		t.Errorf("checksum = %+v (%s)", cs, cs.Label())
	}
}

func TestParseReferencesInBothForms(t *testing.T) {
	for _, ref := range []string{"app.users.id", "app.users(id)"} {
		set, err := check.Parse("x.yaml", []byte("pre:\n  - orphans: {table: orders, column: user_id, references: \""+ref+"\"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if s := set.Pre[0]; s.RefTable != "app.users" || s.RefColumn != "id" {
			t.Errorf("%s: table %q column %q", ref, s.RefTable, s.RefColumn)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fixture))
	f.Add([]byte("post:\n  - checksum: {source: a, target: b, key: id}\n"))
	f.Add([]byte("pre:\n  - sql: {query: SELECT 1, expect: {value: null}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := check.Parse("f.yaml", data)
		if err != nil {
			var pe *check.ParseError
			if !asParseError(err, &pe) {
				t.Fatalf("error is not a *ParseError: %T %v", err, err)
			}
			return
		}
		for _, s := range append(set.Pre, set.Post...) {
			if s.Label() == "" || s.Line <= 0 {
				t.Fatalf("check without a label or line: %+v", s)
			}
		}
	})
}
