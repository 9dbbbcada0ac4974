package online

import (
	"context"
	"testing"
)

func TestCreateIndex(t *testing.T) {
	t.Parallel()
	t.Run("builds concurrently; abort drops it", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 2000)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_index:
      name: users_lower_name
      table: users
      columns: [lower(name), age DESC]
      include: [id]
      where: age > 10
`)
		st, _ := start(t, r, "1", m)
		eq(t, "index", one(t, db, `SELECT pg_get_indexdef('users_lower_name'::regclass)`),
			"CREATE INDEX users_lower_name ON public.users USING btree (lower(name), age DESC) INCLUDE (id) WHERE (age > 10)")
		abort(t, r, "1", m, st)
		eq(t, "index after abort", one(t, db, `SELECT to_regclass('users_lower_name') IS NULL`), "true")
	})
	t.Run("gin and hash methods, unique", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 200)
		mustExec(t, db, `ALTER TABLE users ADD COLUMN tags text[] DEFAULT '{}'`)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_index: {name: users_tags, table: users, columns: [tags], method: gin}
  - create_index: {name: users_age_hash, table: users, columns: [age], method: hash}
  - create_index: {name: users_name_key, table: users, columns: [name], unique: true}
`)
		st, _ := start(t, r, "1", m)
		complete(t, r, "1", m, st)
		eqRows(t, "indexes", query(t, db, `SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND indexname <> 'users_pkey' ORDER BY 1`),
			"CREATE INDEX users_age_hash ON public.users USING hash (age)",
			"CREATE INDEX users_tags ON public.users USING gin (tags)",
			"CREATE UNIQUE INDEX users_name_key ON public.users USING btree (name)")
	})
	t.Run("an invalid index left by a failed build is rebuilt on resume", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 200)
		mustExec(t, db, `UPDATE users SET name = 'dup' WHERE id IN (1, 2)`)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_index: {name: users_name_key, table: users, columns: [name], unique: true}
`)
		store := &memStore{}
		if err := r.Start(context.Background(), "1", m, nil, store); err == nil {
			t.Fatal("start succeeded despite duplicates")
		}
		eq(t, "invalid index left", one(t, db, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_name_key'::regclass`), "false")
		mustExec(t, db, `UPDATE users SET name = 'dup2' WHERE id = 2`)
		if err := r.Start(context.Background(), "1", m, store.state(t), store); err != nil {
			t.Fatal(err)
		}
		eq(t, "index valid", one(t, db, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_name_key'::regclass`), "true")
	})
	t.Run("replacing an index builds the new one before dropping the old", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 500)
		mustExec(t, db, `CREATE INDEX users_age ON users (age)`)
		r := newRunner(db)
		m := parse(t, `
operations:
  - create_index: {name: users_age, table: users, columns: [age, name], method: btree}
`)
		st, _ := start(t, r, "1", m)
		eqRows(t, "both indexes during expand", query(t, db, `SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1`),
			"_strata_new_users_age", "users_age", "users_pkey")
		complete(t, r, "1", m, st)
		eqRows(t, "indexes", query(t, db, `SELECT indexdef FROM pg_indexes WHERE tablename = 'users' ORDER BY 1`),
			"CREATE INDEX users_age ON public.users USING btree (age, name)",
			"CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)")
	})
}

func TestDropIndex(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 100)
	mustExec(t, db, `CREATE INDEX users_age ON users (age)`)
	r := newRunner(db)
	m := parse(t, `
operations:
  - drop_index: {name: users_age, table: users}
`)
	st, _ := start(t, r, "1", m)
	eq(t, "kept while expanded", one(t, db, `SELECT to_regclass('users_age') IS NOT NULL`), "true")
	complete(t, r, "1", m, st)
	eq(t, "dropped", one(t, db, `SELECT to_regclass('users_age') IS NULL`), "true")
}
