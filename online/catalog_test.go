package online

import (
	"context"
	"testing"
)

// A unique index's INCLUDE columns are not part of its key: a unique index
// over a NOT NULL column that includes a nullable one is a key backfills
// walk, and a key a foreign key may point at, as PostgreSQL itself takes
// it.
func TestIncludedColumnsAreNotPartOfAKey(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustExec(t, db,
		`CREATE TABLE accounts (code text NOT NULL, note text)`,
		`CREATE UNIQUE INDEX accounts_code ON accounts (code) INCLUDE (note)`,
		`INSERT INTO accounts SELECT 'a' || g, NULL FROM generate_series(1, 300) g`,
		`CREATE TABLE payments (id int PRIMARY KEY, account text)`)
	r := newRunner(db)
	m := parse(t, `
operations:
  - add_column:
      table: accounts
      column: {name: upper_code, type: text, nullable: true}
      up: upper(code)
  - add_foreign_key:
      table: payments
      name: payments_account_fk
      columns: [account]
      references: {table: accounts, columns: [code]}
`)
	if err := r.Check(context.Background(), "1", m); err != nil {
		t.Fatalf("check: %v", err)
	}
	st, _ := start(t, r, "1", m)
	eq(t, "rows backfilled", one(t, db, `SELECT count(*) FROM accounts WHERE upper_code = upper(code)`), "300")
	complete(t, r, "1", m, st)
}
