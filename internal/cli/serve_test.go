package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testenv"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeReportsTheAppliedVersion(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run("on "+engine, func(t *testing.T) {
			t.Parallel()
			db := testenv.SQLite(t)
			if engine == "postgres" {
				db = testenv.Postgres(t)
			}
			dir := filepath.Join(t.TempDir(), "migrations")
			_ = os.MkdirAll(dir, 0o755)
			_ = os.WriteFile(filepath.Join(dir, "0001_a.sql"), []byte("CREATE TABLE a (id int);\n"), 0o644)
			_ = os.WriteFile(filepath.Join(dir, "0002_b.sql"), []byte("CREATE TABLE b (id int);\n"), 0o644)
			_ = os.WriteFile(filepath.Join(dir, "0003_c.sql"), []byte("CREATE TABLE c (id int);\n"), 0o644)
			if code, out, errs := runWithObserveFlags(context.Background(), []string{"--database", db, "--dir", dir, "up", "2"}, nil); code != 0 {
				t.Fatalf("up: %d\n%s%s", code, out, errs)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stderr syncBuffer
			app := &App{Stdout: io.Discard, Stderr: &stderr, Stdin: strings.NewReader(""), Getenv: func(k string) string {
				return map[string]string{"STRATA_SERVE_TOKEN": "tok"}[k]
			}}
			root := NewRoot(app)
			root.SetArgs([]string{"--database", db, "--dir", dir, "serve", "--addr", "127.0.0.1:0", "--interval", "50ms"})
			done := make(chan error, 1)
			go func() { done <- root.ExecuteContext(ctx) }()

			var url string
			deadline := time.Now().Add(10 * time.Second)
			for url == "" {
				if m := regexp.MustCompile(`on (http://[0-9.:]+)/`).FindStringSubmatch(stderr.String()); m != nil {
					url = m[1]
				}
				if time.Now().After(deadline) {
					t.Fatalf("serve did not start:\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			var st struct {
				Version string `json:"version"`
				Targets []struct {
					Version string `json:"version"`
					Pending int    `json:"pending"`
				} `json:"targets"`
			}
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url+"/api/status", nil)
				req.Header.Set("Authorization", "Bearer tok")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = json.NewDecoder(resp.Body).Decode(&st)
				resp.Body.Close()
				if st.Version != "0" && st.Version != "" {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if st.Version != "2" || len(st.Targets) != 1 || st.Targets[0].Pending != 1 {
				t.Errorf("/api/status = %+v, want version 2 with 1 pending", st)
			}
			resp, err := http.Get(url + "/api/status")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("without the token: %d, want 401", resp.StatusCode)
			}
			resp, err = http.Get(url + "/metrics?token=tok")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), "strata_active_migrations 0") {
				t.Errorf("/metrics:\n%s", b)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve ended with %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not stop when its context ended")
			}
		})
	}
}

// TestServeShowsTheLatestResultOfEachCheck: the page lists every check
// stored, each with its latest result (not only the checks of the last
// report stored).
func TestServeShowsTheLatestResultOfEachCheck(t *testing.T) {
	t.Parallel()
	dsn := testenv.Postgres(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	c := checkReports{db: db, d: postgres.Dialect{}}
	if got, err := c.LastChecks(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no reports yet: %v, %v", got, err)
	}
	for _, rep := range []*check.Report{
		{Version: "2", Name: "a", Phase: "post", Results: []check.Result{{Name: "old", Passed: true}}, At: time.Now().Add(-time.Hour)},
		{Version: "3", Name: "b", Phase: "post", Results: []check.Result{{Name: "no_orphans", Passed: true}}, At: time.Now().Add(-time.Minute)},
		{Version: "3", Name: "b", Phase: "post", Results: []check.Result{{Name: "no_orphans", Passed: false, Detail: "12 orders without a customer"}}, At: time.Now()},
	} {
		if err := check.Store(ctx, db, postgres.Dialect{}, rep); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.LastChecks(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("LastChecks = %+v, %v; want 2 checks", got, err)
	}
	if got[0].Version != "2" || got[0].Name != "old" || !got[0].OK {
		t.Errorf("first check = %+v, want 2's old, ok", got[0])
	}
	if got[1].Version != "3" || got[1].Name != "no_orphans" || got[1].OK || got[1].Message != "12 orders without a customer" {
		t.Errorf("second check = %+v, want 3's no_orphans, failed", got[1])
	}
}

// TestServeShowsTheFailureStrataCheckFound: after up stored a passing
// post-check, `strata check` finds the data broken; the page must show the
// failure. (Regression: strata check did not store its result, and the
// page kept showing the stored "ok".)
func TestServeShowsTheFailureStrataCheckFound(t *testing.T) {
	t.Parallel()
	url := testenv.SQLite(t)
	dir := filepath.Join(t.TempDir(), "migrations")
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, "0001_a.sql"), []byte("CREATE TABLE a (id INTEGER PRIMARY KEY, n INTEGER);\nINSERT INTO a VALUES (1, 1);\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "0001_a.checks.yaml"), []byte("post:\n  - not_null: {table: a, columns: [n]}\n"), 0o644)
	ctx := context.Background()
	if code, out, errs := runWithObserveFlags(ctx, []string{"--database", url, "--dir", dir, "up"}, nil); code != 0 {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := checkReports{db: db, d: sqlite.Dialect{}}
	got, err := c.LastChecks(ctx)
	if err != nil || len(got) != 1 || !got[0].OK {
		t.Fatalf("after up: LastChecks = %+v, %v; want one passing check", got, err)
	}
	if _, err := db.Exec("UPDATE a SET n = NULL"); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runWithObserveFlags(ctx, []string{"--database", url, "--dir", dir, "check"}, nil); code != ExitFailed {
		t.Fatalf("check: exit %d, want 1\n%s%s", code, out, errs)
	}
	got, err = c.LastChecks(ctx)
	if err != nil || len(got) != 1 || got[0].OK || got[0].Version != "1" {
		t.Errorf("after strata check: LastChecks = %+v, %v; want the failure", got, err)
	}
}
