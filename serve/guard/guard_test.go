package guard_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/serve/guard"
)

var history = dialect.Table{Name: dialect.DefaultTable}

func exec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func createHistory(t *testing.T, e testenv.Engine) {
	t.Helper()
	for _, q := range e.Dialect.HistoryDDL(history) {
		exec(t, e.DB, q)
	}
}

// record writes a history row with every column strata writes, as strata
// writes them: MariaDB's strict sql_mode (the packaged default) refuses a
// TEXT column left out.
func record(t *testing.T, e testenv.Engine, version, state string) {
	t.Helper()
	ph := make([]string, 9)
	for i := range ph {
		ph[i] = e.Dialect.Placeholder(i + 1)
	}
	exec(t, e.DB, "INSERT INTO "+history.Qualified(e.Dialect)+" (version, name, kind, checksum, state, started_at, error, progress, source) VALUES ("+strings.Join(ph, ", ")+")",
		version, "m"+version, "sql", "x", state, time.Now().UTC(), "", "", "")
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

func status(h http.Handler, method string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/orders", nil))
	return rec.Code, rec.Header().Get("Retry-After")
}

func eventually(t *testing.T, h http.Handler, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, retry := status(h, http.MethodPost)
		if got == want {
			if want == http.StatusServiceUnavailable && retry != "7" {
				t.Errorf("Retry-After = %q, want 7", retry)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %d, want %d", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lock takes strata's runner lock on history table tbl, as a runner does.
func lock(t *testing.T, e testenv.Engine, tbl dialect.Table) dialect.Lock {
	t.Helper()
	l, err := e.Dialect.Lock(context.Background(), e.DB, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Unlock(context.Background()) })
	return l
}

func TestGuardAnswers503WhileTheRunnerLockIsHeld(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		probe := guard.NewProbe(e.DB, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second})
		h := probe.Middleware(ok)
		eventually(t, h, http.StatusOK)

		l := lock(t, e, history)
		eventually(t, h, http.StatusServiceUnavailable)
		if s := probe.Check(context.Background()); !s.Locked || s.Holder == "" || s.Err != nil {
			t.Errorf("while locked: %+v, want Locked with the holder named", s)
		}
		if err := l.Unlock(context.Background()); err != nil {
			t.Fatal(err)
		}
		eventually(t, h, http.StatusOK)

		// Another history table's lock is another project's runner.
		lock(t, e, dialect.Table{Name: "other_history"})
		time.Sleep(50 * time.Millisecond)
		if got, _ := status(h, http.MethodPost); got != http.StatusOK {
			t.Errorf("another table's lock: status %d, want 200", got)
		}
	})
}

func TestGuardAnswers503WhileAMigrationIsRecordedRunning(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		h := guard.Middleware(e.DB, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second})(ok)
		eventually(t, h, http.StatusOK)
		createHistory(t, e)
		record(t, e, "5", "running")
		eventually(t, h, http.StatusServiceUnavailable)
		exec(t, e.DB, "UPDATE "+history.Qualified(e.Dialect)+" SET state = 'applied'")
		eventually(t, h, http.StatusOK)
	})
}

func TestGuardLetsReadOnlyRequestsThrough(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		createHistory(t, e)
		record(t, e, "5", "running")
		h := guard.Middleware(e.DB, guard.Options{AllowReadOnly: true, RetryAfter: 7 * time.Second})(ok)
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
			if got, _ := status(h, m); got != http.StatusOK {
				t.Errorf("%s: %d, want 200", m, got)
			}
		}
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			if got, _ := status(h, m); got != http.StatusServiceUnavailable {
				t.Errorf("%s: %d, want 503", m, got)
			}
		}
	})
}

func TestGuardDuringARealMigration(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		slow := migrate.GoMigration{Version: 1, Name: "slow", Up: func(ctx context.Context, tx *sql.Tx) error {
			time.Sleep(1500 * time.Millisecond)
			_, err := tx.ExecContext(ctx, "CREATE TABLE t (id int)")
			return err
		}}
		p, err := migrate.NewProvider(e.DB, fstest.MapFS{}, migrate.WithDialect(e.Dialect), migrate.WithGoMigrations(slow))
		if err != nil {
			t.Fatal(err)
		}
		// The application has a connection pool of its own.
		app := testenv.Open(t, e.Name, e.URL)
		h := guard.NewProbe(app.DB, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second}).Middleware(ok)
		done := make(chan error, 1)
		go func() {
			_, err := p.Run(context.Background(), migrate.Request{Direction: migrate.Up})
			done <- err
		}()
		eventually(t, h, http.StatusServiceUnavailable)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		eventually(t, h, http.StatusOK)
	})
}

