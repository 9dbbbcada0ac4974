package dialecttest

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

func (s *suite) testHistoryDDL(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	for run := 1; run <= 2; run++ {
		for _, stmt := range d.HistoryDDL(tbl) {
			if _, err := db.ExecContext(ctx(t), stmt); err != nil {
				t.Fatalf("run %d: %s: %v", run, stmt, err)
			}
		}
	}
	ti, err := d.DescribeTable(ctx(t), db, tbl)
	if err != nil {
		t.Fatalf("describe the history table: %v", err)
	}
	var names []string
	for _, c := range ti.Columns {
		names = append(names, c.Name)
	}
	want := []string{"version", "name", "kind", "checksum", "state", "started_at", "finished_at",
		"execution_ms", "applied_by", "strata_version", "error", "progress", "source"}
	if !slices.Equal(names, want) {
		t.Errorf("history columns = %q, want %q", names, want)
	}
	if !slices.Equal(ti.PrimaryKey, []string{"version"}) {
		t.Errorf("history primary key = %q, want [version]", ti.PrimaryKey)
	}
}

func (s *suite) testTimeouts(t *testing.T) {
	t.Run("set changes the session and reset restores it", s.testTimeoutReset)
	t.Run("a lock wait past the lock timeout is a lock timeout", s.testLockTimeout)
}

func (s *suite) testTimeoutReset(t *testing.T) {
	if s.c.TimeoutSettings == nil {
		t.Fatal("dialecttest: Config needs TimeoutSettings")
	}
	d, db := s.c.Dialect, s.c.Open(t)
	c := conn(t, db)
	read := func() string {
		t.Helper()
		v, err := s.c.TimeoutSettings(ctx(t), c)
		if err != nil {
			t.Fatalf("read timeout settings: %v", err)
		}
		return v
	}
	before := read()

	set, reset := d.TimeoutSQL(3*time.Second, 7*time.Second, false)
	exec(t, c, set...)
	if during := read(); during == before {
		t.Errorf("settings after %q = %q, unchanged", set, during)
	}
	exec(t, c, reset...)
	if after := read(); after != before {
		t.Errorf("settings after reset %q = %q, want %q as before", reset, after, before)
	}

	// In a transaction, reset runs before it ends and hands the rest of it
	// (the next migration of a single transaction) the defaults again.
	tx, err := c.BeginTx(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	set, reset = d.TimeoutSQL(3*time.Second, 7*time.Second, true)
	exec(t, tx, set...)
	exec(t, tx, reset...)
	if inside := read(); inside != before {
		t.Errorf("settings inside the transaction after %q and its reset %q = %q, want %q", set, reset, inside, before)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if after := read(); after != before {
		t.Errorf("settings after a transaction-scoped set %q and its reset %q = %q, want %q", set, reset, after, before)
	}
}

// testLockTimeout holds a row lock in one session and updates the row from
// another whose lock timeout is one second.
func (s *suite) testLockTimeout(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	exec(t, db, "CREATE TABLE lockme (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)", "INSERT INTO lockme (id, v) VALUES (1, 0)")
	holder := conn(t, db)
	tx, err := holder.BeginTx(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, tx, "UPDATE lockme SET v = 1 WHERE id = 1")

	waiter := conn(t, db)
	set, reset := d.TimeoutSQL(time.Second, 0, false)
	exec(t, waiter, set...)
	defer exec(t, waiter, reset...)
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx(t), 20*time.Second)
	defer cancel()
	_, err = waiter.ExecContext(wctx, "UPDATE lockme SET v = 2 WHERE id = 1")
	if err == nil {
		t.Fatal("an update of a locked row succeeded")
	}
	if waited := time.Since(start); waited > 15*time.Second {
		t.Errorf("the lock wait took %s with a 1s lock timeout", waited)
	}
	class, code := d.Classify(err)
	if class != dialect.LockTimeout {
		t.Errorf("Classify(%v) = %s (code %q), want lock_timeout", err, class, code)
	}
	if !class.Retryable() {
		t.Errorf("a lock timeout must be retryable")
	}
}

// scanStrings reads one string column.
func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s.String)
	}
	return out, rows.Err()
}
