package dialecttest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
)

func (s *suite) testIntrospection(t *testing.T) {
	if len(s.c.IntrospectionDDL) == 0 {
		t.Fatal("dialecttest: Config needs IntrospectionDDL")
	}
	d, db := s.c.Dialect, s.c.Open(t)
	exec(t, db, s.c.IntrospectionDDL...)

	t.Run("parent: identity primary key and unique column", func(t *testing.T) {
		ti, err := d.DescribeTable(ctx(t), db, dialect.Table{Name: "parent"})
		if err != nil {
			t.Fatal(err)
		}
		if ti.Schema == "" || ti.Name != "parent" {
			t.Errorf("table = %q.%q, want its schema filled in", ti.Schema, ti.Name)
		}
		if !slices.Equal(ti.PrimaryKey, []string{"id"}) {
			t.Errorf("primary key = %q, want [id]", ti.PrimaryKey)
		}
		id, _ := ti.Column("id")
		if id.Identity == nil || id.Identity.Kind == "" {
			t.Errorf("id has no identity: %+v", id)
		}
		code, ok := ti.Column("code")
		if !ok || code.Nullable || code.Identity != nil {
			t.Errorf("code = %+v, want NOT NULL without identity", code)
		}
		if !hasUnique(ti, []string{"code"}) {
			t.Errorf("uniques = %+v, want one on [code]", ti.Uniques)
		}
	})

	t.Run("child: composite key, defaults, foreign key, unique, index, check", func(t *testing.T) {
		ti, err := d.DescribeTable(ctx(t), db, dialect.Table{Name: "child"})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range ti.Columns {
			names = append(names, c.Name)
		}
		if want := []string{"a", "b", "parent_id", "qty", "note"}; !slices.Equal(names, want) {
			t.Errorf("columns = %q, want %q", names, want)
		}
		if !slices.Equal(ti.PrimaryKey, []string{"b", "a"}) {
			t.Errorf("primary key = %q, want [b a] in key order", ti.PrimaryKey)
		}
		for _, c := range ti.Columns {
			wantNull := c.Name == "parent_id" || c.Name == "note"
			if c.Nullable != wantNull {
				t.Errorf("column %s nullable = %v, want %v", c.Name, c.Nullable, wantNull)
			}
			if c.Identity != nil {
				t.Errorf("column %s has identity %+v", c.Name, c.Identity)
			}
		}
		if qty, _ := ti.Column("qty"); !strings.Contains(qty.Default, "1") {
			t.Errorf("qty default = %q, want the expression 1", qty.Default)
		}
		if note, _ := ti.Column("note"); !strings.Contains(note.Default, "n/a") {
			t.Errorf("note default = %q, want 'n/a'", note.Default)
		}
		if a, _ := ti.Column("a"); a.Default != "" {
			t.Errorf("a has default %q, want none", a.Default)
		}
		if b, _ := ti.Column("b"); !strings.Contains(strings.ToLower(b.Type), "char") || !strings.Contains(b.Type, "20") {
			t.Errorf("b type = %q, want the engine's varchar(20)", b.Type)
		}

		if len(ti.ForeignKeys) != 1 {
			t.Fatalf("foreign keys = %+v, want one", ti.ForeignKeys)
		}
		fk := ti.ForeignKeys[0]
		if fk.Name != "child_parent_fk" || !slices.Equal(fk.Columns, []string{"parent_id"}) || fk.RefTable != "parent" ||
			!slices.Equal(fk.RefColumns, []string{"id"}) || fk.OnDelete != "CASCADE" || fk.OnUpdate == "" {
			t.Errorf("foreign key = %+v, want child_parent_fk (parent_id) → parent (id) ON DELETE CASCADE", fk)
		}

		if !hasUnique(ti, []string{"parent_id", "note"}) {
			t.Errorf("uniques = %+v, want child_parent_note_key (parent_id, note)", ti.Uniques)
		}
		for _, u := range ti.Uniques {
			if slices.Equal(u.Columns, []string{"parent_id", "note"}) && u.Name != "child_parent_note_key" {
				t.Errorf("unique constraint named %q, want child_parent_note_key", u.Name)
			}
		}

		var idx *dialect.Index
		for i, ix := range ti.Indexes {
			if ix.Name == "child_note_idx" {
				idx = &ti.Indexes[i]
			}
			if ix.Unique && slices.Equal(ix.ColumnNames(), []string{"parent_id", "note"}) && !ix.Constraint {
				t.Errorf("index %s backs the unique constraint but Constraint is false", ix.Name)
			}
			if slices.Equal(ix.ColumnNames(), ti.PrimaryKey) {
				t.Errorf("the primary key's index %s is listed among Indexes", ix.Name)
			}
		}
		if idx == nil {
			t.Fatalf("indexes = %+v, want child_note_idx", ti.Indexes)
		}
		if idx.Unique || idx.Constraint || !idx.Valid || len(idx.Columns) != 1 || idx.Columns[0].Name != "note" || !idx.Columns[0].Descending {
			t.Errorf("child_note_idx = %+v, want a valid non-unique index on (note DESC)", *idx)
		}

		var check *dialect.Check
		for i, c := range ti.Checks {
			if c.Name == "child_qty_check" {
				check = &ti.Checks[i]
			}
		}
		if check == nil || !strings.Contains(check.Expression, "qty") || !strings.Contains(check.Expression, "0") {
			t.Errorf("checks = %+v, want child_qty_check on qty > 0", ti.Checks)
		}
	})

	t.Run("inside a transaction", func(t *testing.T) {
		tx, err := db.BeginTx(ctx(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := d.DescribeTable(ctx(t), tx, dialect.Table{Name: "child"}); err != nil {
			t.Errorf("describe through a transaction: %v", err)
		}
	})

	t.Run("a missing table is ErrNotFound", func(t *testing.T) {
		_, err := d.DescribeTable(ctx(t), db, dialect.Table{Name: "absent"})
		var nf *dialect.NotFoundError
		if !errors.Is(err, dialect.ErrNotFound) || !errors.As(err, &nf) || nf.Name != "absent" {
			t.Errorf("describe a missing table: %v, want a *NotFoundError", err)
		}
		if _, err := d.EstimateRows(ctx(t), db, dialect.Table{Name: "absent"}); !errors.Is(err, dialect.ErrNotFound) {
			t.Errorf("estimate rows of a missing table: %v, want ErrNotFound", err)
		}
	})

	t.Run("an index names its table", func(t *testing.T) {
		tb, err := d.IndexTable(ctx(t), db, "", "child_note_idx")
		if err != nil || tb.Name != "child" || tb.Schema == "" {
			t.Errorf("IndexTable(child_note_idx) = %+v, %v, want child with its schema", tb, err)
		}
		if _, err := d.IndexTable(ctx(t), db, "", "absent_idx"); !errors.Is(err, dialect.ErrNotFound) {
			t.Errorf("IndexTable of a missing index: %v, want ErrNotFound", err)
		}
		if _, err := d.IndexTable(ctx(t), db, "", "child"); !errors.Is(err, dialect.ErrNotFound) {
			t.Errorf("IndexTable of a table: %v, want ErrNotFound", err)
		}
	})

	t.Run("tables and row estimates", func(t *testing.T) {
		tables, err := d.Tables(ctx(t), db, "")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tb := range tables {
			if tb.Schema == "" {
				t.Errorf("table %q has no schema", tb.Name)
			}
			names = append(names, tb.Name)
		}
		if !slices.Equal(names, []string{"child", "parent"}) {
			t.Errorf("tables = %q, want [child parent]", names)
		}
		if n, err := d.EstimateRows(ctx(t), db, dialect.Table{Name: "child"}); err != nil || n < -1 {
			t.Errorf("estimate rows of child = %d, %v", n, err)
		}
	})
}

func hasUnique(ti *dialect.TableInfo, cols []string) bool {
	for _, u := range ti.Uniques {
		if slices.Equal(u.Columns, cols) {
			return true
		}
	}
	return false
}