// TestGuardSendsOneQueryPerCacheInterval: one query per interval where the
// engine asks for its lock in SQL, one more where it reads it on its own
// (SQLite's lease).
func TestGuardSendsOneQueryPerCacheInterval(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		perCheck := int64(1)
		if _, inSQL := e.Dialect.LockHeldSQL(history); !inSQL {
			perCheck = 2
		}
		createHistory(t, e)
		probe := guard.NewProbe(e.DB, guard.Options{CacheFor: 200 * time.Millisecond})
		h := probe.Middleware(ok)
		status(h, http.MethodPost) // first check: finds the table
		base := probe.Queries()
		// 1,000 requests a second for two seconds, from 20 clients.
		start := time.Now()
		var wg sync.WaitGroup
		for c := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 100 {
					time.Sleep(time.Until(start.Add(time.Duration(i*20+c) * time.Millisecond)))
					if got, _ := status(h, http.MethodPost); got != http.StatusOK {
						t.Errorf("status %d", got)
						return
					}
				}
			}()
		}
		wg.Wait()
		el := time.Since(start)
		max := (int64(el/(200*time.Millisecond)) + 1) * perCheck
		if q := probe.Queries() - base; q > max {
			t.Errorf("%d queries in %s of 1,000 requests/s, want at most %d (%d per 200ms)", q, el.Round(time.Millisecond), max, perCheck)
		}
	})
}

func TestReady(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		if err := guard.Ready(ctx, e.DB, "1"); !errors.Is(err, guard.ErrSchemaTooOld) {
			t.Fatalf("no history table: %v, want ErrSchemaTooOld", err)
		}
		createHistory(t, e)
		record(t, e, "3", "applied")
		record(t, e, "20", "applied")
		record(t, e, "R__views", "applied")
		record(t, e, "25", "failed")
		for _, c := range []struct {
			min string
			ok  bool
		}{{"3", true}, {"0020", true}, {"19", true}, {"21", false}, {"25", false}} {
			err := guard.Ready(ctx, e.DB, c.min)
			if c.ok != (err == nil) || (err != nil && !errors.Is(err, guard.ErrSchemaTooOld)) {
				t.Errorf("Ready(%s) = %v", c.min, err)
			}
		}
		if err := guard.Ready(ctx, e.DB, "x-1"); err == nil || errors.Is(err, guard.ErrSchemaTooOld) {
			t.Errorf("a bad version: %v", err)
		}
	})
}

func TestGuardFailsOpenUnlessToldOtherwise(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seen error
	h := guard.Middleware(db, guard.Options{Engine: "postgres", OnError: func(err error) { seen = err }})(ok)
	if got, _ := status(h, http.MethodPost); got != http.StatusOK || seen == nil {
		t.Errorf("fail open: %d (error %v)", got, seen)
	}
	h = guard.Middleware(db, guard.Options{Engine: "postgres", FailClosed: true})(ok)
	if got, _ := status(h, http.MethodPost); got != http.StatusServiceUnavailable {
		t.Errorf("fail closed: %d", got)
	}
}

// BenchmarkGuard measures the guard's cost per request on a real
// PostgreSQL database and reports the queries it sent per cache interval.
func BenchmarkGuard(b *testing.B) {
	dsn := testenv.Postgres(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const interval = 100 * time.Millisecond
	probe := guard.NewProbe(db, guard.Options{CacheFor: interval})
	h := probe.Middleware(ok)
	status(h, http.MethodPost)
	base := probe.Queries()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
		}
	})
	el := time.Since(start)
	b.StopTimer()
	q := float64(probe.Queries() - base)
	b.ReportMetric(q/(float64(el)/float64(interval)), "queries/interval")
	b.ReportMetric(float64(b.N)/el.Seconds(), "req/s")
}
