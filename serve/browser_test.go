package serve_test

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/serve"
	"github.com/strata-db/strata/serve/guard"
)

// chromium finds a headless browser: Debian's chromium package, or
// $STRATA_TEST_CHROMIUM. Without one the test skips, or fails under CI=true.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	cands := []string{os.Getenv("STRATA_TEST_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := "no headless Chromium (apt-get install chromium, or set STRATA_TEST_CHROMIUM)"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal(msg)
	}
	t.Skip(msg + "; skipped because CI is not true")
	return ""
}

// dumpDOM loads url in headless Chromium, lets its scripts run for budget
// of virtual time, and returns the page's DOM.
func dumpDOM(t *testing.T, bin, url string, budget time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "--virtual-time-budget="+strconv.Itoa(int(budget/time.Millisecond)), url)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return string(out)
}

func listen(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// growingSource is a running backfill that gains 10,000 rows each time it
// is read.
type growingSource struct {
	fakeSource
	rows atomic.Int64
}

func (g *growingSource) Status(ctx context.Context) ([]migrate.MigrationStatus, error) {
	g.set(g.rows.Add(10_000))
	return g.fakeSource.Status(ctx)
}

var rowsAttr = regexp.MustCompile(`class="progress-text" data-table="users" data-rows="(\d+)" data-first-rows="(\d+)"`)

func TestThePageShowsABackfillMovingInChromium(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	src := &growingSource{}
	s := serve.New([]serve.Target{{Name: "app", Source: src}}, serve.Options{Token: "tok"})
	h := s.Handler()
	// Each request of the page polls first, so every refresh sees more rows.
	url := listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/status" {
			s.Poll(r.Context())
		}
		h.ServeHTTP(w, r)
	}))
	dom := dumpDOM(t, bin, url+"/?token=tok", 4500*time.Millisecond)
	m := rowsAttr.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no progress for users in the page:\n%s", dom)
	}
	last, first := atoi(m[1]), atoi(m[2])
	if last <= first {
		t.Errorf("progress did not move while the page was open: first %d rows, last %d", first, last)
	}
	if !strings.Contains(dom, "rows since this page opened") || !strings.Contains(dom, `role="progressbar"`) {
		t.Errorf("no moving progress bar:\n%s", dom)
	}
	if n := regexp.MustCompile(`data-samples="(\d+)"`).FindStringSubmatch(dom); n == nil || atoi(n[1]) < 2 {
		t.Errorf("throughput chart has too few samples: %v", n)
	}
	if !strings.Contains(dom, `ERROR: column "nope" does not exist`) {
		t.Errorf("the failed migration's error is not shown")
	}
}

func atoi(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

func TestThePageShowsARealDatabaseInChromium(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	dsn := testenv.Postgres(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	fsys := fstest.MapFS{"0001_create_users.sql": {Data: []byte("CREATE TABLE users (id bigint PRIMARY KEY, email text);\n")}}
	p, err := migrate.NewProvider(db, fsys, migrate.WithDialect(postgres.Dialect{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(ctx, migrate.Request{Direction: migrate.Up}); err != nil {
		t.Fatal(err)
	}
	// A backfill under way and a migration that failed, as the runner
	// records them.
	_, err = db.ExecContext(ctx, `INSERT INTO strata_schema_migrations (version, name, kind, checksum, state, started_at, error, progress) VALUES
		('2', 'fill_email', 'online', 'x', 'running', now(), '', '{"format":1,"version":"2","phase":"start","step":1,"ops":[],"backfills":[{"key":"columns:users","table":"users","rows":1234567,"total":5000000,"batch":1000}]}'),
		('3', 'add_index', 'sql', 'y', 'failed', now(), 'ERROR: could not create unique index "users_email" (SQLSTATE 23505)', '')`)
	if err != nil {
		t.Fatal(err)
	}
	s := serve.New([]serve.Target{{Name: "app", Database: "127.0.0.1:5432/test", Source: p, Probe: guard.NewProbe(db, guard.Options{})}}, serve.Options{Interval: 100 * time.Millisecond})
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.Run(sctx)
	url := listen(t, s.Handler())
	dom := dumpDOM(t, bin, url+"/", 2*time.Second)
	for _, want := range []string{
		`data-rows="1234567"`, `data-total="5000000"`, "1,234,567 / 5,000,000 rows (24.6%)",
		`could not create unique index "users_email"`,
		`<strong class="version">1</strong>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(dom)
	}
}

// durationsSource is a history whose migrations took 255 ms, 2.3 s and
// 90 s.
type durationsSource struct{}

func (durationsSource) Status(context.Context) ([]migrate.MigrationStatus, error) {
	at := time.Now().Add(-time.Hour)
	return []migrate.MigrationStatus{
		{Version: "1", Name: "quick", Kind: migrate.KindSQL, State: migrate.StateApplied, AppliedAt: at, DurationMS: 255},
		{Version: "2", Name: "medium", Kind: migrate.KindSQL, State: migrate.StateApplied, AppliedAt: at, DurationMS: 2300},
		{Version: "3", Name: "slow", Kind: migrate.KindSQL, State: migrate.StateApplied, AppliedAt: at, DurationMS: 90_000},
	}, nil
}

// TestThePageShowsMillisecondsBelowASecond: a migration that took 255 ms
// reads "255ms", not "0s". (Regression: every duration under half a second
// was shown as 0s.)
func TestThePageShowsMillisecondsBelowASecond(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	s := serve.New([]serve.Target{{Name: "app", Source: durationsSource{}}}, serve.Options{})
	s.Poll(context.Background())
	url := listen(t, s.Handler())
	dom := dumpDOM(t, bin, url+"/", 2*time.Second)
	for _, want := range []string{"<td>255ms</td>", "<td>2.3s</td>", "<td>1m30s</td>"} {
		if !strings.Contains(dom, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(dom, "<td>0s</td>") {
		t.Error("page shows 0s")
	}
	if t.Failed() {
		t.Log(dom)
	}
}
