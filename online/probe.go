package online

import (
	"context"
	"fmt"
)

// fastDefault reports whether adding a column of typ with default expr is
// a catalog-only change (PostgreSQL stores a "missing" value instead of
// rewriting the table), which holds when expr is not volatile. It asks
// PostgreSQL itself, on a one-row temporary table in a rolled back
// transaction.
func (x *Exec) fastDefault(ctx context.Context, typ, expr string) (bool, error) {
	tx, err := x.db().BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // always rolled back
	if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE _strata_probe ON COMMIT DROP AS SELECT 1 AS x"); err != nil {
		return false, fmt.Errorf("probe default: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE _strata_probe ADD COLUMN c %s DEFAULT %s", typ, expr)); err != nil {
		return false, fmt.Errorf("check default %s for type %s: %w", expr, typ, err)
	}
	var missing bool
	err = tx.QueryRowContext(ctx, `SELECT atthasmissing FROM pg_attribute WHERE attrelid = '_strata_probe'::regclass AND attname = 'c'`).Scan(&missing)
	return missing, err
}
