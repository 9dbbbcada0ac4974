package online

import (
	"context"
	"testing"
)

func TestDropColumn(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - drop_column: {table: users, column: name, down: "'user' || id"}
`
	t.Run("hidden from the new shape, filled by down, dropped at complete", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		r := newRunner(db)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		nc := newShape(t, db, "1")
		eq(t, "view", one(t, nc, `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'strata_v1' AND table_name = 'users'`), "id,age")
		mustExec(t, nc, `INSERT INTO users (id, age) VALUES (1000, 5)`)
		eq(t, "down filled the old column", one(t, db, `SELECT name FROM users WHERE id = 1000`), "user1000")
		mustExec(t, db, `INSERT INTO users (id, name, age) VALUES (1001, 'old', 5)`)
		eq(t, "old shape writes untouched", one(t, db, `SELECT name FROM users WHERE id = 1001`), "old")
		complete(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, age integer")
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("abort keeps the column", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		r := newRunner(db)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		abort(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer")
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("a NOT NULL column without default needs down", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 10)
		m := parse(t, `
operations:
  - drop_column: {table: users, column: name}
`)
		if err := newRunner(db).Start(context.Background(), "1", m, nil, nil); err == nil {
			t.Fatal("start succeeded")
		}
	})
}

func TestRenameColumn(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 100)
	r := newRunner(db)
	m := parse(t, `
operations:
  - rename_column: {table: users, from: name, to: full_name}
`)
	st, _ := start(t, r, "1", m)
	nc := newShape(t, db, "1")
	mustExec(t, nc, `UPDATE users SET full_name = 'renamed' WHERE id = 1`)
	eq(t, "old shape sees the write", one(t, db, `SELECT name FROM users WHERE id = 1`), "renamed")
	complete(t, r, "1", m, st)
	eq(t, "columns", columns(t, db, "users"), "id bigint not null, full_name text not null, age integer")
	eq(t, "new shape after complete", one(t, nc, `SELECT full_name FROM users WHERE id = 1`), "renamed")

	db2 := newDB(t)
	usersFixture(t, db2, 10)
	r2 := newRunner(db2)
	st2, _ := start(t, r2, "1", m)
	abort(t, r2, "1", m, st2)
	eq(t, "columns after abort", columns(t, db2, "users"), "id bigint not null, name text not null, age integer")
}

func TestSetNotNull(t *testing.T) {
	t.Parallel()
	t.Run("in place through a validated check", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		r := newRunner(db)
		m := parse(t, `
operations:
  - set_not_null: {table: users, column: age}
`)
		st, _ := start(t, r, "1", m)
		eq(t, "check validated", one(t, db, `SELECT convalidated FROM pg_constraint WHERE conname LIKE '\_strata%nn%'`), "true")
		if _, err := db.Exec(`INSERT INTO users (name) VALUES ('x')`); err == nil {
			t.Error("NULL accepted while expanded")
		}
		complete(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer not null")
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("existing NULLs fail validation; abort cleans up", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		mustExec(t, db, `UPDATE users SET age = NULL WHERE id = 5`)
		r := newRunner(db)
		m := parse(t, `
operations:
  - set_not_null: {table: users, column: age}
`)
		store := &memStore{}
		err := r.Start(context.Background(), "1", m, nil, store)
		if err == nil {
			t.Fatal("start succeeded")
		}
		t.Log(err)
		abort(t, r, "1", m, store.state(t))
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("with up, NULLs are replaced in a new column and abort leaves them", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		mustExec(t, db, `UPDATE users SET age = NULL WHERE id <= 10`)
		r := newRunner(db)
		m := parse(t, `
operations:
  - set_not_null: {table: users, column: age, up: "-1"}
`)
		st, _ := start(t, r, "1", m)
		mustExec(t, db, `INSERT INTO users (id, name) VALUES (1000, 'old writer')`)
		nc := newShape(t, db, "1")
		eq(t, "new shape", one(t, nc, `SELECT count(*) FROM users WHERE age = -1`), "11")
		eq(t, "old shape keeps NULLs", one(t, db, `SELECT count(*) FROM users WHERE age IS NULL`), "11")
		complete(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer not null")
		eq(t, "after complete", one(t, db, `SELECT count(*) FROM users WHERE age = -1`), "11")

		db2 := newDB(t)
		usersFixture(t, db2, 100)
		mustExec(t, db2, `UPDATE users SET age = NULL WHERE id <= 10`)
		r2 := newRunner(db2)
		st2, _ := start(t, r2, "1", m)
		abort(t, r2, "1", m, st2)
		eq(t, "NULLs after abort", one(t, db2, `SELECT count(*) FROM users WHERE age IS NULL`), "10")
		eq(t, "columns after abort", columns(t, db2, "users"), "id bigint not null, name text not null, age integer")
	})
}
