package migratebench

import (
	"context"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// numMigrations is how many trivial migrations BenchmarkUp500 applies.
const numMigrations = 500

var (
	genOnce sync.Once
	genDir  string
	genErr  error
)

// migrations returns a directory of numMigrations pair files, generated once
// per test binary.
func migrations(tb testing.TB) string {
	tb.Helper()
	genOnce.Do(func() {
		genDir, genErr = os.MkdirTemp("", "strata-bench-migrate-")
		if genErr == nil {
			genErr = Generate(genDir, numMigrations)
		}
	})
	if genErr != nil {
		tb.Fatal(genErr)
	}
	return genDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if genDir != "" {
		os.RemoveAll(genDir)
	}
	os.Exit(code)
}

// scoped runs the cleanups registered through it when done is called,
// rather than when the benchmark ends, so that a benchmark that creates a
// database per iteration drops each one before the next (500 tables times
// b.N databases would otherwise pile up on the server).
type scoped struct {
	testing.TB
	fns []func()
}

func (s *scoped) Cleanup(fn func()) { s.fns = append(s.fns, fn) }

func (s *scoped) done() {
	for i := len(s.fns) - 1; i >= 0; i-- {
		s.fns[i]()
	}
	s.fns = nil
}

// apply opens dbURL, loads dir and applies every migration, as `strata up`
// does without the process start: connect, parse, run.
func apply(ctx context.Context, tb testing.TB, dbURL, dir string, single bool) *migrate.Result {
	tb.Helper()
	target, err := connect.Open(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer target.Close()
	p, err := migrate.NewProvider(target.DB, os.DirFS(dir), migrate.WithDialect(target.Dialect))
	if err != nil {
		tb.Fatal(err)
	}
	res, err := p.Run(ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: single})
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Done) != numMigrations {
		tb.Fatalf("applied %d migrations, want %d", len(res.Done), numMigrations)
	}
	return res
}

// BenchmarkUp500 applies 500 trivial migrations (CREATE TABLE t_N) to a
// fresh PostgreSQL database per iteration, in the default mode (one
// transaction per migration with its history row) and with
// SingleTransaction. The time covers connecting, parsing the directory and
// the run; creating and dropping the database are not timed.
//
//	go test ./bench/migrate -run '^$' -bench Up500 -benchtime 5x -count 3
func BenchmarkUp500(b *testing.B) {
	dir := migrations(b)
	for _, mode := range []struct {
		name   string
		single bool
	}{{"default", false}, {"single-transaction", true}} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := &scoped{TB: b}
				dbURL := testenv.Postgres(s)
				b.StartTimer()
				t0 := time.Now()
				apply(ctx, b, dbURL, dir, mode.single)
				total += time.Since(t0)
				b.StopTimer()
				s.done()
				b.StartTimer()
			}
			b.ReportMetric(float64(numMigrations*b.N)/total.Seconds(), "migrations/s")
		})
	}
}

// TestWireUp500 applies the 500 migrations through a counting proxy and
// logs the round trips and statements of each mode, and how long the client
// waited for the server on each kind of statement. It checks that the
// default mode needs no more than 4 round trips per migration (BEGIN, the
// statement, the history insert, COMMIT) and that the single-transaction
// mode sends the statements of its 500 migrations together: 40 round trips
// in all, against 502 for psql -1 -f.
//
//	go test ./bench/migrate -run WireUp500 -v
func TestWireUp500(t *testing.T) {
	if testing.Short() {
		t.Skip("applies 1000 migrations")
	}
	dir := migrations(t)
	for _, mode := range []struct {
		name   string
		single bool
		max    int
	}{{"default", false, 4*numMigrations + 30}, {"single-transaction", true, 40}} {
		t.Run(mode.name, func(t *testing.T) {
			u, err := url.Parse(testenv.Postgres(t))
			if err != nil {
				t.Fatal(err)
			}
			w, err := NewWireCounter(u.Host)
			if err != nil {
				t.Fatal(err)
			}
			u.Host = w.Addr()
			t0 := time.Now()
			apply(context.Background(), t, u.String(), dir, mode.single)
			elapsed := time.Since(t0)
			w.Close()
			st := w.Stats()
			t.Logf("%d migrations in %s through the proxy\n%s", numMigrations, elapsed.Round(time.Millisecond), st)
			if st.RoundTrips > mode.max {
				t.Errorf("%d round trips for %d migrations, want at most %d", st.RoundTrips, numMigrations, mode.max)
			}
		})
	}
}
