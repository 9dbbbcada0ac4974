package online

import (
	"context"
	"testing"
)

func TestAlterColumn(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - alter_column:
      table: users
      column: age
      type: bigint
      up: age * 10
      down: age / 10
      nullable: false
      check: {name: age_positive, constraint: age >= 0}
`
	fixture := func(t *testing.T) *Runner {
		db := newDB(t)
		usersFixture(t, db, 4000)
		mustExec(t, db, `UPDATE users SET age = 0 WHERE age IS NULL`, `CREATE INDEX users_age_idx ON users (age) WHERE age > 5`)
		return newRunner(db)
	}
	t.Run("a type change keeps both shapes in step and swaps at complete", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		db := r.DB
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer, _strata_new_age bigint")
		eq(t, "backfilled", one(t, db, `SELECT count(*) FROM users WHERE _strata_new_age IS DISTINCT FROM age * 10`), "0")
		// Old shape writes age; the trigger computes the new column.
		mustExec(t, db, `UPDATE users SET age = 7 WHERE id = 1`, `INSERT INTO users (id, name, age) VALUES (100001, 'old', 3)`)
		eqRows(t, "old-shape writes", query(t, db, `SELECT age, _strata_new_age FROM users WHERE id IN (1, 100001) ORDER BY id`), "7|70", "3|30")
		// New shape writes the new column as age; the trigger computes the old.
		nc := newShape(t, db, "1")
		mustExec(t, nc, `UPDATE users SET age = 500 WHERE id = 2`, `INSERT INTO users (id, name, age) VALUES (100002, 'new', 90)`)
		eqRows(t, "new-shape writes", query(t, db, `SELECT age, _strata_new_age FROM users WHERE id IN (2, 100002) ORDER BY id`), "50|500", "9|90")
		eqRows(t, "new shape reads", query(t, nc, `SELECT age FROM users WHERE id IN (1, 2) ORDER BY id`), "70", "500")
		if _, err := nc.ExecContext(context.Background(), `UPDATE users SET age = -1 WHERE id = 3`); err == nil {
			t.Error("check constraint not enforced on the new shape")
		}
		// The index on age was copied onto the new column.
		eq(t, "copied index", one(t, db, `SELECT pg_get_indexdef('_strata_new_users_age_idx'::regclass)`),
			"CREATE INDEX _strata_new_users_age_idx ON public.users USING btree (_strata_new_age) WHERE (_strata_new_age > 5)")
		complete(t, r, "1", m, st)
		eq(t, "columns after complete", columns(t, db, "users"), "id bigint not null, name text not null, age bigint not null")
		eqRows(t, "values", query(t, db, `SELECT age FROM users WHERE id IN (1, 2, 100001, 100002) ORDER BY id`), "70", "500", "30", "90")
		eq(t, "index", one(t, db, `SELECT pg_get_indexdef('users_age_idx'::regclass)`), "CREATE INDEX users_age_idx ON public.users USING btree (age) WHERE (age > 5)")
		eq(t, "check", one(t, db, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'age_positive'`), "CHECK ((age >= 0))")
		eqRows(t, "leftovers", strataObjects(t, db))
		// The application's connection now reads the final table.
		eq(t, "view after complete", one(t, nc, `SELECT age FROM users WHERE id = 1`), "70")
	})
	t.Run("abort leaves the old column and every row", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		db := r.DB
		before := one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		abort(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer")
		eq(t, "rows", one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`), before)
		eqRows(t, "leftovers", strataObjects(t, db))
		eq(t, "index", one(t, db, `SELECT count(*) FROM pg_indexes WHERE tablename = 'users'`), "2")
	})
	t.Run("in-place changes: default, drop not null, rename, unique", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		db := r.DB
		mustExec(t, db, `ALTER TABLE users ALTER COLUMN age SET DEFAULT 1`)
		m := parse(t, `
operations:
  - alter_column:
      table: users
      column: name
      name: username
      nullable: true
      default: "'anon'"
      unique: {name: users_username_key}
`)
		st, _ := start(t, r, "1", m)
		nc := newShape(t, db, "1")
		mustExec(t, nc, `INSERT INTO users (id, age) VALUES (200000, 1)`)
		eq(t, "new shape sees username", one(t, nc, `SELECT username FROM users WHERE id = 200000`), "anon")
		eq(t, "old shape sees name", one(t, db, `SELECT name FROM users WHERE id = 200000`), "anon")
		complete(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, username text, age integer")
		eq(t, "unique", one(t, db, `SELECT count(*) FROM pg_constraint WHERE conname = 'users_username_key'`), "1")
	})
	t.Run("in-place abort restores default and NOT NULL", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		db := r.DB
		m := parse(t, `
operations:
  - alter_column:
      table: users
      column: name
      nullable: true
      default: "'anon'"
`)
		st, _ := start(t, r, "1", m)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text, age integer")
		abort(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer")
		eq(t, "default", one(t, db, `SELECT count(*) FROM pg_attrdef WHERE adrelid = 'users'::regclass`), "1") // only id's
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("a primary key column is refused", func(t *testing.T) {
		t.Parallel()
		r := fixture(t)
		m := parse(t, `
operations:
  - alter_column: {table: users, column: id, type: numeric}
`)
		err := r.Start(context.Background(), "1", m, nil, nil)
		if err == nil {
			t.Fatal("start succeeded")
		}
		t.Log(err)
	})
}
