package check_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// dump renders every row of query, for before/after comparisons.
func dump(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals)
	}
	return b.String()
}

func up(t *testing.T, e testenv.Engine, fsys fstest.MapFS, reports *[]*check.Report) error {
	t.Helper()
	c, err := check.New(e.Dialect, check.WithObserver(func(r *check.Report) { *reports = append(*reports, r) }))
	if err != nil {
		t.Fatal(err)
	}
	p, err := migrate.NewProvider(e.DB, fsys, migrate.WithDialect(e.Dialect), migrate.WithChecker(c))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(context.Background(), migrate.Request{Direction: migrate.Up})
	return err
}

func TestCheckerBlocksAndRollsBackMigrations(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		fsys := fstest.MapFS{
			"1_base.sql": {Data: []byte(`CREATE TABLE users (id int PRIMARY KEY, email varchar(100));
CREATE TABLE orders (id int PRIMARY KEY, user_id int);
INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x');
INSERT INTO orders VALUES (10, 1), (11, 4), (12, 2);
`)},
		}
		var reports []*check.Report
		if err := up(t, e, fsys, &reports); err != nil {
			t.Fatal(err)
		}
		const state = "SELECT u.id, u.email, o.id, o.user_id FROM users u LEFT JOIN orders o ON o.user_id = u.id ORDER BY u.id, o.id"
		before := dump(t, e.DB, state)

		// A pre-check finds the orphan and blocks the migration.
		fsys["2_fk.sql"] = &fstest.MapFile{Data: []byte("UPDATE users SET email = 'z@x' WHERE id = 1;\n")}
		fsys["2_fk.checks.yaml"] = &fstest.MapFile{Data: []byte("pre:\n  - orphans: {table: orders, column: user_id, references: users.id}\n  - not_null: {table: users, columns: [email], severity: warn}\n")}
		err := up(t, e, fsys, &reports)
		if err == nil || !strings.Contains(err.Error(), "orphans orders.user_id -> users.id (2_fk.checks.yaml:2)") || !strings.Contains(err.Error(), "id=11, user_id=4") {
			t.Fatalf("pre-check: err = %v", err)
		}
		if after := dump(t, e.DB, state); after != before {
			t.Fatalf("blocked migration changed the data:\n%s\nwant\n%s", after, before)
		}

		// A post-check fails inside the migration's transaction: the
		// update is undone.
		fsys["2_fk.checks.yaml"].Data = []byte("post:\n  - unique: {table: users, columns: [email]}\n  - row_count: {table: users, equals: 3, severity: warn}\n")
		fsys["2_fk.sql"].Data = []byte("INSERT INTO orders VALUES (13, 3);\nUPDATE users SET email = 'a@x' WHERE id = 2;\n")
		err = up(t, e, fsys, &reports)
		if err == nil || !strings.Contains(err.Error(), "email=a@x, rows=2") {
			t.Fatalf("post-check: err = %v", err)
		}
		if after := dump(t, e.DB, state); after != before {
			t.Fatalf("rolled-back migration left changes:\n%s\nwant\n%s", after, before)
		}

		// A warn-level check that cannot run is not a pass: it
		// blocks, and the transaction is still undone cleanly.
		fsys["2_fk.checks.yaml"].Data = []byte("post:\n  - sql: {query: SELECT * FROM missing_table, expect: {rows: 0}, severity: warn}\n  - not_null: {table: users, columns: [email]}\n")
		err = up(t, e, fsys, &reports)
		if err == nil || !strings.Contains(err.Error(), "(2_fk.checks.yaml:2) could not run") || !strings.Contains(err.Error(), "missing_table") {
			t.Fatalf("a check that cannot run: err = %v", err)
		}
		if after := dump(t, e.DB, state); after != before {
			t.Fatalf("rolled-back migration left changes:\n%s\nwant\n%s", after, before)
		}

		// Warn-level failures are reported and do not block.
		fsys["2_fk.checks.yaml"].Data = []byte("post:\n  - row_count: {table: users, equals: 99, severity: warn}\n  - sql: {query: SELECT id FROM users WHERE id > 1, expect: {rows: 0}, severity: warn}\n  - not_null: {table: users, columns: [email]}\n")
		fsys["2_fk.sql"].Data = []byte("DELETE FROM orders WHERE id = 11;\n")
		if err := up(t, e, fsys, &reports); err != nil {
			t.Fatalf("warnings blocked the migration: %v", err)
		}
		last := reports[len(reports)-1]
		if len(last.Results) != 3 || last.Results[0].Status() != "WARN" || last.Results[1].Status() != "WARN" || last.Results[2].Status() != "PASS" {
			t.Fatalf("report: %+v", last.Results)
		}
		if n := dump(t, e.DB, "SELECT count(*) FROM orders"); n != "[{2 true}]\n" {
			t.Fatalf("orders after migration 2: %s", n)
		}
	})
}

// On MySQL DDL commits at once, so a failing post-check triggers the down
// section instead.
func TestCheckerPostFailureRunsDownOnMySQL(t *testing.T) {
	testenv.ForEachEngine(t, testCheckerPostFailureRunsDown, "mysql")
}

func testCheckerPostFailureRunsDown(t *testing.T, e testenv.Engine) {
	fsys := fstest.MapFS{
		"1_base.sql":        {Data: []byte("CREATE TABLE users (id int PRIMARY KEY, email varchar(100));\nINSERT INTO users VALUES (1, 'a@x'), (2, NULL);\n")},
		"2_add.sql":         {Data: []byte("-- strata:up\nALTER TABLE users ADD COLUMN name varchar(50);\n-- strata:down\nALTER TABLE users DROP COLUMN name;\n")},
		"2_add.checks.yaml": {Data: []byte("post:\n  - not_null: {table: users, columns: [email]}\n")},
	}
	var reports []*check.Report
	err := up(t, e, fsys, &reports)
	if err == nil || !strings.Contains(err.Error(), "1 row with NULL in email") || !strings.Contains(err.Error(), "id=2") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "down section") {
		t.Errorf("the error does not say the down section ran: %v", err)
	}
	if cols := dump(t, e.DB, "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' ORDER BY column_name"); cols != "[{email true}]\n[{id true}]\n" {
		t.Fatalf("columns after the rollback: %s", cols)
	}
}
