package postgres_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
)

func TestDescribeTableReadsWhatPostgreSQLKeeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	d := postgres.Dialect{}
	for _, s := range []string{
		`CREATE SCHEMA app`,
		`CREATE TABLE app.items (
			id bigserial PRIMARY KEY,
			seq integer GENERATED ALWAYS AS IDENTITY,
			price numeric(12,2) NOT NULL DEFAULT 0,
			qty integer NOT NULL,
			total numeric GENERATED ALWAYS AS (price * qty) STORED,
			name text COLLATE "C",
			tags text[],
			deleted_at timestamptz)`,
		`ALTER TABLE app.items ADD CONSTRAINT items_qty_check CHECK (qty >= 0) NOT VALID`,
		`CREATE UNIQUE INDEX items_live_name ON app.items (lower(name), qty DESC) INCLUDE (price) WHERE deleted_at IS NULL`,
		`CREATE INDEX items_tags ON app.items USING gin (tags)`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	ti, err := d.DescribeTable(ctx, db, dialect.Table{Schema: "app", Name: "items"})
	if err != nil {
		t.Fatal(err)
	}
	want := []dialect.Column{
		{Name: "id", Type: "bigint", Default: `nextval('app.items_id_seq'::regclass)`,
			Identity: &dialect.Identity{Kind: dialect.IdentitySerial, Sequence: "app.items_id_seq"}},
		{Name: "seq", Type: "integer", Identity: &dialect.Identity{Kind: dialect.IdentityAlways, Sequence: "app.items_seq_seq"}},
		{Name: "price", Type: "numeric(12,2)", Default: "0"},
		{Name: "qty", Type: "integer"},
		{Name: "total", Type: "numeric", Nullable: true, Generated: "(price * (qty)::numeric)", GeneratedStored: true},
		{Name: "name", Type: "text", Nullable: true},
		{Name: "tags", Type: "text[]", Nullable: true},
		{Name: "deleted_at", Type: "timestamp with time zone", Nullable: true},
	}
	if !reflect.DeepEqual(ti.Columns, want) {
		t.Errorf("columns:\n got %+v\nwant %+v", ti.Columns, want)
	}
	if len(ti.Checks) != 1 || ti.Checks[0].Expression != "(qty >= 0)" || !ti.Checks[0].NotValid {
		t.Errorf("checks = %+v", ti.Checks)
	}
	if len(ti.Indexes) != 2 {
		t.Fatalf("indexes = %+v", ti.Indexes)
	}
	live := ti.Indexes[0]
	wantLive := dialect.Index{Name: "items_live_name", Unique: true, Method: "btree", Valid: true,
		Columns:    []dialect.IndexColumn{{Expression: "lower(name)"}, {Name: "qty", Descending: true}},
		Include:    []string{"price"},
		Predicate:  "(deleted_at IS NULL)",
		Definition: "CREATE UNIQUE INDEX items_live_name ON app.items USING btree (lower(name), qty DESC) INCLUDE (price) WHERE (deleted_at IS NULL)"}
	if !reflect.DeepEqual(live, wantLive) {
		t.Errorf("partial expression index:\n got %+v\nwant %+v", live, wantLive)
	}
	if tags := ti.Indexes[1]; tags.Method != "gin" || tags.Columns[0].Name != "tags" {
		t.Errorf("gin index = %+v", tags)
	}
}

func TestDescribeTableFollowsSearchPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, s := range []string{`CREATE SCHEMA other`, `CREATE TABLE other.t (a int)`, `SET search_path = other, public`} {
		if _, err := c.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ti, err := postgres.Dialect{}.DescribeTable(ctx, c, dialect.Table{Name: "t"})
	if err != nil || ti.Schema != "other" {
		t.Fatalf("describe t along search_path: %+v, %v", ti, err)
	}
	if _, err := (postgres.Dialect{}).DescribeTable(ctx, db, dialect.Table{Name: "t"}); !errors.Is(err, dialect.ErrNotFound) {
		t.Errorf("t outside search_path: %v, want ErrNotFound", err)
	}
}
