package online

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect/postgres"
)

func TestParse(t *testing.T) {
	t.Parallel()
	m, err := Parse("V5_x.yaml", []byte(`
operations:
  - add_column:
      table: t
      column: {name: c, type: bigint, nullable: false}
      up: a * 2
  - create_index: {name: t_c, table: t, columns: [c], method: brin}
  - alter_column: {table: u, column: a, type: bigint}
`))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ops", len(m.Operations), 3)
	eq(t, "tables", strings.Join(m.Tables(), ","), "t,u")
	ac := m.Operations[0].(*AddColumn)
	eq(t, "up", ac.Up, "a * 2")
	eq(t, "line", m.Lines[1], 7)
	plan := strings.Join(m.Plan("5"), "\n")
	for _, want := range []string{`ALTER TABLE "public"."t" ADD COLUMN "c" bigint`, `CREATE INDEX CONCURRENTLY "t_c" ON "public"."t" USING brin ("c")`, `DROP SCHEMA IF EXISTS "strata_v5" CASCADE`} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, src, want string }{
		{"an unknown operation names the known ones", "operations:\n  - add_colum: {table: t}\n", `x.yaml:2: unknown operation "add_colum"`},
		{"an unknown field is located", "operations:\n  - add_column:\n      table: t\n      colum: {name: c}\n", `x.yaml:4: add_column: unknown field "colum"`},
		{"an unknown nested field is located", "operations:\n  - add_column:\n      table: t\n      column: {name: c, typ: int}\n", `x.yaml:4: add_column: unknown field "column.typ"`},
		{"a missing required field is located", "operations:\n  - add_column:\n      table: t\n      column:\n        name: c\n", `x.yaml:4: add_column: column.type: is required`},
		{"NOT NULL without a way to fill it", "operations:\n  - add_column:\n      table: t\n      column: {name: c, type: int}\n", `add_column: column.nullable: a NOT NULL column needs a default or an up expression`},
		{"a wrong type", "operations:\n  - create_index:\n      name: i\n      table: t\n      columns: a\n", `x.yaml:5: create_index: cannot unmarshal`},
		{"no operations", "name: x\n", `x.yaml:1: missing operations`},
		{"an operation with two keys", "operations:\n  - sql: {up: x}\n    drop_table: {name: t}\n", `x.yaml:2: each operation is a map with one key`},
		{"bad YAML", "operations: [\n", `x.yaml:`},
		{"a bad index method", "operations:\n  - create_index: {name: i, table: t, columns: [a], method: btre}\n", `create_index: method: unknown index method "btre"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestRenameIdent(t *testing.T) {
	t.Parallel()
	eq(t, "rename", renameIdent(quoting{postgres.Dialect{}}, `age >= 0 AND "age" < 'age' AND t.age > 1 AND age(x) IS NOT NULL AND ages > 0`, "age", "_n"),
		`"_n" >= 0 AND "_n" < 'age' AND t.age > 1 AND age(x) IS NOT NULL AND ages > 0`)
}

func TestStateJSON(t *testing.T) {
	t.Parallel()
	m, _ := Parse("x.yaml", []byte("operations:\n  - drop_table: {name: t}\n"))
	st := newState("7", m)
	st.backfill("columns:t", "t").Cursor = []string{"42"}
	b, err := st.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseState(b)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "cursor", back.Backfills[0].Cursor[0], "42")
	if _, err := ParseState([]byte(`{"format": 99}`)); err == nil {
		t.Error("a future format was accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("operations:\n  - add_column: {table: t, column: {name: c, type: int, nullable: true}}\n"))
	f.Add([]byte("operations:\n  - backfill: {table: t, set: {a: a + 1}, where: a > 0}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("f.yaml", data)
		if err == nil {
			_ = m.Plan("1")
			_ = m.Tables()
		}
	})
}

func TestStateSummary(t *testing.T) {
	t.Parallel()
	st := &State{Format: StateVersion, Version: "9", Phase: PhaseExpanded, Backfills: []*Backfill{{Table: "t", Rows: 50, Total: 200}}}
	eq(t, "summary", st.Summary(), "expanded; backfill t 25% (50 of ~200 rows); applications move to the new shape with SET search_path = strata_v9, public; then run `strata complete 9` (or `strata abort 9` to undo)")
}
