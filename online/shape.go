package online

import (
	"context"
	"fmt"
	"strings"
)

// shape is the logical picture of the schema's tables as seen through the
// new version's views: which physical table and column each logical name
// reads. Operations transform it in order (see reshaper).
type shape struct {
	version string
	tables  []*tableModel
}

// tableModel is one table of a shape.
type tableModel struct {
	Phys string // physical table name
	Name string // name in the new shape
	Cols []modelCol
}

type modelCol struct {
	Name string // name in the new shape
	Phys string // physical column it reads
	Type string
}

// reshaper is implemented by operations that change the new shape.
type reshaper interface {
	reshape(s *shape) error
}

func (s *shape) table(name string) *tableModel {
	for _, t := range s.tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (s *shape) mustTable(name string) (*tableModel, error) {
	if t := s.table(name); t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("table %q does not exist", name)
}

func (s *shape) drop(name string) {
	for i, t := range s.tables {
		if t.Name == name {
			s.tables = append(s.tables[:i], s.tables[i+1:]...)
			return
		}
	}
}

func (t *tableModel) col(name string) *modelCol {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return &t.Cols[i]
		}
	}
	return nil
}

func (t *tableModel) mustCol(name string) (*modelCol, error) {
	if c := t.col(name); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("column %q of table %q does not exist", name, t.Name)
}

func (t *tableModel) dropCol(name string) {
	for i, c := range t.Cols {
		if c.Name == name {
			t.Cols = append(t.Cols[:i], t.Cols[i+1:]...)
			return
		}
	}
}

// physShape reads the schema's tables from the catalog, leaving out the
// tables and columns strata itself added.
func (x *Exec) physShape(ctx context.Context) (*shape, error) {
	tables, err := x.d.Tables(ctx, x.db(), x.Schema())
	if err != nil {
		return nil, err
	}
	columns, err := x.eng.schemaColumns(ctx, x.db(), x.Schema())
	if err != nil {
		return nil, err
	}
	s := &shape{}
	for _, tb := range tables {
		if isInternal(tb.Name) {
			continue
		}
		t := &tableModel{Phys: tb.Name, Name: tb.Name}
		for _, c := range columns[tb.Name] {
			if isInternal(c.Name) {
				continue
			}
			t.Cols = append(t.Cols, modelCol{Name: c.Name, Phys: c.Name, Type: c.Type})
		}
		s.tables = append(s.tables, t)
	}
	return s, nil
}

// viewSQL returns the statements that create the version schema and one
// view per table of the shape.
func (s *shape) viewSQL(w quoting, schema, vschema string) []string {
	stmts := []string{"CREATE SCHEMA IF NOT EXISTS " + w.ident(vschema)}
	for _, t := range s.tables {
		sel := make([]string, len(t.Cols))
		for i, c := range t.Cols {
			if c.Name == c.Phys {
				sel[i] = w.ident(c.Phys)
			} else {
				sel[i] = w.ident(c.Phys) + " AS " + w.ident(c.Name)
			}
		}
		stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT %s FROM %s",
			w.qualified(vschema, t.Name), strings.Join(sel, ", "), w.qualified(schema, t.Phys)))
	}
	return stmts
}
