package online

import (
	"context"
	"testing"
)

func TestAddForeignKey(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - add_foreign_key:
      table: orders
      name: orders_user_fk
      columns: [user_id]
      references: {table: users, columns: [id]}
      on_delete: cascade
`
	fixture := func(t *testing.T) *Runner {
		db := newDB(t)
		usersFixture(t, db, 100)
		mustExec(t, db, `CREATE TABLE orders (id int PRIMARY KEY, user_id bigint)`,
			`INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g`)
		return newRunner(db)
	}
	t.Run("added NOT VALID then validated", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		eq(t, "fk", one(t, r.DB, `SELECT convalidated::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'orders_user_fk'`),
			"true FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE")
		complete(t, r, "1", m, st)
		eq(t, "tables", m.Tables()[1], "users")
	})
	t.Run("orphans stop start; abort drops the constraint", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		mustExec(t, r.DB, `INSERT INTO orders VALUES (1000, 99999)`)
		m := parse(t, src)
		store := &memStore{}
		if err := r.Start(context.Background(), "1", m, nil, store); err == nil {
			t.Fatal("start succeeded with an orphan")
		}
		abort(t, r, "1", m, store.state(t))
		eq(t, "fk gone", one(t, r.DB, `SELECT count(*) FROM pg_constraint WHERE conname = 'orders_user_fk'`), "0")
	})
}

func TestAddCheck(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 100)
	r := newRunner(db)
	m := parse(t, `
operations:
  - add_check: {table: users, name: age_range, constraint: "age BETWEEN 0 AND 150"}
`)
	st, _ := start(t, r, "1", m)
	eq(t, "validated", one(t, db, `SELECT convalidated FROM pg_constraint WHERE conname = 'age_range'`), "true")
	if _, err := db.Exec(`UPDATE users SET age = 200 WHERE id = 1`); err == nil {
		t.Error("check not enforced")
	}
	abort(t, r, "1", m, st)
	eq(t, "dropped", one(t, db, `SELECT count(*) FROM pg_constraint WHERE conname = 'age_range'`), "0")
	st, _ = start(t, r, "2", m)
	complete(t, r, "2", m, st)
	eq(t, "kept", one(t, db, `SELECT count(*) FROM pg_constraint WHERE conname = 'age_range'`), "1")
}

func TestTables(t *testing.T) {
	t.Parallel()
	t.Run("create, rename and drop tables", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 10)
		mustExec(t, db, `CREATE TABLE legacy (id int PRIMARY KEY)`)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_table:
      name: posts
      columns:
        - {name: id, type: bigserial, pk: true}
        - {name: user_id, type: bigint, references: {table: users, column: id, on_delete: cascade}}
        - {name: title, type: text, default: "'untitled'", check: {name: title_len, constraint: "length(title) < 200"}}
        - {name: body, type: text, nullable: true, comment: the text}
  - rename_table: {from: users, to: members}
  - drop_table: {name: legacy}
`)
		st, _ := start(t, r, "1", m)
		nc := newShape(t, db, "1")
		eqRows(t, "new shape tables", query(t, nc, `SELECT table_name FROM information_schema.views WHERE table_schema = 'strata_v1' ORDER BY 1`), "members", "posts")
		mustExec(t, nc, `INSERT INTO members (name) VALUES ('via view')`, `INSERT INTO posts (user_id) VALUES (1)`)
		eq(t, "old shape sees it", one(t, db, `SELECT count(*) FROM users WHERE name = 'via view'`), "1")
		complete(t, r, "1", m, st)
		eqRows(t, "tables", query(t, db, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`), "members", "posts")
		eq(t, "post", one(t, db, `SELECT title FROM posts`), "untitled")
	})
	t.Run("abort drops the created table and keeps the others", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 10)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_table:
      name: posts
      columns: [{name: id, type: int, pk: true}]
  - drop_table: {name: users}
`)
		st, _ := start(t, r, "1", m)
		abort(t, r, "1", m, st)
		eqRows(t, "tables", query(t, db, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`), "users")
	})
	t.Run("create_table refuses an existing table and abort keeps it", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 10)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_table: {name: users, columns: [{name: id, type: int}]}
`)
		store := &memStore{}
		if err := r.Start(context.Background(), "1", m, nil, store); err == nil {
			t.Fatal("start succeeded")
		}
		abort(t, r, "1", m, store.state(t))
		eq(t, "users kept", one(t, db, `SELECT count(*) FROM users`), "10")
	})
}

func TestSetTableOptions(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	mustExec(t, db, `ALTER TABLE users SET (fillfactor = 90)`)
	r := newRunner(db)
	m := parse(t, `
operations:
  - set_table_options:
      table: users
      options: {fillfactor: 70, autovacuum_vacuum_scale_factor: 0.01, autovacuum_enabled: "false"}
`)
	st, _ := start(t, r, "1", m)
	eq(t, "options", one(t, db, `SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'public.users'::regclass`),
		"autovacuum_enabled=false,autovacuum_vacuum_scale_factor=0.01,fillfactor=70")
	abort(t, r, "1", m, st)
	eq(t, "options after abort", one(t, db, `SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'public.users'::regclass`), "fillfactor=90")
}

func TestRawSQL(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	r := newRunner(db)
	m := parse(t, `
operations:
  - sql:
      up: CREATE TABLE audit (id int); INSERT INTO audit VALUES (1)
      down: DROP TABLE audit
  - sql:
      up: CREATE INDEX CONCURRENTLY users_name_idx ON users (name)
      down: DROP INDEX CONCURRENTLY users_name_idx
`)
	st, _ := start(t, r, "1", m)
	eq(t, "audit", one(t, db, `SELECT count(*) FROM audit`), "1")
	// A resumed start does not run the statements twice.
	if err := r.Start(context.Background(), "1", m, st, nil); err != nil {
		t.Fatal(err)
	}
	abort(t, r, "1", m, st)
	eq(t, "dropped", one(t, db, `SELECT to_regclass('audit') IS NULL AND to_regclass('users_name_idx') IS NULL`), "true")
}
