package mysql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
)

func TestLockHeldNamesTheConnectionAndIgnoresOtherDatabases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, other := open(t), open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := e.Dialect.Lock(ctx, e.DB, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock(ctx)
	held, holder, err := e.Dialect.LockHeld(ctx, e.DB, tbl)
	if err != nil || !held || !strings.HasPrefix(holder, "connection ") || !strings.HasSuffix(holder, " (see SHOW PROCESSLIST)") {
		t.Errorf("LockHeld = %v, %q, %v; want the holding connection's id", held, holder, err)
	}
	// GET_LOCK names are server-wide: the lock's name carries the database,
	// so the same history table in another database is another project's.
	if held, holder, err := other.Dialect.LockHeld(ctx, other.DB, tbl); err != nil || held {
		t.Errorf("LockHeld from another database = %v, %q, %v; want not held", held, holder, err)
	}
}
