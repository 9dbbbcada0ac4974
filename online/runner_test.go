package online

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// holdReader opens a transaction that has read users and keeps it open
// until the returned function is called.
func holdReader(t *testing.T, db *sql.DB) (pid int, release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, "BEGIN", "SELECT count(*) FROM users")
	var once sync.Once
	release = func() {
		once.Do(func() {
			mustExec(t, conn, "COMMIT")
			conn.Close()
		})
	}
	t.Cleanup(release)
	return pid, release
}

// writer updates random rows until stop is closed and reports the longest
// statement.
func writer(db *sql.DB, n int, stop <-chan struct{}, longest *atomic.Int64, errs *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		t0 := time.Now()
		_, err := db.Exec(`UPDATE users SET age = age WHERE id = $1`, 1+rand.IntN(n))
		if err != nil {
			errs.Add(1)
		}
		d := int64(time.Since(t0))
		for {
			cur := longest.Load()
			if d <= cur || longest.CompareAndSwap(cur, d) {
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLockTimeoutRetry(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 1000)
	r := newRunner(db)
	var retries atomic.Int64
	var lastMsg atomic.Value
	r.Progress = func(e Event) {
		if e.Kind == EventLockRetry {
			retries.Add(1)
			lastMsg.Store(e.Message)
		}
	}
	_, release := holdReader(t, db)
	stop := make(chan struct{})
	var longest, errs atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); writer(db, 1000, stop, &longest, &errs) }()
	time.AfterFunc(2*time.Second, release)

	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: c, type: int, nullable: true}, up: age + 1}
`)
	start(t, r, "1", m)
	close(stop)
	wg.Wait()
	if retries.Load() == 0 {
		t.Error("no lock retries reported while a reader held the table")
	}
	if msg, _ := lastMsg.Load().(string); !strings.Contains(msg, "blocked by pid") {
		t.Errorf("retry event does not name the blocker: %q", msg)
	}
	eq(t, "writer errors", errs.Load(), int64(0))
	// The writer queues behind at most one lock_timeout (200ms) at a time;
	// allow generous slack for a loaded machine.
	if l := time.Duration(longest.Load()); l > 4*r.LockTimeout+500*time.Millisecond {
		t.Errorf("longest writer statement %s, want at most about 2×lock_timeout (%s)", l, 2*r.LockTimeout)
	}
}

// TestLockWaitsGrow: a DDL statement that finds its table held first waits
// an eighth of LockTimeout, then twice as long at each retry up to
// LockTimeout, so the application's queries queue behind it briefly.
func TestLockWaitsGrow(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	r := newRunner(db) // LockTimeout 200ms
	var mu sync.Mutex
	var waits []time.Duration // time each try waited
	var last time.Duration
	r.Progress = func(e Event) {
		if e.Kind == EventLockRetry {
			mu.Lock()
			waits = append(waits, e.Elapsed-last)
			last = e.Elapsed
			mu.Unlock()
		}
	}
	_, release := holdReader(t, db)
	time.AfterFunc(3*time.Second, release)
	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: c, type: int, nullable: true}}
`)
	start(t, r, "1", m)
	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 4 {
		t.Fatalf("%d lock retries in 3 s, want at least 4", len(waits))
	}
	// Each interval holds a try's wait and the pause after the one before.
	if waits[0] >= r.LockTimeout/2 {
		t.Errorf("first try waited %s, want about LockTimeout/8 (%s)", waits[0], r.LockTimeout/8)
	}
	for i, want := range []time.Duration{25, 50, 100, 200, 200} {
		if got := r.attemptLockTimeout(i + 1); got != want*time.Millisecond {
			t.Errorf("lock timeout of try %d = %s, want %s", i+1, got, want*time.Millisecond)
		}
	}
}

func TestLockTimeoutGivesUp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	r := newRunner(db)
	r.MaxLockWait = time.Second
	pid, _ := holdReader(t, db)
	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: c, type: int, nullable: true}}
