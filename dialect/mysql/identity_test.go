package mysql_test

import (
	"context"
	"testing"

	"github.com/strata-db/strata/dialect"
)

// AdvanceIdentity leaves a counter that explicit ids moved already, sets
// one that is behind the rows, and never moves one back.
func TestAdvanceIdentityKeepsTheCounterPastTheRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := open(t)
	adv, ok := e.Dialect.(dialect.IdentityAdvancer)
	if !ok {
		t.Fatalf("%T is not an IdentityAdvancer", e.Dialect)
	}
	for _, s := range []string{
		"CREATE TABLE items (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name text)",
		"INSERT INTO items VALUES (1, 'a'), (42, 'b')",
		"CREATE TABLE ahead (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, name text) AUTO_INCREMENT = 100",
		"INSERT INTO ahead VALUES (5, 'x')",
		"CREATE TABLE empty (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name text)",
		"CREATE TABLE plain (id int PRIMARY KEY, name text)",
	} {
		if _, err := e.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for _, c := range []struct {
		name          string
		table         string
		highest, next int64
	}{
		{"explicit ids moved the counter already", "items", 42, 43},
		{"a counter ahead of the rows is not moved back", "ahead", 5, 100},
		{"an empty table stays where it is", "empty", 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := adv.AdvanceIdentity(ctx, e.DB, dialect.Table{Name: c.table}, "id")
			if err != nil || got != c.highest {
				t.Fatalf("AdvanceIdentity = %d, %v; want %d", got, err, c.highest)
			}
			res, err := e.DB.ExecContext(ctx, "INSERT INTO "+c.table+" (name) VALUES ('new')")
			if err != nil {
				t.Fatal(err)
			}
			if id, _ := res.LastInsertId(); id != c.next {
				t.Fatalf("the next row got id %d, want %d", id, c.next)
			}
		})
	}
	if _, err := adv.AdvanceIdentity(ctx, e.DB, dialect.Table{Name: "plain"}, "id"); err == nil {
		t.Fatal("a column without AUTO_INCREMENT was advanced")
	}
}
