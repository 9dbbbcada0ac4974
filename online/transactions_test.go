package online

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
)

// auditDDL records, with an event trigger of the test's database, every DDL
// command the server runs: its transaction id, tag and text.
func auditDDL(t *testing.T, db *sql.DB) {
	t.Helper()
	mustExec(t, db,
		`CREATE SCHEMA audit`,
		`CREATE TABLE audit.ddl (n serial, xid bigint, tag text, query text)`,
		`CREATE FUNCTION audit.log() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit.ddl (xid, tag, query) VALUES (txid_current(), tg_tag, current_query()); END $$`,
		`CREATE EVENT TRIGGER audit_ddl ON ddl_command_start EXECUTE FUNCTION audit.log()`)
}

// TestStrongLockTransactions checks, on the server, the transactions each
// phase commits: a transaction that names an application table (and so
// locks it: ALTER TABLE, CREATE TRIGGER, CREATE VIEW over it, CREATE TABLE
// AS from it) runs that one command and nothing else (no function, view or
// second ALTER in the same transaction), and Complete's cut-over runs no
// function creation and no DO block that reads the catalog while it holds
// the tables.
func TestStrongLockTransactions(t *testing.T) {
	t.Parallel()
	t.Run("start: one command per transaction that touches the table", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 2000)
		auditDDL(t, db)
		m := parse(t, `
operations:
  - add_column:
      table: users
      column: {name: score, type: bigint, nullable: false, default: "(random() * 10)::bigint", check: {name: score_positive, constraint: "score >= 0"}}
      up: age * 2
  - alter_column: {table: users, column: name, type: varchar(200)}
  - backfill: {table: users, set: {age: age + 1}}
`)
		st, _ := start(t, newRunner(db), "1", m)
		mustExec(t, db, `ALTER EVENT TRIGGER audit_ddl DISABLE`)
		eqRows(t, "transactions that touch users together with another command", query(t, db, `
SELECT string_agg(tag || ': ' || left(regexp_replace(query, '\s+', ' ', 'g'), 90), ' + ' ORDER BY n)
FROM audit.ddl GROUP BY xid
HAVING count(*) > 1 AND bool_or(query ~ '"users"|\busers\b') ORDER BY min(n)`))
		eq(t, "CREATE TRIGGER commands", one(t, db, `SELECT count(*) FROM audit.ddl WHERE tag = 'CREATE TRIGGER'`), "2")
		eq(t, "views", one(t, db, `SELECT count(*) FROM information_schema.views WHERE table_schema = 'strata_v1'`), "1")
		eq(t, "rows", one(t, db, `SELECT count(*) FROM users WHERE score = age * 2 AND name IS NOT DISTINCT FROM _strata_new_name`), "2000")
		mustExec(t, db, `ALTER EVENT TRIGGER audit_ddl ENABLE`, `TRUNCATE audit.ddl`)
		complete(t, newRunner(db), "1", m, st)
		eqRows(t, "cut-over commands that create or drop functions, views or run DO", query(t, db, `
SELECT tag FROM audit.ddl WHERE xid IN (SELECT xid FROM audit.ddl GROUP BY xid HAVING count(*) > 1)
  AND (tag IN ('CREATE FUNCTION', 'DROP FUNCTION', 'CREATE VIEW') OR query ~* '^\s*DO\M') ORDER BY n`))
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("complete of restructure_table: the cut-over reads no catalog in a DO block, the shared sequence outlives the old table", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 500)
		auditDDL(t, db)
		m := parse(t, `
operations:
  - restructure_table:
      table: users
      columns:
        - {name: id, type: bigint, pk: true, default: "nextval('users_id_seq')"}
        - {name: name, type: text}
        - {name: age, type: bigint, nullable: true}
`)
		r := newRunner(db)
		st, _ := start(t, r, "1", m)
		mustExec(t, db, `TRUNCATE audit.ddl`)
		complete(t, r, "1", m, st)
		eqRows(t, "DO blocks and function changes inside the cut-over", query(t, db, `
SELECT tag || ': ' || left(query, 40) FROM audit.ddl WHERE xid IN (SELECT xid FROM audit.ddl GROUP BY xid HAVING count(*) > 1)
  AND (tag IN ('CREATE FUNCTION', 'DROP FUNCTION') OR query ~* '^\s*DO\M') ORDER BY n`))
		// The old table's sequence, which the new one draws from, outlived
		// the old table.
		mustExec(t, db, `INSERT INTO users (name, age) VALUES ('after', 1)`)
		eq(t, "new id", one(t, db, `SELECT id FROM users WHERE name = 'after'`), "501")
		eqRows(t, "leftovers", strataObjects(t, db))
	})
}

// TestViewsBuiltAside: the views of the version schema are built in a
// schema of their own, one transaction each, and swapped in at the end; a
// run stopped in between resumes, and abort leaves nothing of it.
func TestViewsBuiltAside(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - add_column: {table: users, column: {name: note, type: text, nullable: true}}
`
	for _, then := range []string{"resume", "abort"} {
		t.Run("a start stopped while building the views, then "+then, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			usersFixture(t, db, 10)
			mustExec(t, db, `CREATE TABLE other (id int PRIMARY KEY)`)
			r := newRunner(db)
			m := parse(t, src)
			ctx, cancel := context.WithCancel(context.Background())
			r.Progress = func(e Event) {
				if e.Kind == EventStatement && strings.Contains(e.Statement, "CREATE SCHEMA") {
					cancel()
				}
			}
			store := &memStore{}
			if err := r.Start(ctx, "1", m, nil, store); !errors.Is(err, context.Canceled) {
				t.Fatalf("start = %v, want canceled", err)
			}
			eq(t, "schemas after the stop", strings.Join(query(t, db, `SELECT nspname FROM pg_namespace WHERE nspname LIKE '%strata%' ORDER BY 1`), ","), "_strata_build_v1")
			r.Progress = nil
			switch then {
			case "resume":
				if err := r.Start(context.Background(), "1", m, store.state(t), store); err != nil {
					t.Fatal(err)
				}
				eq(t, "schemas", strings.Join(query(t, db, `SELECT nspname FROM pg_namespace WHERE nspname LIKE '%strata%' ORDER BY 1`), ","), "strata_v1")
				eq(t, "views", strings.Join(query(t, db, `SELECT table_name FROM information_schema.views WHERE table_schema = 'strata_v1' ORDER BY 1`), ","), "other,users")
				nc := newShape(t, db, "1")
				eq(t, "new shape", one(t, nc, `SELECT count(note) + count(*) FROM users`), "10")
			case "abort":
				abort(t, r, "1", m, store.state(t))
				eq(t, "schemas", strings.Join(query(t, db, `SELECT nspname FROM pg_namespace WHERE nspname LIKE '%strata%' ORDER BY 1`), ","), "")
				eqRows(t, "leftovers", strataObjects(t, db))
			}
		})
	}
}
