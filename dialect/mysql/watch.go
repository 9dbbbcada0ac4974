package mysql

import (
	"context"

	"github.com/strata-db/strata/dialect"
)

// LockHeld implements [dialect.Watcher] with IS_USED_LOCK on the lock's
// name in the connection's database.
func (d Dialect) LockHeld(ctx context.Context, q dialect.Querier, t dialect.Table) (bool, string, error) {
	return dialect.LockHeldBySQL(ctx, q, d, t)
}

// LockHeldSQL implements [dialect.Watcher]. The lock's name is [LockName]
// computed by the server from DATABASE(), so that the expression needs no
// round trip to learn the database first.
func (d Dialect) LockHeldSQL(t dialect.Table) (string, bool) {
	return "CONCAT('connection ', IS_USED_LOCK(" + lockNameSQL(d, t) + "), ' (see SHOW PROCESSLIST)')", true
}

// lockNameSQL is [LockName] as a SQL expression over DATABASE().
func lockNameSQL(d Dialect, t dialect.Table) string {
	return "CONCAT('strata:', LEFT(SHA2(CONCAT(COALESCE(DATABASE(), ''), '.', " + d.QuoteLiteral(t.String()) + "), 256), 40))"
}

// TableExistsSQL implements [dialect.Watcher] from information_schema.
func (d Dialect) TableExistsSQL(t dialect.Table) string {
	schema := "DATABASE()"
	if t.Schema != "" {
		schema = d.QuoteLiteral(t.Schema)
	}
	return "EXISTS (SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + schema + " AND TABLE_NAME = " + d.QuoteLiteral(t.Name) + ")"
}