`)
	err := r.Start(context.Background(), "1", m, nil, nil)
	var lte *LockTimeoutError
	if !errors.As(err, &lte) {
		t.Fatalf("start = %v, want a *LockTimeoutError", err)
	}
	eq(t, "blocker pid", lte.BlockerPID, pid)
	if !strings.Contains(lte.BlockerQuery, "SELECT count(*) FROM users") || lte.Attempts < 2 {
		t.Errorf("error = %v", lte)
	}
	t.Log(err)
}

func TestNoKeyRefused(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustExec(t, db, `CREATE TABLE logs (msg text, n int)`, `INSERT INTO logs VALUES ('a', 1)`)
	m := parse(t, `
operations:
  - add_column: {table: logs, column: {name: c, type: int, nullable: true}, up: n * 2}
`)
	err := newRunner(db).Start(context.Background(), "1", m, nil, nil)
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("start = %v, want ErrNoKey", err)
	}
	// A unique index over NOT NULL columns is walked instead.
	mustExec(t, db, `ALTER TABLE logs ALTER COLUMN n SET NOT NULL`, `CREATE UNIQUE INDEX ON logs (n)`)
	db2 := db
	st := &memStore{}
	if err := newRunner(db2).Start(context.Background(), "2", parse(t, `
operations:
  - add_column: {table: logs, column: {name: d, type: int, nullable: true}, up: n * 2}
`), nil, st); err != nil {
		t.Fatal(err)
	}
	eq(t, "backfilled", one(t, db, `SELECT d FROM logs`), "2")
}

// TestConcurrentWriters runs a type change while old-shape writers update
// and insert rows, then new-shape writers too, and checks both columns agree
// on every row.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	const n = 30000
	usersFixture(t, db, n)
	mustExec(t, db, `UPDATE users SET age = 0 WHERE age IS NULL`)
	r := newRunner(db)
	r.BatchTime = 5 * time.Millisecond
	m := parse(t, `
operations:
  - alter_column: {table: users, column: age, type: bigint, up: age * 10, down: age / 10}
`)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var errs atomic.Int64
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if w == 0 && i%5 == 0 {
					_, err = db.Exec(`INSERT INTO users (name, age) VALUES ('w', $1)`, i%90)
				} else {
					_, err = db.Exec(`UPDATE users SET age = (age + 1) % 90 WHERE id = $1`, 1+rand.IntN(n))
				}
				if err != nil {
					errs.Add(1)
					t.Log(err)
				}
			}
		}()
	}
	st, _ := start(t, r, "1", m)
	// Now new-shape writers join.
	nc := newShape(t, db, "1")
	for i := range 200 {
		if _, err := nc.ExecContext(context.Background(), `UPDATE users SET age = $1 WHERE id = $2`, 10*(i%50), 1+rand.IntN(n)); err != nil {
			t.Fatal(err)
		}
	}
	var bad int
	if err := db.QueryRow(`SELECT count(*) FROM users WHERE _strata_new_age IS DISTINCT FROM age * 10`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("rows out of step while expanded: %d (%v)", bad, err)
	}
	// The old-shape writers keep going through the cut-over: no statement
	// may see a half-renamed column (pgroll's race at complete).
	complete(t, r, "1", m, st)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	eq(t, "writer errors", errs.Load(), int64(0))
	eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age bigint")
}

// TestResumeColumnBackfill cancels a column backfill mid-way and resumes it
// from the saved state.
func TestResumeColumnBackfill(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 20000)
	r := newRunner(db)
	r.BatchTime = 5 * time.Millisecond
	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: c, type: bigint, nullable: false}, up: id * 3}
  - create_index: {name: users_c, table: users, columns: [c]}
`)
	ctx, cancel := context.WithCancel(context.Background())
	r.Progress = func(e Event) {
		if e.Kind == EventBatch && e.Rows > 2000 {
			cancel()
		}
	}
	store := &memStore{}
	if err := r.Start(ctx, "1", m, nil, store); !errors.Is(err, context.Canceled) {
		t.Fatalf("start = %v, want canceled", err)
	}
	st := store.state(t)
	b := st.Backfills[0]
	if b.Done || len(b.Cursor) != 1 {
		t.Fatalf("saved backfill %+v", b)
	}
	done := b.Rows
	r.Progress = nil
	if err := r.Start(context.Background(), "1", m, st, store); err != nil {
		t.Fatal(err)
	}
	st = store.state(t)
	eq(t, "rows over both runs", st.Backfills[0].Rows, int64(20000))
	if done >= 20000 {
		t.Errorf("first run did everything")
	}
	eq(t, "wrong rows", one(t, db, `SELECT count(*) FROM users WHERE c IS DISTINCT FROM id * 3`), "0")
	complete(t, r, "1", m, st)
}

