package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// TestReadinessFollowsTheSchema walks a pod of the example through a
// release: not ready before the init container ran, not ready on a schema
// one migration short, ready once it is current; and, while a later
// migration runs, still ready, serving reads and answering writes with 503.
func TestReadinessFollowsTheSchema(t *testing.T) {
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	o := guardOptions
	o.CacheFor = time.Nanosecond // the example caches for 2s; the test wants every answer fresh
	srv := httptest.NewServer(newHandler(tg.DB, o))
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, b.String()
	}
	post := func(email string) *http.Response {
		t.Helper()
		resp, err := http.PostForm(srv.URL+"/users", url.Values{"email": {email}, "name": {"Ada"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "no migration has run") {
		t.Fatalf("before any migration: /readyz = %d %q, want 503 naming the missing history", code, body)
	}
	p, err := migrate.NewProvider(tg.DB, os.DirFS("../../migrations"), migrate.WithDialect(tg.Dialect))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, migrate.MustVersion("20260101091000")); err != nil {
		t.Fatal(err)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "need "+SchemaVersion) {
		t.Fatalf("one migration short: /readyz = %d %q, want 503 naming %s", code, body, SchemaVersion)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	last := p.Migrations()[len(p.Migrations())-1]
	if string(last.Version) != SchemaVersion {
		t.Fatalf("SchemaVersion is %s, but the example's newest migration is %s: update it", SchemaVersion, last.Version)
	}
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Fatalf("schema current: /readyz = %d %q, want 200", code, body)
	}
	if resp := post("ada@example.com"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /users = %d, want 201", resp.StatusCode)
	}

	// A migration in progress, as a runner records it.
	if _, err := tg.DB.ExecContext(ctx, `INSERT INTO strata_schema_migrations
		(version, name, kind, checksum, state, started_at, execution_ms, applied_by, strata_version, error, progress, source)
		VALUES ('20260103000000', 'next', 'sql', '', 'running', now(), 0, 'test', 'test', '', '', '')`); err != nil {
		t.Fatal(err)
	}
	if resp := post("grace@example.com"); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("during a migration: POST /users = %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if code, body := get("/users"); code != http.StatusOK || body != "users: 1\n" {
		t.Fatalf("during a migration: GET /users = %d %q, want 200 users: 1", code, body)
	}
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Fatalf("during a migration: /readyz = %d, want 200 (the pod keeps serving reads)", code)
	}
	if _, err := tg.DB.ExecContext(ctx, "DELETE FROM strata_schema_migrations WHERE version = '20260103000000'"); err != nil {
		t.Fatal(err)
	}
	if resp := post("grace@example.com"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("after the migration: POST /users = %d, want 201", resp.StatusCode)
	}
}
