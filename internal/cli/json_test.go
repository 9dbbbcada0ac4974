package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
)

// jsonCase runs strata --json ARGS; fail says whether it must fail.
type jsonCase struct {
	name string
	args []string
	fail bool
	// before prepares the case (edits a file, creates a database).
	before func(t *testing.T)
}

// TestEveryCommandPrintsOneJSONDocument runs every command with --json once
// where it succeeds and once where it fails, and reads stdout as exactly one
// JSON document: a failure's document says ok false, the error, the exit
// code and a kind, whatever the command. (Regression: version, validate,
// hash and new ignored --json; some failures printed nothing on stdout.)
func TestEveryCommandPrintsOneJSONDocument(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	path := func(p string) string { return filepath.Join(tmp, p) }
	write := func(t *testing.T, name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path(name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(t, "migrations/0001_a.sql", "-- strata:up\nCREATE TABLE a (id INTEGER PRIMARY KEY, n INTEGER);\nINSERT INTO a VALUES (1, NULL);\n-- strata:down\nDROP TABLE a;\n")
	write(t, "migrations/0002_b.sql", "-- strata:up\nCREATE TABLE b (id INTEGER);\n-- strata:down\nDROP TABLE b;\n")
	write(t, "migrations/0002_b.checks.yaml", "post:\n  - not_null: {table: a, columns: [n]}\n")
	write(t, "bad/0001_bad.sql", "CREATE TABLE x (id INTEGER);\nINSERT INTO nope VALUES (1);\n")
	write(t, "edit/0001_e.sql", "CREATE TABLE e (id INTEGER);\n")
	write(t, "lint/ok.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n")
	write(t, "lint/broken.sql", "CREATE TABLE (;\n")
	write(t, "items.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n")
	write(t, "spec.yaml", "source: sqlite:"+path("src.db")+"\ntarget: sqlite:"+path("dst.db")+"\ntables:\n  - from: items\n    key: id\n    create: true\n")
	db := "sqlite:" + path("db.sqlite")
	src := "sqlite:" + path("src.db")
	exec := func(t *testing.T, url, q string) {
		t.Helper()
		tgt, err := connect.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer tgt.Close()
		if _, err := tgt.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, src, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items VALUES (1, 'a'), (2, 'b')")
	pg := testenv.Postgres(t)
	exec(t, pg, "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a'), (2, 'b')")

	global := []string{"--database", db, "--dir", path("migrations")}
	missing := []string{"--database", "sqlite:" + path("no-such.db"), "--dir", path("migrations")}
	with := func(flags []string, args ...string) []string { return append(append([]string{}, flags...), args...) }

	cases := map[string][]jsonCase{
		"version": {{name: "prints the version", args: []string{"version"}}, {name: "refuses an argument", args: []string{"version", "extra"}, fail: true}},
		"new":     {{name: "creates a file", args: with(global, "new", "add_c")}, {name: "refuses a bad name", args: with(global, "new", "Bad-Name"), fail: true}},
		"up": {{name: "applies", args: with(global, "up", "1")},
			{name: "fails on a bad statement", args: []string{"--database", "sqlite:" + path("bad.db"), "--dir", path("bad"), "up"}, fail: true}},
		"status":   {{name: "lists", args: with(global, "status")}, {name: "refuses a missing SQLite file", args: with(missing, "status"), fail: true}},
		"plan":     {{name: "plans", args: with(global, "plan")}, {name: "refuses a bad count", args: with(global, "plan", "0"), fail: true}},
		"validate": {{name: "validates", args: with(global, "validate")}, {name: "refuses a missing SQLite file", args: with(missing, "validate"), fail: true}},
		"check": {{name: "runs no checks of 1", args: with(global, "check", "1")},
			{name: "fails a failing check", args: with(global, "check", "2", "--phase", "post"), fail: true}},
		"redo": {{name: "redoes", args: with(global, "redo")}, {name: "refuses a missing SQLite file", args: with(missing, "redo"), fail: true}},
		"down": {{name: "undoes", args: with(global, "down")}, {name: "refuses a missing SQLite file", args: with(missing, "down"), fail: true}},
		"baseline": {{name: "records", args: []string{"--database", "sqlite:" + path("base.db"), "--dir", path("migrations"), "baseline", "1"},
			before: func(t *testing.T) { write(t, "base.db", "") }},
			{name: "refuses an unknown version", args: with(global, "baseline", "999"), fail: true}},
		"adopt": {{name: "records golang-migrate's history", args: []string{"--database", "sqlite:" + path("adopt.db"), "--dir", path("migrations"), "adopt"},
			before: func(t *testing.T) {
				exec(t, "sqlite:"+path("adopt.db"), "CREATE TABLE schema_migrations (version uint64, dirty bool); INSERT INTO schema_migrations VALUES (1, 0)")
			}},
			{name: "finds no other tool's history", args: with(global, "adopt"), fail: true}},
		"import": {{name: "refuses an unknown framework", args: with(global, "import", "symfony"), fail: true},
			{name: "finds no Django project", args: with(global, "import", "django", "--project", path("nowhere")), fail: true}},
		"repair": {{name: "accepts an edit", args: []string{"--database", "sqlite:" + path("edit.db"), "--dir", path("edit"), "repair", "1"},
			before: func(t *testing.T) {
				if code, out, errs := runJSON(context.Background(), "--database", "sqlite:"+path("edit.db"), "--dir", path("edit"), "up"); code != 0 {
					t.Fatalf("up: %d %s %s", code, out, errs)
				}
				write(t, "edit/0001_e.sql", "CREATE TABLE e (id INTEGER, x INTEGER);\n")
			}},
			{name: "refuses an unknown version", args: with(global, "repair", "999"), fail: true}},
		"complete": {{name: "has nothing to complete", args: with(global, "complete")}, {name: "refuses an unknown version", args: with(global, "complete", "999"), fail: true}},
		"abort":    {{name: "has nothing to abort", args: with(global, "abort")}, {name: "refuses a pending migration", args: with(global, "abort", "2"), fail: true}},
		"lint": {{name: "finds nothing", args: []string{"lint", "--engine", "postgres", path("lint/ok.sql")}},
			{name: "cannot parse a file", args: []string{"lint", "--engine", "postgres", path("lint/broken.sql")}, fail: true}},
		"verify": {{name: "finds identical tables", args: []string{"verify", "--source", pg, "--target", pg, "--table", "items", "--key", "id"}},
			{name: "needs its flags", args: []string{"verify"}, fail: true}},
		"restore": {{name: "lists", args: with(global, "restore", "--list")}, {name: "has no restore point", args: with(global, "restore", "9", "--yes"), fail: true}},
		"prune":   {{name: "drops nothing", args: with(global, "prune")}, {name: "refuses a missing SQLite file", args: with(missing, "prune"), fail: true}},
		"transfer": {{name: "copies", args: []string{"transfer", path("spec.yaml")}},
			{name: "has no spec", args: []string{"transfer", path("no-spec.yaml")}, fail: true}},
		"hash":  {{name: "writes strata.sum", args: with(global, "hash")}, {name: "has no directory", args: []string{"--dir", path("nowhere"), "hash"}, fail: true}},
		"serve": {{name: "cannot listen", args: with(global, "serve", "--addr", "127.0.0.1:99999"), fail: true}},
		"demo":  {{name: "is for people", args: []string{"demo"}, fail: true}},
		"dashboard": {{name: "writes grafana", args: []string{"dashboard", "grafana"}}, {name: "refuses an argument", args: []string{"dashboard", "grafana", "x"}, fail: true},
			{name: "needs a kind", args: []string{"dashboard"}, fail: true}},
	}

	// Every command is covered.
	root := NewRoot(&App{Stdout: io.Discard, Stderr: io.Discard})
	var uncovered []string
	for _, c := range root.Commands() {
		if _, ok := cases[c.Name()]; !ok && c.Name() != "help" && c.Name() != "completion" {
			uncovered = append(uncovered, c.Name())
		}
	}
	if len(uncovered) > 0 {
		t.Fatalf("commands without a --json case: %s", strings.Join(uncovered, ", "))
	}

	order := []string{"version", "new", "up", "status", "plan", "validate", "check", "redo", "down", "baseline", "adopt", "import", "repair", "complete", "abort",
		"lint", "verify", "restore", "prune", "transfer", "hash", "serve", "demo", "dashboard"}
	if len(order) != len(cases) {
		t.Fatalf("order lists %d commands, cases %d", len(order), len(cases))
	}
	for _, name := range order {
		for _, c := range cases[name] {
			t.Run(name+" "+c.name, func(t *testing.T) {
				if c.before != nil {
					c.before(t)
				}
				code, stdout, stderr := runJSON(context.Background(), c.args...)
				doc := oneJSONDocument(t, stdout)
				if !c.fail {
					if code != 0 {
						t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
					}
					return
				}
				if code == 0 {
					t.Fatalf("exit 0, want a failure\nstdout:\n%s", stdout)
				}
				assertErrorDocument(t, doc, code, stdout)
			})
		}
	}

	t.Run("serve prints where it listens", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stdout, stderr syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- Main(ctx, with(global, "--json", "serve", "--addr", "127.0.0.1:0"), strings.NewReader(""), &stdout, &stderr)
		}()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(stdout.String(), "}") {
			if time.Now().After(deadline) {
				t.Fatalf("no document while serving\nstderr:\n%s", stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve exited %d\n%s", code, stderr.String())
		}
		doc := oneJSONDocument(t, stdout.String())
		if u, _ := doc.(map[string]any)["url"].(string); !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("url = %q", u)
		}
	})
}

// runJSON runs strata --json ARGS through Main.
func runJSON(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb syncBuffer
	code = Main(ctx, append([]string{"--json"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// oneJSONDocument decodes stdout, which must hold exactly one JSON value.
func oneJSONDocument(t *testing.T, stdout string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON document:\n%s", stdout)
	}
	return doc
}

// assertErrorDocument checks the fields every failure's document has.
func assertErrorDocument(t *testing.T, doc any, code int, stdout string) {
	t.Helper()
	obj, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("the document of a failure is not an object:\n%s", stdout)
	}
	if obj["ok"] != false {
		t.Errorf(`"ok" = %v, want false`, obj["ok"])
	}
	if msg, _ := obj["error"].(string); msg == "" || strings.HasPrefix(msg, "exit status") {
		t.Errorf(`"error" = %q, want what went wrong`, obj["error"])
	}
	if got, _ := obj["exit_code"].(float64); int(got) != code {
		t.Errorf(`"exit_code" = %v, want %d`, obj["exit_code"], code)
	}
	if kind, _ := obj["error_kind"].(string); kind == "" {
		t.Errorf(`"error_kind" is missing`)
	}
	if t.Failed() {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("document (keys %v):\n%s", keys, stdout)
	}
}
