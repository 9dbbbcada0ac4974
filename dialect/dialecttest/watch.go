package dialecttest

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/strata-db/strata/dialect"
)

func (s *suite) testWatch(t *testing.T) {
	t.Run("the runner's lock is seen from another session while it is held", s.testLockHeld)
	t.Run("the lock of every hostile history table name is seen", s.testLockHeldHostile)
	t.Run("a table's existence is asked without an error", s.testTableExists)
}

// lockHeldSQL runs the dialect's expression, when it has one, and reports
// whether it names a holder; ok is false when the engine has none.
func (s *suite) lockHeldSQL(t *testing.T, q dialect.Querier, tbl dialect.Table) (held, ok bool) {
	t.Helper()
	expr, ok := s.c.Dialect.LockHeldSQL(tbl)
	if !ok {
		return false, false
	}
	var holder sql.NullString
	if err := q.QueryRowContext(ctx(t), "SELECT "+expr).Scan(&holder); err != nil {
		t.Fatalf("SELECT LockHeldSQL(%s): %v", tbl, err)
	}
	if holder.Valid && holder.String == "" {
		t.Errorf("LockHeldSQL(%s) names an empty holder", tbl)
	}
	return holder.Valid, true
}

// wantHeld asserts what LockHeld and LockHeldSQL say about tbl.
func (s *suite) wantHeld(t *testing.T, q dialect.Querier, tbl dialect.Table, want bool) {
	t.Helper()
	held, holder, err := s.c.Dialect.LockHeld(ctx(t), q, tbl)
	if err != nil {
		t.Fatalf("LockHeld(%s): %v", tbl, err)
	}
	if held != want || (held && holder == "") || (!held && holder != "") {
		t.Errorf("LockHeld(%s) = %v, %q; want held %v with a holder exactly when held", tbl, held, holder, want)
	}
	if got, ok := s.lockHeldSQL(t, q, tbl); ok && got != want {
		t.Errorf("LockHeldSQL(%s) says held %v, want %v", tbl, got, want)
	}
}

func (s *suite) testLockHeld(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	s.wantHeld(t, db, tbl, false) // no runner ever locked this database
	l, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	watcher := conn(t, db) // another session than the lock's
	s.wantHeld(t, watcher, tbl, true)
	s.wantHeld(t, watcher, dialect.Table{Name: "another_history"}, false)
	if err := l.Held(ctx(t)); err != nil {
		t.Errorf("LockHeld took or disturbed the lock: Held = %v", err)
	}
	if err := l.Unlock(ctx(t)); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	s.wantHeld(t, watcher, tbl, false)
}

func (s *suite) testLockHeldHostile(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	for _, n := range HostileNames {
		tbl := dialect.Table{Name: n}
		l, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{})
		if err != nil {
			t.Errorf("lock %q: %v", n, err)
			continue
		}
		s.wantHeld(t, db, tbl, true)
		if err := l.Unlock(ctx(t)); err != nil {
			t.Errorf("unlock %q: %v", n, err)
		}
		s.wantHeld(t, db, tbl, false)
	}
}

func (s *suite) testTableExists(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	for _, n := range HostileNames {
		tbl := dialect.Table{Name: n}
		if ok, err := dialect.TableExists(ctx(t), db, d, tbl); err != nil || ok {
			t.Errorf("before CREATE TABLE %q: TableExists = %v, %v; want false", n, ok, err)
		}
		exec(t, db, "CREATE TABLE "+tbl.Qualified(d)+" (a INTEGER)")
		if ok, err := dialect.TableExists(ctx(t), db, d, tbl); err != nil || !ok {
			t.Errorf("after CREATE TABLE %q: TableExists = %v, %v; want true", n, ok, err)
		}
	}
	// The expressions share one query, as a guard asks them.
	tbl := dialect.Table{Name: HostileNames[0]}
	list := d.TableExistsSQL(tbl) + ", " + d.TableExistsSQL(dialect.Table{Name: "absent_table"})
	if expr, ok := d.LockHeldSQL(tbl); ok {
		list = expr + ", " + list
	}
	rows, err := db.QueryContext(ctx(t), "SELECT "+list)
	if err != nil {
		t.Fatalf("SELECT %s: %v", list, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() || rows.Scan(ptrs...) != nil {
		t.Fatalf("SELECT %s: no row (%v)", list, rows.Err())
	}
	n := len(vals)
	var present, absent bool
	if err := convert(vals[n-2], &present); err != nil || !present {
		t.Errorf("TableExistsSQL(%q) in a shared query = %v (%v), want true", tbl.Name, vals[n-2], err)
	}
	if err := convert(vals[n-1], &absent); err != nil || absent {
		t.Errorf("TableExistsSQL(absent_table) in a shared query = %v (%v), want false", vals[n-1], err)
	}
	if n == 3 && vals[0].Valid {
		t.Errorf("LockHeldSQL in a shared query names holder %q of a lock nobody holds", vals[0].String)
	}
}

// convert reads an engine's boolean as text: t/f, true/false or 1/0.
func convert(v sql.NullString, b *bool) error {
	switch v.String {
	case "t", "true", "1":
		*b = true
	case "f", "false", "0":
		*b = false
	default:
		return fmt.Errorf("%q is not a boolean", v.String)
	}
	return nil
}