func TestPhaseErrors(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	r := newRunner(db)
	m := parse(t, `
operations:
  - add_check: {table: users, name: c, constraint: age >= 0}
`)
	if err := r.Complete(context.Background(), "1", m, nil, nil); !errors.Is(err, ErrPhase) {
		t.Errorf("complete before start = %v", err)
	}
	st, _ := start(t, r, "1", m)
	complete(t, r, "1", m, st)
	st.Phase = PhaseCompleted
	if err := r.Abort(context.Background(), "1", m, st, nil); !errors.Is(err, ErrPhase) {
		t.Errorf("abort after complete = %v", err)
	}
	other := parse(t, `
operations:
  - add_check: {table: users, name: c, constraint: age >= 0}
  - add_check: {table: users, name: d, constraint: age >= 0}
`)
	if err := r.Start(context.Background(), "1", other, st, nil); !errors.Is(err, ErrStateVersion) {
		t.Errorf("start with another file's state = %v", err)
	}
}

func TestThrottleOnActiveSessions(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 2000)
	r := newRunner(db)
	r.MaxActiveSessions = 1
	var throttled atomic.Int64
	r.Progress = func(e Event) {
		if e.Kind == EventThrottle {
			throttled.Add(1)
		}
	}
	// Two sessions busy for a while: over the limit of one.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); db.Exec(`SELECT pg_sleep(1.5)`) }()
	}
	time.Sleep(200 * time.Millisecond)
	t0 := time.Now()
	m := parse(t, `
operations:
  - add_column: {table: users, column: {name: c, type: int, nullable: true}, up: age}
`)
	start(t, r, "1", m)
	wg.Wait()
	if throttled.Load() == 0 {
		t.Error("no throttle event while two sessions were active")
	}
	if time.Since(t0) < time.Second {
		t.Errorf("backfill finished in %s, before the load went away", time.Since(t0))
	}
}

// TestCompleteResumes runs Complete again after its cut-over committed but
// before its non-blocking steps ran, as after a crash.
func TestCompleteResumes(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 100)
	mustExec(t, db, `CREATE INDEX users_age ON users (age)`)
	r := newRunner(db)
	m := parse(t, `
operations:
  - create_index: {name: users_age, table: users, columns: [age, id]}
  - add_column: {table: users, column: {name: c, type: int, nullable: false}, up: age + 1}
`)
	st, _ := start(t, r, "1", m)
	// Cut over only: fail the first after-step by cancelling once the
	// contract is saved.
	ctx, cancel := context.WithCancel(context.Background())
	store := StateStoreFunc(func(_ context.Context, s *State) error {
		if s.Step == stepContracted {
			cancel()
		}
		return nil
	})
	if err := r.Complete(ctx, "1", m, st, store); err == nil {
		t.Fatal("complete was not interrupted")
	}
	eq(t, "phase", st.Phase, PhaseCompleting)
	complete(t, r, "1", m, st)
	eq(t, "index", one(t, db, `SELECT pg_get_indexdef('users_age'::regclass)`), "CREATE INDEX users_age ON public.users USING btree (age, id)")
	eq(t, "columns", columns(t, db, "users"), "id bigint not null, name text not null, age integer, c integer not null")
}
