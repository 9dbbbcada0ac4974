package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/sqlite"
)

func TestLockHeldReadsTheLeaseAndItsExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, db := sqlite.Dialect{}, openDB(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := d.Lock(ctx, db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock(ctx)
	held, holder, err := d.LockHeld(ctx, db, tbl)
	if err != nil || !held || !strings.HasPrefix(holder, "pid ") || !strings.Contains(holder, "(lease expires in ") {
		t.Errorf("LockHeld = %v, %q, %v; want the lease's owner", held, holder, err)
	}
	// A runner killed mid-run leaves its lease behind; once it expired,
	// another runner may take the lock, so nobody holds it.
	if _, err := db.ExecContext(ctx, `UPDATE "strata_schema_migrations_lock" SET expires_at = 1`); err != nil {
		t.Fatal(err)
	}
	if held, holder, err := d.LockHeld(ctx, db, tbl); err != nil || held {
		t.Errorf("LockHeld on an expired lease = %v, %q, %v; want not held", held, holder, err)
	}
}
