package online

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestCheckPreconditions checks each operation's preconditions against a
// live catalog: every problem is reported, with the file, the line of the
// field, the operation's number and kind, and the field.
func TestCheckPreconditions(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustExec(t, db,
		`CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, age int CONSTRAINT age_ok CHECK (age >= 0))`,
		`CREATE TABLE logs (msg text NOT NULL, n int)`,
		`CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric(10,2), note text, code text NOT NULL)`,
		`CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100`,
		`CREATE INDEX orders_note ON orders (note)`)
	cases := []struct {
		name string
		ops  string
		want []string // "line index kind field: message fragment"
	}{
		{"a backfill needs a key", `
  - add_column:
      table: logs
      column: {name: c, type: int, nullable: true}
      up: n * 2`,
			[]string{`5 1 add_column up: table "logs" has no primary key or unique index over NOT NULL columns`}},
		{"a volatile default is a backfill too", `
  - add_column: {table: logs, column: {name: c, type: uuid, default: gen_random_uuid()}}`,
			[]string{`2 1 add_column column.default: table "logs" has no primary key`}},
		{"a constant default needs no key", `
  - add_column: {table: logs, column: {name: c, type: int, default: "0"}}`, nil},
		{"the table must exist", `
  - add_column: {table: nope, column: {name: c, type: int, nullable: true}}`,
			[]string{`2 1 add_column table: table "nope" does not exist in schema public`}},
		{"the column must not exist", `
  - add_column: {table: users, column: {name: age, type: int, nullable: true}}`,
			[]string{`2 1 add_column column.name: column "age" of table "users" already exists`}},
		{"the type must be known", `
  - add_column:
      table: users
      column: {name: c, type: nosuchtype, nullable: true}`,
			[]string{`4 1 add_column column.type: type "nosuchtype" does not exist`}},
		{"a referenced column must exist", `
  - add_column: {table: orders, column: {name: c, type: bigint, nullable: true, references: {table: users, column: nope}}}`,
			[]string{`2 1 add_column column.references.column: column "nope" of table "users" does not exist`}},
		{"a constraint name must be free", `
  - add_check: {table: users, name: age_ok, constraint: age < 200}`,
			[]string{`2 1 add_check name: constraint "age_ok" already exists on table "users"`}},
		{"a dropped column must not be used by a view", `
  - drop_column: {table: orders, column: total}`,
			[]string{`2 1 drop_column column: drop_column drops column "total" of table "orders" at complete, but view public.big_orders uses it`}},
		{"a NOT NULL column dropped needs down", `
  - drop_column: {table: orders, column: code}`,
			[]string{`2 1 drop_column down: column "code" is NOT NULL without a default`}},
		{"a retyped column must not be used by a view", `
  - alter_column: {table: orders, column: total, type: "numeric(12,2)"}`,
			[]string{`2 1 alter_column column: alter_column (a new column replaces it) drops column "total" of table "orders" at complete, but view public.big_orders uses it`}},
		{"a key column is not retyped in place", `
  - alter_column: {table: users, column: id, type: numeric}`,
			[]string{`2 1 alter_column column: column "id" is part of the primary key and a foreign key`}},
		{"a rename must not collide", `
  - rename_column: {table: users, from: name, to: age}
  - rename_table: {from: logs, to: orders}`,
			[]string{`2 1 rename_column to: column "age" of table "users" already exists`, `3 2 rename_table to: table "orders" already exists`}},
		{"a dropped table must not be referenced", `
  - drop_table: {name: users}`,
			[]string{`2 1 drop_table name: foreign key orders.orders_user_id_fkey points at table "users"`}},
		{"a created table must not exist, nor its referenced table be missing", `
  - create_table:
      name: big_orders
      columns:
        - {name: id, type: int, pk: true}
        - {name: x, type: int, references: {table: nope, column: id}}`,
			[]string{`3 1 create_table name: view "big_orders" already exists in schema public`, `6 1 create_table columns[1].references.table: table "nope" does not exist`}},
		{"an index dropped must exist, one created must name columns that do", `
  - drop_index: {name: nope}
  - create_index: {name: orders_x, table: orders, columns: [note, "lower(note)", "nope DESC"]}`,
			[]string{`2 1 drop_index name: index "nope" does not exist in schema public`, `3 2 create_index columns: column "nope" of table "orders" does not exist`}},
		{"a foreign key needs a unique target", `
  - add_foreign_key: {table: orders, name: fk_note, columns: [note], references: {table: users, columns: [name]}}`,
			[]string{`2 1 add_foreign_key references.columns: table "users" has no primary key or unique constraint over (name)`}},
		{"a backfill and a restructure need a key", `
  - backfill: {table: logs, set: {n: "0"}}`,
			[]string{`2 1 backfill table: table "logs" has no primary key`}},
		{"later operations see what earlier ones did", `
  - add_column: {table: users, column: {name: email, type: text, nullable: true}}
  - create_index: {name: users_email, table: users, columns: [email]}
  - rename_column: {table: users, from: email, to: mail}
  - alter_column: {table: users, column: age, nullable: false}`, nil},
		{"an index names the columns the table holds until complete", `
  - rename_column: {table: users, from: name, to: login}
  - create_index: {name: users_login, table: users, columns: [login]}`,
			[]string{`3 2 create_index columns: column "login" of table "users" is changed by an earlier operation`}},
		{"one problem each, in order", `
  - add_column: {table: logs, column: {name: c, type: int, nullable: true}, up: n}
  - add_column: {table: users, column: {name: d, type: nosuch, nullable: true}}
  - create_index: {name: users_d, table: users, columns: [d]}`,
			[]string{`2 1 add_column up: table "logs" has no primary key`, `3 2 add_column column.type: type "nosuch" does not exist`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := parse(t, "operations:"+c.ops+"\n")
			err := newRunner(db).Check(context.Background(), "7", m)
			var pe PreconditionErrors
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				return
			}
			if !errors.As(err, &pe) || !errors.Is(err, ErrPrecondition) {
				t.Fatalf("check = %v, want PreconditionErrors", err)
			}
			var got []string
			for _, p := range pe {
				if p.File != "V1_test.yaml" {
					t.Errorf("file = %q", p.File)
				}
				got = append(got, fmt.Sprintf("%d %d %s %s: %s", p.Line, p.Index, p.Op, p.Field, p.Msg))
			}
			if len(got) != len(c.want) {
				t.Fatalf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], c.want[i]) {
					t.Errorf("problem %d:\n  %s\nwant prefix:\n  %s", i+1, got[i], c.want[i])
				}
			}
		})
	}
}

// TestStartChecksFirst: Start on a migration whose second operation cannot
// run fails before the first changes anything.
func TestStartChecksFirst(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	mustExec(t, db, `CREATE TABLE logs (msg text, n int)`)
	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: email, type: text, nullable: true}}
  - add_column: {table: logs, column: {name: c, type: int, nullable: true}, up: n * 2}
`)
	store := &memStore{}
	err := newRunner(db).Start(context.Background(), "1", m, nil, store)
	if !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "V1_test.yaml:3: operation 2 (add_column), field up") {
		t.Fatalf("start = %v", err)
	}
	eq(t, "users", columns(t, db, "users"), "id bigint not null, name text not null, age integer")
	eqRows(t, "leftovers", strataObjects(t, db))
	eq(t, "schemas", schemas(t, db), "")
}
