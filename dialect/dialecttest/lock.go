package dialecttest

import (
	"errors"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

func (s *suite) testLock(t *testing.T) {
	t.Run("a second runner waits, times out and names the wait", s.testLockContention)
	t.Run("a lost lock is noticed and can be taken again", s.testLockLost)
	t.Run("a second unlock is harmless", s.testUnlockTwice)
}

func (s *suite) testLockContention(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	first, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	start := time.Now()
	second, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{Wait: 300 * time.Millisecond})
	if err == nil {
		_ = second.Unlock(ctx(t))
		t.Fatal("a second runner took a lock that was held")
	}
	if !errors.Is(err, dialect.ErrLockTimeout) {
		t.Fatalf("second lock: %v, want an error wrapping ErrLockTimeout", err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("second lock gave up after %s, before its 300ms wait", waited)
	}

	other, err := d.Lock(ctx(t), db, dialect.Table{Name: "another_history"}, dialect.LockOptions{})
	if err != nil {
		t.Errorf("the lock of another history table is independent, got %v", err)
	} else if err := other.Unlock(ctx(t)); err != nil {
		t.Errorf("unlock the other table's lock: %v", err)
	}

	if err := first.Unlock(ctx(t)); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	third, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{Wait: 2 * time.Second})
	if err != nil {
		t.Fatalf("lock after the holder unlocked: %v", err)
	}
	if err := third.Held(ctx(t)); err != nil {
		t.Errorf("Held on a fresh lock: %v", err)
	}
	if err := third.Unlock(ctx(t)); err != nil {
		t.Errorf("unlock: %v", err)
	}
}

func (s *suite) testLockLost(t *testing.T) {
	if s.c.LoseLock == nil {
		t.Fatal("dialecttest: Config needs KillSessions or LoseLock")
	}
	d, db := s.c.Dialect, s.c.Open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	if err := s.c.LoseLock(ctx(t), db, tbl); err != nil {
		t.Fatalf("lose the lock: %v", err)
	}
	var held error
	if !eventually(10*time.Second, func() bool { held = l.Held(ctx(t)); return held != nil }) {
		t.Fatal("Held still says the lock is held 10s after it was lost")
	}
	if !errors.Is(held, dialect.ErrLockLost) {
		t.Errorf("Held = %v, want an error wrapping ErrLockLost", held)
	}
	select {
	case <-l.Lost():
	case <-time.After(20 * time.Second):
		t.Error("Lost() was not closed 20s after the lock was lost")
	}
	_ = l.Unlock(ctx(t)) // may fail: the session is gone; it must return

	again, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{Wait: 5 * time.Second})
	if err != nil {
		t.Fatalf("take the lock again after it was lost: %v", err)
	}
	if err := again.Unlock(ctx(t)); err != nil {
		t.Errorf("unlock: %v", err)
	}
}

func (s *suite) testUnlockTwice(t *testing.T) {
	d, db := s.c.Dialect, s.c.Open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	if err := l.Unlock(ctx(t)); err != nil {
		t.Fatalf("first unlock: %v", err)
	}
	if err := l.Unlock(ctx(t)); err != nil {
		t.Errorf("second unlock: %v, want nil", err)
	}
	again, err := d.Lock(ctx(t), db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatalf("lock after two unlocks: %v", err)
	}
	if err := again.Unlock(ctx(t)); err != nil {
		t.Errorf("unlock: %v", err)
	}
}
