package dialecttest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

func (s *suite) testErrors(t *testing.T) {
	t.Run("missing objects", s.testMissingObjects)
	t.Run("unique violations", s.testUniqueViolation)
	t.Run("deadlocks", s.testDeadlock)
	t.Run("a killed session is a lost connection", s.testConnectionLost)
	t.Run("a stopped statement is canceled", s.testCanceled)
}

// classify runs stmt, which must fail, and returns its class and code.
func (s *suite) classify(t *testing.T, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmt string) (dialect.Class, string, error) {
	t.Helper()
	_, err := q.ExecContext(ctx(t), stmt)
	if err == nil {
		t.Fatalf("%s succeeded, want an error", stmt)
	}
	c, code := s.c.Dialect.Classify(err)
	return c, code, err
}

func (s *suite) testMissingObjects(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	exec(t, db, "CREATE TABLE present (a INTEGER)")
	for _, stmt := range []string{
		"SELECT * FROM absent_table",
		"SELECT absent_column FROM present",
		"DROP TABLE absent_table",
		"INSERT INTO absent_table (a) VALUES (1)",
	} {
		c, code, err := s.classify(t, db, stmt)
		if c != dialect.MissingObject {
			t.Errorf("%s: Classify(%v) = %s, want missing_object", stmt, err, c)
		}
		if code == "" {
			t.Errorf("%s: no engine code for %v", stmt, err)
		}
		if !d.IsMissingObject(err) {
			t.Errorf("%s: IsMissingObject(%v) = false", stmt, err)
		}
	}
	for _, stmt := range []string{"SELEC 1", "CREATE TABLE present (a INTEGER)"} {
		if c, _, err := s.classify(t, db, stmt); c == dialect.MissingObject || d.IsMissingObject(err) {
			t.Errorf("%s: %v classified missing_object", stmt, err)
		}
	}
	if c, code := d.Classify(nil); c != dialect.Other || code != "" {
		t.Errorf("Classify(nil) = %s %q, want other", c, code)
	}
}

func (s *suite) testUniqueViolation(t *testing.T) {
	db := s.c.Open(t)
	exec(t, db, "CREATE TABLE uniq (id INTEGER PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE)",
		"INSERT INTO uniq (id, code) VALUES (1, 'a')")
	for _, stmt := range []string{
		"INSERT INTO uniq (id, code) VALUES (1, 'b')", // primary key
		"INSERT INTO uniq (id, code) VALUES (2, 'a')", // unique constraint
	} {
		c, code, err := s.classify(t, db, stmt)
		if c != dialect.UniqueViolation || code == "" {
			t.Errorf("%s: Classify(%v) = %s (code %q), want unique_violation with a code", stmt, err, c, code)
		}
		if c.Retryable() {
			t.Errorf("a unique violation is not retryable")
		}
	}
}

// testDeadlock makes two transactions wait for each other's row.
func (s *suite) testDeadlock(t *testing.T) {
	if !s.c.Deadlocks {
		t.Skip("the engine serialises writers: two sessions cannot deadlock")
	}
	d, db := s.c.Dialect, s.c.Open(t)
	exec(t, db, "CREATE TABLE dl (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)", "INSERT INTO dl (id, v) VALUES (1, 0), (2, 0)")
	a, b := conn(t, db), conn(t, db)
	ta, err := a.BeginTx(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ta.Rollback()
	tb, err := b.BeginTx(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Rollback()
	exec(t, ta, "UPDATE dl SET v = 1 WHERE id = 1")
	exec(t, tb, "UPDATE dl SET v = 2 WHERE id = 2")
	errs := make(chan error, 2)
	dctx, cancel := context.WithTimeout(ctx(t), 30*time.Second)
	defer cancel()
	go func() {
		_, err := ta.ExecContext(dctx, "UPDATE dl SET v = 1 WHERE id = 2")
		errs <- err
	}()
	time.Sleep(200 * time.Millisecond) // let a wait first
	go func() {
		_, err := tb.ExecContext(dctx, "UPDATE dl SET v = 2 WHERE id = 1")
		errs <- err
	}()
	var deadlocked error
	for range 2 {
		err := <-errs
		if err == nil {
			continue
		}
		if c, _ := d.Classify(err); c == dialect.Deadlock {
			deadlocked = err
			// The victim's transaction is gone; roll both back so the
			// survivor's statement returns.
			_ = ta.Rollback()
			_ = tb.Rollback()
		} else {
			c, code := d.Classify(err)
			t.Errorf("Classify(%v) = %s (code %q), want deadlock", err, c, code)
		}
	}
	if deadlocked == nil {
		t.Fatal("no session was chosen as the deadlock victim")
	}
	c, code := d.Classify(deadlocked)
	if !c.Retryable() || code == "" {
		t.Errorf("deadlock %v: retryable %v, code %q; want retryable with a code", deadlocked, c.Retryable(), code)
	}
}

func (s *suite) testConnectionLost(t *testing.T) {
	if s.c.KillSessions == nil {
		t.Skip("the engine has no sessions to kill")
	}
	d, db := s.c.Dialect, s.c.Open(t)
	victim := conn(t, db)
	if err := victim.PingContext(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.c.KillSessions(ctx(t), db); err != nil {
		t.Fatalf("kill sessions: %v", err)
	}
	var err error
	if !eventually(5*time.Second, func() bool {
		var one int
		err = victim.QueryRowContext(ctx(t), "SELECT 1").Scan(&one)
		return err != nil
	}) {
		t.Fatal("a killed session still answers")
	}
	if c, code := d.Classify(err); c != dialect.ConnectionLost {
		t.Errorf("Classify(%v) = %s (code %q), want connection_lost", err, c, code)
	}
}

// testCanceled stops a long statement with a statement timeout and with
// its context, and stops the server's side with CancelStatement.
func (s *suite) testCanceled(t *testing.T) {
	if s.c.Sleep == nil {
		t.Skip("the engine has no statement that sleeps")
	}
	d, db := s.c.Dialect, s.c.Open(t)

	c := conn(t, db)
	set, reset := d.TimeoutSQL(0, 300*time.Millisecond, false)
	exec(t, c, set...)
	if class, code, err := s.classify(t, c, s.c.Sleep(10*time.Second)); class != dialect.Canceled {
		t.Errorf("statement timeout: Classify(%v) = %s (code %q), want canceled", err, class, code)
	}
	exec(t, c, reset...)

	victim := conn(t, db)
	id, err := d.ConnectionID(ctx(t), victim)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx(t), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = victim.ExecContext(sctx, s.c.Sleep(10*time.Second))
	if err == nil {
		t.Fatal("a sleep outlived its context")
	}
	if class, code := d.Classify(err); class != dialect.Canceled {
		t.Errorf("context: Classify(%v) = %s (code %q), want canceled", err, class, code)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the statement returned %s after its context ended", waited)
	}
	if err := d.CancelStatement(ctx(t), db, id); err != nil {
		t.Errorf("CancelStatement(%d): %v", id, err)
	}
}
