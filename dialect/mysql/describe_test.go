package mysql_test

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
)

func TestDescribeTableReadsWhatMySQLKeeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := open(t)
	for _, s := range []string{
		"CREATE TABLE items (" +
			"id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, " +
			"price DECIMAL(12,2) NOT NULL DEFAULT 0, " +
			"qty INT NOT NULL, " +
			"total DECIMAL(20,2) AS (price * qty) STORED, " +
			"label VARCHAR(40) AS (CONCAT('#', id)) VIRTUAL, " +
			"note VARCHAR(100) DEFAULT 'it''s', " +
			"changed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, " +
			"KEY items_note (note(10) DESC, qty))",
		"CREATE TABLE Items (x INT)", // same letters, another table where names are case-sensitive
	} {
		if _, err := e.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	ti, err := e.Dialect.DescribeTable(ctx, e.DB, dialect.Table{Name: "items"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]dialect.Column{}
	var names []string
	for _, c := range ti.Columns {
		byName[c.Name] = c
		names = append(names, c.Name)
	}
	if want := []string{"id", "price", "qty", "total", "label", "note", "changed"}; !slices.Equal(names, want) {
		t.Fatalf("columns = %q, want %q (and none of table Items)", names, want)
	}
	if id := byName["id"]; id.Identity == nil || id.Identity.Kind != dialect.IdentityAutoIncrement || !strings.Contains(id.Type, "unsigned") {
		t.Errorf("id = %+v", id)
	}
	if total := byName["total"]; !total.GeneratedStored || !strings.Contains(total.Generated, "price") || total.Default != "" {
		t.Errorf("total = %+v, want a stored generated column", total)
	}
	if label := byName["label"]; label.GeneratedStored || !strings.Contains(strings.ToLower(label.Generated), "concat") {
		t.Errorf("label = %+v, want a virtual generated column", label)
	}
	if note := byName["note"]; note.Default != "'it''s'" {
		t.Errorf("note default = %q, want the expression 'it''s'", note.Default)
	}
	if changed := byName["changed"]; !strings.Contains(strings.ToLower(changed.OnUpdate), "current_timestamp") || changed.Default == "" {
		t.Errorf("changed = %+v, want a default and ON UPDATE current_timestamp", changed)
	}
	want := []dialect.Index{{Name: "items_note", Method: "btree", Valid: true,
		Columns: []dialect.IndexColumn{{Name: "note", Descending: true, Length: 10}, {Name: "qty"}}}}
	if !reflect.DeepEqual(ti.Indexes, want) {
		t.Errorf("indexes:\n got %+v\nwant %+v", ti.Indexes, want)
	}
}

// TestQuoteLiteralInEnumWithoutBackslashEscapes is the DDL transfer writes
// for a MySQL enum: its members must survive a session with
// NO_BACKSLASH_ESCAPES as well as one without.
func TestQuoteLiteralInEnumWithoutBackslashEscapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := open(t)
	members := []string{`a\b`, `it's`, `\`, "plain", "nul\x00byte"}
	for i, mode := range []string{"", ",NO_BACKSLASH_ESCAPES"} {
		c, err := e.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, '"+mode+"')"); err != nil {
			t.Fatal(err)
		}
		table := e.Dialect.Quote("enum" + string(rune('0'+i)))
		if _, err := c.ExecContext(ctx, "CREATE TABLE "+table+" (v ENUM("+dialect.QuoteLiterals(e.Dialect, members)+") NOT NULL)"); err != nil {
			t.Fatalf("mode %q: %v", mode, err)
		}
		for _, m := range members {
			if _, err := c.ExecContext(ctx, "INSERT INTO "+table+" (v) VALUES (?)", m); err != nil {
				t.Errorf("mode %q: insert enum member %q as a parameter: %v", mode, m, err)
			}
		}
		var got []string
		rows, err := c.QueryContext(ctx, "SELECT v FROM "+table+" ORDER BY v")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s.String)
		}
		rows.Close()
		slices.Sort(got)
		want := slices.Clone(members)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("mode %q: enum members read back as %q, want %q", mode, got, want)
		}
	}
}
