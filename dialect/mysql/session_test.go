package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// TestCancelStatementStopsWhatTheServerWouldRunOn: when a statement's
// context ends, go-sql-driver drops the connection but the server keeps
// running the statement; CancelStatement stops it.
func TestCancelStatementStopsWhatTheServerWouldRunOn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := open(t)
	c, err := e.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id, err := e.Dialect.ConnectionID(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := c.ExecContext(sctx, "SELECT SLEEP(30)"); err == nil {
		t.Fatal("the sleep outlived its context")
	}
	running := func() bool {
		var n int
		err := e.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE 'SELECT SLEEP%'", id).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		return n > 0
	}
	if !running() {
		t.Skip("the server stopped the statement on its own when the client left")
	}
	if err := e.Dialect.CancelStatement(ctx, e.DB, id); err != nil {
		t.Fatalf("CancelStatement: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for running() {
		if time.Now().After(deadline) {
			t.Fatal("the statement still runs on the server 5s after KILL QUERY")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
