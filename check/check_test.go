package check_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
)

func open(t *testing.T, url string) *connect.Target {
	t.Helper()
	tg, err := connect.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// parse reads a checks file named V1_x.checks.yaml.
func parse(t *testing.T, src string) *check.Set {
	t.Helper()
	set, err := check.Parse("V1_x.checks.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// runPhase runs one phase of set's checks on e.
func runPhase(t *testing.T, e testenv.Engine, set *check.Set, ph check.Phase) *check.Report {
	t.Helper()
	c, err := check.New(e.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.RunPhase(context.Background(), e.DB, nil, set, ph)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

const fixture = `
pre:
  - not_null: {table: users, columns: [email]}
  - unique: {table: users, columns: [email], severity: warn}
  - orphans: {table: orders, column: user_id, references: users.id}
  - row_count: {table: orders, equals: 4}
  - row_count: {table: orders, equals: users, tolerance: 1}
  - row_count: {table: orders, equals: "SELECT count(*) FROM users", tolerance: 20%, name: orders vs users}
  - sql: {query: "SELECT id FROM orders WHERE amount < 0", expect: {rows: 0}}
  - sql: {query: "SELECT max(amount) FROM orders", expect: {value: 30.5}}
  - not_null: {table: no_such_table, columns: [x]}
  - not_null: {table: nokey, columns: [b]}
`

func TestChecksFindPlantedFaultsOnEveryEngine(t *testing.T) {
	set := parse(t, fixture)
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		exec(t, e.DB,
			"CREATE TABLE users (id int PRIMARY KEY, email varchar(100))",
			"CREATE TABLE orders (id int PRIMARY KEY, user_id int, amount decimal(10,2))",
			"CREATE TABLE nokey (a int, b varchar(10))",
			"INSERT INTO nokey VALUES (1, 'x'), (2, NULL)",
			"INSERT INTO users VALUES (1, 'a@x'), (2, NULL), (3, 'b@x'), (4, 'a@x'), (5, NULL)",
			"INSERT INTO orders VALUES (10, 1, 5), (11, 9, 30.50), (12, NULL, -1), (13, 7, 2)",
		)
		rep := runPhase(t, e, set, check.PhasePre)
		want := []struct {
			status string
			count  int64
			keys   string
		}{
			{"FAIL", 2, "id=2, id=5"},
			{"WARN", 1, "email=a@x, rows=2"},
			{"FAIL", 2, "id=11, user_id=9, id=13, user_id=7"},
			{"PASS", 4, ""},
			{"PASS", 4, ""},
			{"PASS", 4, ""},
			{"FAIL", 1, "id=12"},
			{"PASS", 1, ""},
			{"ERROR", 0, ""},
			{"FAIL", 1, "(a=2, b=NULL)"},
		}
		if len(rep.Results) != len(want) {
			t.Fatalf("got %d results, want %d", len(rep.Results), len(want))
		}
		for i, w := range want {
			r := rep.Results[i]
			if r.Status() != w.status || r.Count != w.count || strings.Join(r.Keys, ", ") != w.keys {
				t.Errorf("%s: got %s count %d keys %q (%s %s), want %s %d %q", r.Name, r.Status(), r.Count, strings.Join(r.Keys, ", "), r.Detail, r.Error, w.status, w.count, w.keys)
			}
		}
		if last := rep.Results[8]; !strings.Contains(last.Error, "no_such_table") || last.Where() != "V1_x.checks.yaml:11" {
			t.Errorf("missing table: error %q at %q, want it named at V1_x.checks.yaml:11", last.Error, last.Where())
		}
		err := rep.Err()
		if err == nil || !strings.Contains(err.Error(), "V1_x.checks.yaml:3") || strings.Contains(err.Error(), "unique") {
			t.Errorf("Err() = %v, want the error-level failures only, with file:line", err)
		}
	})
}
