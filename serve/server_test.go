package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/serve"
)

// fakeSource is a StatusSource whose answer the test changes.
type fakeSource struct {
	mu  sync.Mutex
	sts []migrate.MigrationStatus
	err error
}

func (f *fakeSource) Status(context.Context) ([]migrate.MigrationStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]migrate.MigrationStatus(nil), f.sts...), f.err
}

func (f *fakeSource) set(rows int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sts = []migrate.MigrationStatus{
		{Version: "1", Name: "create_users", Kind: migrate.KindSQL, State: migrate.StateApplied, AppliedAt: time.Now().Add(-time.Hour), DurationMS: 12},
		{Version: "2", Name: "add_email", Kind: migrate.KindSQL, State: migrate.StateApplied, AppliedAt: time.Now().Add(-time.Minute), DurationMS: 40},
		{Version: "3", Name: "fill_email", Kind: migrate.KindOnline, State: migrate.StateRunning, AppliedAt: time.Now(),
			Progress: json.RawMessage(`{"format":1,"version":"3","phase":"start","step":2,"ops":[],"backfills":[{"key":"columns:users","table":"users","done":false,"rows":` +
				itoa(rows) + `,"total":5000000,"batch":1000}]}`)},
		{Version: "4", Name: "broken", Kind: migrate.KindSQL, State: migrate.StateFailed, Error: `ERROR: column "nope" does not exist (SQLSTATE 42703)`},
		{Version: "5", Name: "later", Kind: migrate.KindSQL, State: migrate.StatePending},
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func get(t *testing.T, h http.Handler, path string, header ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestStatusReportsVersionProgressAndErrors(t *testing.T) {
	t.Parallel()
	src := &fakeSource{}
	src.set(1_000_000)
	s := serve.New([]serve.Target{{Name: "app", Database: "127.0.0.1:5432/app", Source: src}}, serve.Options{})
	s.Poll(context.Background())
	time.Sleep(20 * time.Millisecond)
	src.set(1_200_000)
	s.Poll(context.Background())
	code, body := get(t, s.Handler(), "/api/status")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var st serve.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != "2" || st.Targets[0].Version != "2" {
		t.Errorf("version = %q / %q, want 2 (the highest applied)", st.Version, st.Targets[0].Version)
	}
	tg := st.Targets[0]
	if tg.Pending != 1 || len(tg.Active) != 2 {
		t.Fatalf("pending %d, active %+v", tg.Pending, tg.Active)
	}
	run := tg.Active[0]
	if run.State != "running" || len(run.Backfills) != 1 {
		t.Fatalf("running = %+v", run)
	}
	b := run.Backfills[0]
	if b.Table != "users" || b.Rows != 1_200_000 || b.Total != 5_000_000 || b.Percent != 24 || b.RowsPerSecond <= 0 || b.ETASeconds <= 0 {
		t.Errorf("backfill = %+v", b)
	}
	if tg.Active[1].State != "failed" || !strings.Contains(tg.Active[1].Error, `column "nope"`) {
		t.Errorf("failed = %+v", tg.Active[1])
	}
	if len(tg.History) != 4 || tg.History[0].Version != "4" {
		t.Errorf("history = %+v, want 4 entries, newest first", tg.History)
	}
	if len(tg.Throughput) != 2 {
		t.Errorf("throughput samples = %d, want 2", len(tg.Throughput))
	}
}

func TestMetricsAreAlwaysExported(t *testing.T) {
	t.Parallel()
	s := serve.New(nil, serve.Options{})
	_, body := get(t, s.Handler(), "/metrics")
	if !strings.Contains(body, "\nstrata_active_migrations 0\n") {
		t.Errorf("no strata_active_migrations 0 before any poll:\n%s", body)
	}
	src := &fakeSource{}
	src.set(42)
	s = serve.New([]serve.Target{{Name: "app", Source: src}}, serve.Options{})
	s.Poll(context.Background())
	_, body = get(t, s.Handler(), "/metrics")
	for _, want := range []string{
		"\nstrata_active_migrations 1\n",
		`strata_rows_migrated_total{migration="3_fill_email",table="users"} 42`,
		`strata_backfill_rows_estimated{migration="3_fill_email",table="users"} 5e+06`,
		`strata_schema_version{target="app"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
}

func TestTheTokenGuardsTheData(t *testing.T) {
	t.Parallel()
	s := serve.New(nil, serve.Options{Token: "s3cret"})
	h := s.Handler()
	for _, p := range []string{"/api/status", "/metrics"} {
		if code, _ := get(t, h, p); code != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", p, code)
		}
		if code, _ := get(t, h, p, "Authorization", "Bearer wrong"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d, want 401", p, code)
		}
		if code, _ := get(t, h, p, "Authorization", "Bearer s3cret"); code != http.StatusOK {
			t.Errorf("%s with the token: %d, want 200", p, code)
		}
	}
	if code, _ := get(t, h, "/api/status?token=s3cret"); code != http.StatusOK {
		t.Errorf("/api/status?token=: %d", code)
	}
	for _, p := range []string{"/", "/static/app.js"} {
		if code, _ := get(t, h, p); code != http.StatusOK {
			t.Errorf("%s (no data) without a token: %d, want 200", p, code)
		}
	}
	if code, _ := get(t, h, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
}

func TestTheServerIsReadOnly(t *testing.T) {
	t.Parallel()
	h := serve.New(nil, serve.Options{}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/status", strings.NewReader("{}")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", rec.Code)
	}
}

func TestThePageIsEmbedded(t *testing.T) {
	t.Parallel()
	h := serve.New(nil, serve.Options{}).Handler()
	for path, want := range map[string]string{"/": "<title>strata status</title>", "/static/app.js": "api/status", "/static/style.css": ".bar"} {
		code, body := get(t, h, path)
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, lacks %q", path, code, want)
		}
	}
}

func TestAStatusErrorIsShownNotFatal(t *testing.T) {
	t.Parallel()
	src := &fakeSource{err: errors.New("connection refused")}
	s := serve.New([]serve.Target{{Name: "app", Source: src}}, serve.Options{})
	s.Poll(context.Background())
	st := s.Status()
	if st.Targets[0].Error != "connection refused" || st.Version != "0" {
		t.Errorf("status = %+v", st)
	}
}

func TestServeStopsWithItsContext(t *testing.T) {
	t.Parallel()
	src := &fakeSource{}
	src.set(1)
	s := serve.New([]serve.Target{{Name: "app", Source: src}}, serve.Options{Interval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServe(ctx, "127.0.0.1:0") }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not stop")
	}
}

type fixedChecks struct{ calls *int }

func (f fixedChecks) LastChecks(context.Context) ([]serve.Check, error) {
	*f.calls++
	return []serve.Check{{Version: "3", Phase: "post", Name: "no_orphans", OK: false, Message: "12 orders without a customer"}}, nil
}

func TestStatusShowsTheLastChecks(t *testing.T) {
	t.Parallel()
	src := &fakeSource{}
	src.set(1)
	calls := 0
	s := serve.New([]serve.Target{{Name: "app", Source: src, Checks: fixedChecks{&calls}}}, serve.Options{})
	s.Poll(context.Background())
	s.Poll(context.Background())
	st := s.Status()
	if len(st.Targets[0].Checks) != 1 || st.Targets[0].Checks[0].Name != "no_orphans" || st.Targets[0].Checks[0].OK {
		t.Errorf("checks = %+v", st.Targets[0].Checks)
	}
	if calls != 1 {
		t.Errorf("check results read %d times in two polls, want once per %s", calls, serve.ChecksEvery)
	}
}
