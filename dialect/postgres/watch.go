package postgres

import (
	"context"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// LockHeld implements [dialect.Watcher] from pg_locks: the advisory lock of
// t's key, granted to a session of this database.
func (d Dialect) LockHeld(ctx context.Context, q dialect.Querier, t dialect.Table) (bool, string, error) {
	return dialect.LockHeldBySQL(ctx, q, d, t)
}

// LockHeldSQL implements [dialect.Watcher]. pg_advisory_lock(bigint) shows
// in pg_locks as the key's high 32 bits in classid, its low 32 bits in objid
// and objsubid 1. Advisory locks belong to a database, so a runner of the
// same history table in another database is not this one's.
func (Dialect) LockHeldSQL(t dialect.Table) (string, bool) {
	key := uint64(LockKey(t))
	return fmt.Sprintf(`(SELECT 'pid ' || l.pid || ' (user ' || coalesce(a.usename, '?') || ' from ' || coalesce(host(a.client_addr), 'local')
		|| ', connected ' || coalesce(to_char(now() - a.backend_start, 'HH24:MI:SS'), '?')
		|| coalesce(', application ' || nullif(a.application_name, ''), '') || ')'
	FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
	WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
	  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
	  AND l.classid::bigint = %d AND l.objid::bigint = %d
	LIMIT 1)`, key>>32, key&0xffffffff), true
}

// TableExistsSQL implements [dialect.Watcher] with to_regclass, which
// follows search_path for an unqualified name as a query would.
func (d Dialect) TableExistsSQL(t dialect.Table) string {
	return "(to_regclass(" + d.QuoteLiteral(t.Qualified(d)) + ") IS NOT NULL)"
}
