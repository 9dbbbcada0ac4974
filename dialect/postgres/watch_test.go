package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
)

func TestLockHeldNamesTheSessionAndIgnoresOtherDatabases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, db, other := postgres.Dialect{}, openDB(t), openDB(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := d.Lock(ctx, db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock(ctx)
	var pid int
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	held, holder, err := d.LockHeld(ctx, c, tbl)
	if err != nil || !held || !strings.HasPrefix(holder, "pid ") || !strings.Contains(holder, "(user postgres from ") {
		t.Errorf("LockHeld = %v, %q, %v; want the holding session's pid and user", held, holder, err)
	}
	if err := c.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err == nil && strings.HasPrefix(holder, "pid "+strconv.Itoa(pid)+" ") {
		t.Errorf("LockHeld names the asking session %d, not the holder", pid)
	}
	// The same history table in another database is another project's.
	if held, holder, err := d.LockHeld(ctx, other, tbl); err != nil || held {
		t.Errorf("LockHeld from another database = %v, %q, %v; want not held", held, holder, err)
	}
}
