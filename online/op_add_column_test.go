package online

import (
	"context"
	"testing"
)

func TestAddColumn(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - add_column:
      table: users
      column: {name: age2, type: bigint, nullable: false}
      up: age * 2 + 1
`
	t.Run("start backfills, old and new shape writers stay in step, complete sets NOT NULL", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 5000)
		r := newRunner(db)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer, age2 bigint")
		eq(t, "rows not backfilled", one(t, db, `SELECT count(*) FROM users WHERE age2 IS DISTINCT FROM age * 2 + 1`), "0")
		// An old-shape writer does not know age2: the trigger fills it.
		mustExec(t, db, `INSERT INTO users (name, age) VALUES ('old', 10)`, `UPDATE users SET age = 20 WHERE id = 1`)
		eqRows(t, "old-shape writes", query(t, db, `SELECT age2 FROM users WHERE name = 'old' OR id = 1 ORDER BY id`), "41", "21")
		// A new-shape writer sets it itself.
		nc := newShape(t, db, "1")
		mustExec(t, nc, `INSERT INTO users (name, age, age2) VALUES ('new', 1, 100)`)
		eq(t, "new-shape insert", one(t, db, `SELECT age2 FROM users WHERE name = 'new'`), "100")
		if _, err := nc.ExecContext(context.Background(), `INSERT INTO users (name, age) VALUES ('new2', 1)`); err == nil {
			t.Error("new-shape insert without the NOT NULL column succeeded")
		}
		eq(t, "view", one(t, nc, `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'strata_v1' AND table_name = 'users'`), "id,name,age,age2")
		complete(t, r, "1", m, st)
		eq(t, "columns after complete", columns(t, db, "users"), "id bigint not null, name text not null, age integer, age2 bigint not null")
		eqRows(t, "leftovers", strataObjects(t, db))
		eq(t, "version schemas after complete", schemas(t, db), "")
		mustExec(t, db, `INSERT INTO users (name, age, age2) VALUES ('after', 1, 3)`)
	})
	t.Run("abort drops the column and leaves the rows", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 3000)
		before := one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`)
		r := newRunner(db)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		abort(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer")
		eq(t, "rows", one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`), before)
		eqRows(t, "leftovers", strataObjects(t, db))
		eq(t, "schemas", schemas(t, db), "")
	})
	t.Run("a constant default is added without a backfill", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		r := newRunner(db)
		m := parse(t, `
operations:
  - add_column:
      table: users
      column: {name: status, type: text, default: "'active'", nullable: false}
`)
		st, _ := start(t, r, "1", m)
		eq(t, "backfills", len(st.Backfills), 0)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer, status text not null")
		eq(t, "status", one(t, db, `SELECT count(*) FROM users WHERE status = 'active'`), "100")
		complete(t, r, "1", m, st)
	})
	t.Run("a volatile default is backfilled per row", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 100)
		r := newRunner(db)
		m := parse(t, `
operations:
  - add_column:
      table: users
      column: {name: token, type: text, default: "md5(random()::text)", nullable: false, unique: true}
`)
		st, _ := start(t, r, "1", m)
		eq(t, "distinct tokens", one(t, db, `SELECT count(DISTINCT token) FROM users`), "100")
		complete(t, r, "1", m, st)
		eq(t, "unique constraint", one(t, db, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'u'`), "1")
		eqRows(t, "leftovers", strataObjects(t, db))
	})
}
