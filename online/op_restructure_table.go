package online

import (
	"context"
	"errors"
)

// RestructureTable is a blue-green copy of a table (see its Start).
type RestructureTable struct {
	Table      string            `yaml:"table"`
	Columns    []Column          `yaml:"columns"`
	Mapping    map[string]string `yaml:"mapping"` // new column: expression over the old table's columns
	PrimaryKey []string          `yaml:"primary_key"`
}

func (o *RestructureTable) Kind() string     { return "restructure_table" }
func (o *RestructureTable) Tables() []string { return []string{o.Table} }
func (o *RestructureTable) Validate() error {
	if o.Table == "" {
		return errField("table", "is required")
	}
	return nil
}
func (o *RestructureTable) Start(ctx context.Context, x *Exec) error {
	return errors.New("restructure_table is not implemented yet")
}
func (o *RestructureTable) Complete(ctx context.Context, x *Exec) error { return nil }
func (o *RestructureTable) Rollback(ctx context.Context, x *Exec) error { return nil }
