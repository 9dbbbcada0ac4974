package sqlite_test

import (
	"context"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/sqlite"
)

// SQLite numbers past the rows by itself: AdvanceIdentity returns the
// highest value and the next row follows it, with or without AUTOINCREMENT.
func TestAdvanceIdentityReportsTheHighestRowID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	d := sqlite.Dialect{}
	for _, s := range []string{
		"CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)",
		"INSERT INTO items VALUES (1, 'a'), (42, 'b')",
		"CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT)",
		"INSERT INTO rows VALUES (7, 'a')",
		"CREATE TABLE plain (id TEXT PRIMARY KEY, name TEXT)",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for table, want := range map[string]int64{"items": 42, "rows": 7} {
		got, err := d.AdvanceIdentity(ctx, db, dialect.Table{Name: table}, "id")
		if err != nil || got != want {
			t.Fatalf("%s: AdvanceIdentity = %d, %v; want %d", table, got, err, want)
		}
		res, err := db.ExecContext(ctx, "INSERT INTO "+table+" (name) VALUES ('new')")
		if err != nil {
			t.Fatal(err)
		}
		if id, _ := res.LastInsertId(); id != want+1 {
			t.Fatalf("%s: the next row got id %d, want %d", table, id, want+1)
		}
	}
	if _, err := d.AdvanceIdentity(ctx, db, dialect.Table{Name: "plain"}, "id"); err == nil {
		t.Fatal("a TEXT key was advanced")
	}
}
