package check_test

import (
	"testing"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/testenv"
)

func TestMessagesSayOneRowNotOneRows(t *testing.T) {
	set := parse(t, `
post:
  - unique: {table: users, columns: [email]}
  - row_count: {table: users, equals: 1}
  - sql: {query: "SELECT id FROM users WHERE id = 1", expect: {rows: 0}}
  - checksum: {source: users, target: users_copy, key: [id]}
`)
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		exec(t, e.DB,
			"CREATE TABLE users (id int PRIMARY KEY, email varchar(100))",
			"CREATE TABLE users_copy (id int PRIMARY KEY, email varchar(100))",
			"INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x')",
			"INSERT INTO users_copy VALUES (1, 'a@x'), (2, 'b@x')",
		)
		rep := runPhase(t, e, set, check.PhasePost)
		want := []string{
			"1 value of email appears more than once (2 rows); rows: id=1; id=2",
			"2 rows, expected 1: off by 1",
			"1 row, expected 0",
			"1 key differs: 1 changed, 0 missing on target, 0 extra on target",
		}
		if e.Name == "sqlite" {
			want = want[:3] // checksums run on PostgreSQL and MySQL/MariaDB
		}
		for i, w := range want {
			if r := rep.Results[i]; r.Detail != w {
				t.Errorf("%s: %q (%s), want %q", r.Name, r.Detail, r.Error, w)
			}
		}
		exec(t, e.DB, "DELETE FROM users WHERE id = 2", "DELETE FROM users_copy WHERE id = 2")
		rep = runPhase(t, e, set, check.PhasePost)
		if r := rep.Results[1]; r.Detail != "1 row, expected 1" {
			t.Errorf("%s: %q, want %q", r.Name, r.Detail, "1 row, expected 1")
		}
		if r := rep.Results[3]; e.Name != "sqlite" && r.Detail != "1 row identical" {
			t.Errorf("%s: %q (%s), want %q", r.Name, r.Detail, r.Error, "1 row identical")
		}
	})
}
