package online

import (
	"context"
	"testing"
)

// TestSeveralOperations runs operations that build on each other in one
// migration: the new shape shows all of them at once.
func TestSeveralOperations(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 500)
	r := newRunner(db)
	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: email, type: text, nullable: true}, up: "name || '@example.com'"}
  - rename_column: {table: users, from: name, to: login}
  - alter_column: {table: users, column: age, type: smallint, up: "least(age, 32767)", down: age}
  - create_index: {name: users_email, table: users, columns: [email], unique: true}
`)
	st, _ := start(t, r, "1", m)
	nc := newShape(t, db, "1")
	eq(t, "new shape", one(t, nc, `SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'strata_v1' AND table_name = 'users'`),
		"id:bigint,login:text,age:smallint,email:text")
	mustExec(t, nc, `INSERT INTO users (id, login, age, email) VALUES (9000, 'n', 3, 'n@x')`)
	eq(t, "old shape sees it", one(t, db, `SELECT name || ' ' || age FROM users WHERE id = 9000`), "n 3")
	mustExec(t, db, `INSERT INTO users (id, name, age) VALUES (9001, 'o', 4)`)
	eq(t, "new shape sees it", one(t, nc, `SELECT login || ' ' || age || ' ' || email FROM users WHERE id = 9001`), "o 4 o@example.com")
	complete(t, r, "1", m, st)
	eq(t, "columns", columns(t, db, "users"), "id bigint not null, login text not null, email text, age smallint")
	eq(t, "version schemas after complete", schemas(t, db), "")
	eqRows(t, "leftovers", strataObjects(t, db))
}

// TestAbortAfterFailedValidation aborts a type change whose new check the
// existing rows break: the backfill stops at the first batch that breaks it.
func TestAbortAfterFailedValidation(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 500)
	before := one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`)
	r := newRunner(db)
	m := parse(t, `
operations:
  - alter_column: {table: users, column: age, type: bigint, check: {name: small, constraint: age < 10}}
`)
	store := &memStore{}
	if err := r.Start(context.Background(), "1", m, nil, store); err == nil {
		t.Fatal("start succeeded with rows breaking the check")
	}
	st := store.state(t)
	abort(t, r, "1", m, st)
	eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer")
	eq(t, "rows", one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`), before)
	eqRows(t, "leftovers", strataObjects(t, db))
}

// TestTwoExpandedMigrations completes two online migrations of different
// tables that are expanded at once, the newer first: completing one keeps
// the other's version schema, and rebuilds that schema's view of the table
// it changed over its final shape, in the cut-over transaction.
func TestTwoExpandedMigrations(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 200)
	mustExec(t, db, `CREATE TABLE items (id bigint PRIMARY KEY, price numeric(10,2), legacy text)`,
		`INSERT INTO items SELECT g, g, 'x' FROM generate_series(1, 200) g`)
	m1 := parse(t, `
operations:
  - add_column: {table: users, column: {name: email, type: text, nullable: true}, up: "name || '@example.com'"}
`)
	m2 := parse(t, `
operations:
  - alter_column: {table: items, column: price, type: "numeric(12,2)"}
  - drop_column: {table: items, column: legacy}
`)
	r1 := newRunner(db)
	st1, _ := start(t, r1, "1", m1)
	r2 := newRunner(db)
	r2.KeepVersions = []string{"1"}
	st2, _ := start(t, r2, "2", m2)
	eq(t, "schemas while both are expanded", schemas(t, db), "strata_v1,strata_v2")

	complete(t, r2, "2", m2, st2)
	eq(t, "schemas after completing 2", schemas(t, db), "strata_v1")
	nc := newShape(t, db, "1")
	eq(t, "version 1's view of items shows its final shape", one(t, nc, `SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'strata_v1' AND table_name = 'items'`),
		"id:bigint,price:numeric")
	eq(t, "rows through version 1", one(t, nc, `SELECT count(*) FROM items WHERE price IS NOT NULL`), "200")

	r1.KeepVersions = nil
	complete(t, r1, "1", m1, st1)
	eq(t, "schemas after completing both", schemas(t, db), "")
	mustExec(t, db, `ALTER TABLE items ALTER COLUMN price TYPE numeric(14,2)`, `ALTER TABLE users DROP COLUMN age`)
}

// TestAbortWithAnotherExpanded aborts an online migration while another,
// on another table, is expanded: the other's version schema shows every
// table, the new columns and tables of the aborted one included, and they
// leave it with the abort.
func TestAbortWithAnotherExpanded(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 50)
	mustExec(t, db, `CREATE TABLE items (id bigint PRIMARY KEY, a int)`, `INSERT INTO items SELECT g, g FROM generate_series(1, 50) g`)
	m1 := parse(t, `
operations:
  - add_column: {table: items, column: {name: c, type: int, nullable: true}, up: a * 2}
  - create_table: {name: posts, columns: [{name: id, type: int, pk: true}]}
`)
	m2 := parse(t, `
operations:
  - add_column: {table: users, column: {name: email, type: text, nullable: true}}
`)
	st1, _ := start(t, newRunner(db), "1", m1)
	r2 := newRunner(db)
	r2.KeepVersions = []string{"1"}
	st2, _ := start(t, r2, "2", m2)
	eq(t, "version 2 shows items.c", one(t, db, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'strata_v2' AND table_name = 'items' AND column_name = 'c'`), "1")

	r1 := newRunner(db)
	r1.KeepVersions = []string{"2"}
	abort(t, r1, "1", m1, st1)
	eq(t, "items", columns(t, db, "items"), "id bigint not null, a integer")
	eq(t, "schemas", schemas(t, db), "strata_v2")
	nc := newShape(t, db, "2")
	eq(t, "version 2's items", one(t, nc, `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'strata_v2' AND table_name = 'items'`), "id,a")
	eq(t, "version 2 has no posts", one(t, nc, `SELECT count(*) FROM information_schema.views WHERE table_schema = 'strata_v2' AND table_name = 'posts'`), "0")
	r2.KeepVersions = nil
	complete(t, r2, "2", m2, st2)
	eqRows(t, "leftovers", strataObjects(t, db))
}
