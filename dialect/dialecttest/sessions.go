package dialecttest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

func (s *suite) testVersion(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	v, err := d.ServerVersion(ctx(t), db)
	if err != nil {
		t.Fatal(err)
	}
	if v.Major <= 0 || v.Raw == "" || !slices.Contains(s.c.Flavors, v.Flavor) {
		t.Errorf("ServerVersion = %+v, want a major version and one of the flavors %q", v, s.c.Flavors)
	}
	if !v.AtLeast(v.Major, v.Minor, v.Patch) || v.AtLeast(v.Major+1, 0, 0) {
		t.Errorf("AtLeast disagrees with %s", v)
	}
}

func (s *suite) testSessions(t *testing.T) {
	t.Run("connection ids", s.testConnectionIDs)
	t.Run("a reset session does not leak its settings", s.testResetSession)
	t.Run("single writer", s.testSingleWriter)
	t.Run("describe the session", s.testDescribeSession)
}

// testDescribeSession reads where unqualified names resolve: a fresh
// database has a schema to name (PostgreSQL's public, MySQL's database),
// unless the engine says it has none to describe.
func (s *suite) testDescribeSession(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	si, err := d.DescribeSession(ctx(t), db)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		if s.c.KillSessions != nil {
			t.Errorf("DescribeSession is unsupported on an engine with sessions: %v", err)
		}
	case err != nil:
		t.Fatal(err)
	case si.Schema == "" || si.User == "":
		t.Errorf("DescribeSession = %+v, want the schema and the user", si)
	default:
		exec(t, db, "CREATE TABLE described (id INTEGER PRIMARY KEY)")
		if _, err := d.DescribeTable(ctx(t), db, dialect.Table{Schema: si.Schema, Name: "described"}); err != nil {
			t.Errorf("a table created unqualified is not in schema %q: %v", si.Schema, err)
		}
	}
}

func (s *suite) testConnectionIDs(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	a, b := conn(t, db), conn(t, db)
	ida, err := d.ConnectionID(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.ConnectionID(ctx(t), a)
	if err != nil || again != ida {
		t.Errorf("the same connection's id changed: %d then %d (%v)", ida, again, err)
	}
	idb, err := d.ConnectionID(ctx(t), b)
	if err != nil {
		t.Fatal(err)
	}
	if s.c.KillSessions != nil && (ida == 0 || ida == idb) {
		t.Errorf("two sessions have ids %d and %d, want two different non-zero ids", ida, idb)
	}
	if err := d.CancelStatement(ctx(t), db, idb); err != nil {
		t.Errorf("CancelStatement on an idle session: %v", err)
	}
}

// testResetSession changes a setting, resets and returns the connection,
// and reads the setting on the pool's only connection.
func (s *suite) testResetSession(t *testing.T) {
	if s.c.SessionSetting == "" {
		t.Skip("the engine has no session reset")
	}
	d, db := s.c.Dialect, s.c.Open(t)
	db.SetMaxOpenConns(1)
	defer db.SetMaxOpenConns(0)
	read := func() string {
		t.Helper()
		var v string
		if err := db.QueryRowContext(ctx(t), s.c.ReadSessionSetting).Scan(&v); err != nil {
			t.Fatalf("%s: %v", s.c.ReadSessionSetting, err)
		}
		return v
	}
	before := read()
	c, err := db.Conn(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	exec(t, c, s.c.SessionSetting)
	var during string
	if err := c.QueryRowContext(ctx(t), s.c.ReadSessionSetting).Scan(&during); err != nil || during == before {
		t.Fatalf("%s did not change %s (%q, %v)", s.c.SessionSetting, s.c.ReadSessionSetting, during, err)
	}
	if err := d.ResetSession(ctx(t), c); err != nil {
		t.Fatalf("ResetSession: %v", err)
	}
	_ = c.Close() // sql.ErrConnDone when the reset discarded it
	if after := read(); after != before {
		t.Errorf("after ResetSession the pool's connection has %q, want %q", after, before)
	}
}

// testSingleWriter opens a write transaction and writes from a second
// session with a short lock timeout: an engine with one writer makes it
// wait and time out, the others let it through.
func (s *suite) testSingleWriter(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	exec(t, db, "CREATE TABLE writers (id INTEGER PRIMARY KEY)")
	a := conn(t, db)
	tx, err := a.BeginTx(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, tx, "INSERT INTO writers (id) VALUES (1)")
	b := conn(t, db)
	set, reset := d.TimeoutSQL(500*time.Millisecond, 0, false)
	exec(t, b, set...)
	defer exec(t, b, reset...)
	_, err = b.ExecContext(ctx(t), "INSERT INTO writers (id) VALUES (2)")
	class, _ := d.Classify(err)
	switch {
	case d.SingleWriter() && class != dialect.LockTimeout:
		t.Errorf("SingleWriter, yet a second writer got %v, want a lock timeout", err)
	case !d.SingleWriter() && err != nil:
		t.Errorf("a second writer failed: %v, although the engine is not SingleWriter", err)
	}
}
