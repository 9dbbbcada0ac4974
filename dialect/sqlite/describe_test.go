package sqlite_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/sqlite"
)

func TestDescribeTableReadsWhatOnlyTheDDLKeeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	d := sqlite.Dialect{}
	for _, s := range []string{
		`CREATE TABLE parent (code TEXT PRIMARY KEY, n INTEGER)`,
		`CREATE TABLE items (
			id INTEGER PRIMARY KEY,
			price REAL NOT NULL DEFAULT 0,
			qty INTEGER NOT NULL CHECK (qty >= 0),
			total REAL GENERATED ALWAYS AS (price * qty) STORED,
			label TEXT AS (upper(code)),
			code TEXT REFERENCES parent ON UPDATE CASCADE,
			deleted_at TEXT)`,
		`CREATE UNIQUE INDEX items_live ON items (lower(label), qty DESC) WHERE deleted_at IS NULL`,
		`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	ti, err := d.DescribeTable(ctx, db, dialect.Table{Name: "items"})
	if err != nil {
		t.Fatal(err)
	}
	want := []dialect.Column{
		{Name: "id", Type: "INTEGER", Identity: &dialect.Identity{Kind: dialect.IdentityRowID}},
		{Name: "price", Type: "REAL", Default: "0"},
		{Name: "qty", Type: "INTEGER"},
		{Name: "total", Type: "REAL", Nullable: true, Generated: "price * qty", GeneratedStored: true},
		{Name: "label", Type: "TEXT", Nullable: true, Generated: "upper(code)"},
		{Name: "code", Type: "TEXT", Nullable: true},
		{Name: "deleted_at", Type: "TEXT", Nullable: true},
	}
	if !reflect.DeepEqual(ti.Columns, want) {
		t.Errorf("columns:\n got %+v\nwant %+v", ti.Columns, want)
	}
	if want := []dialect.Check{{Expression: "qty >= 0"}}; !reflect.DeepEqual(ti.Checks, want) {
		t.Errorf("checks = %+v, want %+v", ti.Checks, want)
	}
	wantFK := []dialect.ForeignKey{{Columns: []string{"code"}, RefTable: "parent", RefColumns: []string{"code"}, OnDelete: "NO ACTION", OnUpdate: "CASCADE"}}
	if !reflect.DeepEqual(ti.ForeignKeys, wantFK) {
		t.Errorf("foreign keys = %+v, want %+v (the parent's key named for an implicit reference)", ti.ForeignKeys, wantFK)
	}
	wantIx := []dialect.Index{{Name: "items_live", Unique: true, Valid: true,
		Columns:    []dialect.IndexColumn{{Expression: "lower(label)"}, {Name: "qty", Descending: true}},
		Predicate:  "deleted_at IS NULL",
		Definition: "CREATE UNIQUE INDEX items_live ON items (lower(label), qty DESC) WHERE deleted_at IS NULL"}}
	if !reflect.DeepEqual(ti.Indexes, wantIx) {
		t.Errorf("indexes:\n got %+v\nwant %+v", ti.Indexes, wantIx)
	}

	kv, err := d.DescribeTable(ctx, db, dialect.Table{Name: "kv"})
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := kv.Column("k"); k.Identity != nil {
		t.Errorf("a WITHOUT ROWID table's text key has identity %+v", k.Identity)
	}
}

func TestQuoteLiteralKeepsANulByte(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	want := "before\x00after"
	var got string
	if err := db.QueryRowContext(context.Background(), "SELECT "+sqlite.Dialect{}.QuoteLiteral(want)).Scan(&got); err != nil || got != want {
		t.Errorf("read %q, %v; want %q", got, err, want)
	}
}
