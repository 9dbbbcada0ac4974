package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

// LockHeld implements [dialect.Watcher] from the lease row: held while it
// names an owner and has not expired. A lock table that does not exist yet
// (no runner ever locked) is a lock nobody holds.
func (d Dialect) LockHeld(ctx context.Context, q dialect.Querier, t dialect.Table) (bool, string, error) {
	var owner string
	var expires int64
	err := q.QueryRowContext(ctx, `SELECT owner, expires_at FROM `+lockTable(t).Qualified(d)+` WHERE id = 1`).Scan(&owner, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err != nil && d.IsMissingObject(err)) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("read the lease in %s: %w", lockTable(t), err)
	}
	left := time.Until(time.UnixMilli(expires))
	if owner == "" || left < 0 {
		return false, "", nil
	}
	return true, fmt.Sprintf("%s (lease expires in %s)", owner, left.Round(time.Second)), nil
}

// LockHeldSQL implements [dialect.Watcher]: not as one expression, since
// the lease table exists only once a runner has locked.
func (Dialect) LockHeldSQL(dialect.Table) (string, bool) { return "", false }

// TableExistsSQL implements [dialect.Watcher] from the schema table of
// t's database (main when t has no schema). SQLite's names are not case
// sensitive.
func (d Dialect) TableExistsSQL(t dialect.Table) string {
	master := "sqlite_master"
	if t.Schema != "" {
		master = d.Quote(t.Schema) + ".sqlite_master"
	}
	return "EXISTS (SELECT 1 FROM " + master + " WHERE type IN ('table', 'view') AND name = " + d.QuoteLiteral(t.Name) + " COLLATE NOCASE)"
}
