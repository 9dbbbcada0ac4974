package guard_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/serve/guard"
)

func openPG(t *testing.T) *sql.DB {
	t.Helper()
	dsn := testenv.Postgres(t)
	if dsn == "" {
		return nil
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func createHistory(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range (postgres.Dialect{}).HistoryDDL(dialect.Table{Name: dialect.DefaultTable}) {
		exec(t, db, q)
	}
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

func TestGuardAnswers503WhileTheRunnerLockIsHeld(t *testing.T) {
	t.Parallel()
	db := openPG(t)
	h := guard.Middleware(db, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second})(ok)
	eventually(t, h, http.StatusOK)

	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := postgres.LockKey(dialect.Table{Name: dialect.DefaultTable})
	exec(t, conn, "SELECT pg_advisory_lock($1)", key)
	eventually(t, h, http.StatusServiceUnavailable)
	exec(t, conn, "SELECT pg_advisory_unlock($1)", key)
	eventually(t, h, http.StatusOK)

	// Another history table's lock is another project's runner.
	other := postgres.LockKey(dialect.Table{Name: "other_history"})
	exec(t, conn, "SELECT pg_advisory_lock($1)", other)
	time.Sleep(50 * time.Millisecond)
	if got, _ := status(h, http.MethodPost); got != http.StatusOK {
		t.Errorf("another table's lock: status %d, want 200", got)
	}
	exec(t, conn, "SELECT pg_advisory_unlock($1)", other)
}

func TestGuardAnswers503WhileAMigrationIsRecordedRunning(t *testing.T) {
	t.Parallel()
	db := openPG(t)
	h := guard.Middleware(db, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second})(ok)
	eventually(t, h, http.StatusOK)
	createHistory(t, db)
	exec(t, db, "INSERT INTO strata_schema_migrations (version, name, kind, checksum, state, started_at) VALUES ('5', 'fill', 'online', 'x', 'running', now())")
	eventually(t, h, http.StatusServiceUnavailable)
	exec(t, db, "UPDATE strata_schema_migrations SET state = 'applied'")
	eventually(t, h, http.StatusOK)
}

func TestGuardLetsReadOnlyRequestsThrough(t *testing.T) {
	t.Parallel()
	db := openPG(t)
	createHistory(t, db)
	exec(t, db, "INSERT INTO strata_schema_migrations (version, name, kind, checksum, state, started_at) VALUES ('5', 'fill', 'online', 'x', 'running', now())")
	h := guard.Middleware(db, guard.Options{AllowReadOnly: true, RetryAfter: 7 * time.Second})(ok)
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
}

func TestGuardDuringARealMigration(t *testing.T) {
	t.Parallel()
	db := openPG(t)
	fsys := fstest.MapFS{"0001_slow.sql": {Data: []byte("-- strata:up\nSELECT pg_sleep(1.5);\nCREATE TABLE t (id int);\n-- strata:down\nDROP TABLE t;\n")}}
	p, err := migrate.NewProvider(db, fsys, migrate.WithDialect(postgres.Dialect{}))
	if err != nil {
		t.Fatal(err)
	}
	probe := guard.NewProbe(db, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second})
	h := probe.Middleware(ok)
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
}

func TestGuardSendsOneQueryPerCacheInterval(t *testing.T) {
	t.Parallel()
	db := openPG(t)
	createHistory(t, db)
	probe := guard.NewProbe(db, guard.Options{CacheFor: 200 * time.Millisecond})
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
	max := int64(el/(200*time.Millisecond)) + 1
	if q := probe.Queries() - base; q > max {
		t.Errorf("%d queries in %s of 1,000 requests/s, want at most %d (one per 200ms)", q, el.Round(time.Millisecond), max)
	}
}

func TestReady(t *testing.T) {
	t.Parallel()
	db := openPG(t)
	ctx := context.Background()
	if err := guard.Ready(ctx, db, "1"); !errors.Is(err, guard.ErrSchemaTooOld) {
		t.Fatalf("no history table: %v, want ErrSchemaTooOld", err)
	}
	createHistory(t, db)
	exec(t, db, `INSERT INTO strata_schema_migrations (version, name, kind, checksum, state, started_at) VALUES
		('3', 'a', 'sql', 'x', 'applied', now()), ('20', 'b', 'sql', 'x', 'applied', now()), ('R__views', 'views', 'sql', 'x', 'applied', now()),
		('25', 'c', 'sql', 'x', 'failed', now())`)
	for _, c := range []struct {
		min string
		ok  bool
	}{{"3", true}, {"0020", true}, {"19", true}, {"21", false}, {"25", false}} {
		err := guard.Ready(ctx, db, c.min)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, guard.ErrSchemaTooOld)) {
			t.Errorf("Ready(%s) = %v", c.min, err)
		}
	}
	if err := guard.Ready(ctx, db, "x-1"); err == nil || errors.Is(err, guard.ErrSchemaTooOld) {
		t.Errorf("a bad version: %v", err)
	}
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

func TestGuardOnMySQL(t *testing.T) {
	t.Parallel()
	dsn := testenv.MySQL(t)
	drv, err := testenv.MySQLDriverDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", drv)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := guard.Middleware(db, guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second})(ok)
	eventually(t, h, http.StatusOK)

	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var name string
	if err := conn.QueryRowContext(context.Background(), "SELECT DATABASE()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	lock := mysql.LockName(name, dialect.Table{Name: dialect.DefaultTable})
	exec(t, conn, "SELECT GET_LOCK(?, 0)", lock)
	eventually(t, h, http.StatusServiceUnavailable)
	exec(t, conn, "SELECT RELEASE_LOCK(?)", lock)
	eventually(t, h, http.StatusOK)

	for _, q := range (mysql.Dialect{}).HistoryDDL(dialect.Table{Name: dialect.DefaultTable}) {
		exec(t, db, q)
	}
	// Every column strata writes, as strata writes them: MariaDB's strict
	// sql_mode (the packaged default) refuses a TEXT column left out.
	exec(t, db, "INSERT INTO strata_schema_migrations (version, name, kind, checksum, state, started_at, error, progress, source) VALUES ('5', 'fill', 'sql', 'x', 'running', NOW(), '', '', '')")
	eventually(t, h, http.StatusServiceUnavailable)
	exec(t, db, "UPDATE strata_schema_migrations SET state = 'applied'")
	eventually(t, h, http.StatusOK)
	if err := guard.Ready(context.Background(), db, "5"); err != nil {
		t.Errorf("Ready(5) = %v", err)
	}
}
