package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/strata-db/strata/internal/testenv"
)

// runLint runs `strata lint args...` and returns the exit code and output.
func runLint(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string { return env[k] }}
	root := NewRoot(app)
	found := false
	for _, c := range root.Commands() {
		if c.Name() == "lint" {
			found = true
		}
	}
	if !found {
		root.AddCommand(app.lintCmd())
	}
	root.SetArgs(append([]string{"lint"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	code := ExitOK
	if err != nil {
		code = exitCode(err)
		var ee *ExitError
		if !(asExit(err, &ee) && ee.Err == nil) {
			app.printError(err)
		}
	}
	return code, out.String(), errb.String()
}

func asExit(err error, target **ExitError) bool {
	e, ok := err.(*ExitError)
	if ok {
		*target = e
	}
	return ok
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLintCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	unsafe := writeFile(t, dir, "1_idx.sql", "SELECT 1;\nCREATE INDEX i ON users (email);\n")
	safe := writeFile(t, dir, "2_col.sql", "ALTER TABLE users ADD COLUMN bio text;\n")
	broken := writeFile(t, dir, "3_bad.sql", "SELECT 1;\nALTER TABLE users ADD COLUMN;\n")
	mysqlFile := writeFile(t, dir, "4_my.sql", "ALTER TABLE users MODIFY COLUMN age BIGINT;\n")

	t.Run("an unsafe file exits 3 and names file, line, rule and fix", func(t *testing.T) {
		code, out, _ := runLint(t, nil, unsafe)
		if code != ExitRefused {
			t.Fatalf("exit %d, want 3\n%s", code, out)
		}
		for _, want := range []string{"1_idx.sql:2:1", "create-index-non-concurrent", "CONCURRENTLY", "SHARE on users", "^~~"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("a safe file exits 0", func(t *testing.T) {
		if code, out, _ := runLint(t, nil, safe); code != ExitOK {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("a file that does not parse exits 2 with file and line", func(t *testing.T) {
		code, _, errOut := runLint(t, nil, broken)
		if code != ExitUsage || !strings.Contains(errOut, "3_bad.sql:2:") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("--format json and --json print the same document", func(t *testing.T) {
		_, a, _ := runLint(t, nil, "--format", "json", unsafe)
		_, b, _ := runLint(t, nil, "--json", unsafe)
		if a != b {
			t.Fatalf("differ:\n%s\n%s", a, b)
		}
		var doc struct {
			Errors   int
			Findings []struct{ Rule, Lock, Object string }
		}
		if err := json.Unmarshal([]byte(a), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Errors != 1 || doc.Findings[0].Lock != "SHARE" || doc.Findings[0].Object != "users" {
			t.Fatalf("%+v", doc)
		}
	})
	t.Run("sarif and github formats", func(t *testing.T) {
		_, s, _ := runLint(t, nil, "--format", "sarif", unsafe)
		if !strings.Contains(s, `"version": "2.1.0"`) || !strings.Contains(s, `"ruleId": "create-index-non-concurrent"`) {
			t.Fatalf("sarif:\n%s", s)
		}
		_, g, _ := runLint(t, nil, "--format", "github", unsafe)
		if !strings.HasPrefix(g, "::error file=") || !strings.Contains(g, "line=2,col=1") {
			t.Fatalf("github:\n%s", g)
		}
	})
	t.Run("the engine comes from STRATA_DATABASE_URL", func(t *testing.T) {
		code, out, _ := runLint(t, map[string]string{"STRATA_DATABASE_URL": "mysql://u@localhost/db"}, mysqlFile)
		if code != ExitRefused || !strings.Contains(out, "mysql-") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("rules set in strata.yaml apply", func(t *testing.T) {
		writeFile(t, dir, "strata.yaml", "lint:\n  rules:\n    create-index-non-concurrent: warning\n")
		defer os.Remove(filepath.Join(dir, "strata.yaml"))
		if code, out, _ := runLint(t, nil, unsafe); code != ExitOK || !strings.Contains(out, "warning[create-index-non-concurrent]") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("a directory is linted in version order", func(t *testing.T) {
		sub := filepath.Join(dir, "migrations")
		os.Mkdir(sub, 0o755)
		writeFile(t, sub, "10_b.sql", "ALTER TABLE t ADD COLUMN b int;\n")
		writeFile(t, sub, "9_a.sql", "ALTER TABLE t ADD COLUMN a int;\n")
		writeFile(t, sub, "9_a.down.sql", "DROP TABLE t;\n")
		code, out, _ := runLint(t, nil, "--format", "json")
		if code != ExitOK {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if i, j := strings.Index(out, "9_a.sql"), strings.Index(out, "10_b.sql"); i < 0 || j < i || strings.Contains(out, "down.sql") {
			t.Fatalf("order or down file wrong:\n%s", out)
		}
	})
}

// TestLintTrace runs `strata lint --trace` against a real server: the
// schema of --database is copied without data to a scratch database, and
// the rewrite the static rules cannot see (a function of the database
// narrows text to varchar(n)) is reported from what PostgreSQL did.
func TestLintTrace(t *testing.T) {
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not installed")
	}
	dsn := testenv.Postgres(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE users (id bigint PRIMARY KEY, email text); INSERT INTO users VALUES (1, 'a@b');"+
		"CREATE FUNCTION narrow_email() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE users ALTER COLUMN email TYPE varchar(100); END $$"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	dir := t.TempDir()
	f := writeFile(t, dir, "5_narrow.sql", "SET lock_timeout = '1s';\nSELECT narrow_email();\n")
	code, out, errOut := runLint(t, nil, "--trace", "--database", dsn, f)
	if code != ExitRefused {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"error[trace-rewrite]", "5_narrow.sql:2:1", "TRACE SELECT: ACCESS EXCLUSIVE on users rewrites users"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The real table is untouched.
	conn, _ = pgx.Connect(ctx, dsn)
	defer conn.Close(ctx)
	var typ string
	conn.QueryRow(ctx, "SELECT data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'").Scan(&typ)
	if typ != "text" {
		t.Fatalf("email is %q after the trace", typ)
	}
}

// TestLintDetectsServerVersion reads the version from --database when
// --server-version is not given: SET NOT NULL after a VALIDATE is instant
// from PostgreSQL 12 on, so the same file passes against this server.
func TestLintDetectsServerVersion(t *testing.T) {
	dsn := testenv.Postgres(t)
	dir := t.TempDir()
	f := writeFile(t, dir, "1.sql", "SET lock_timeout = '1s';\nALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n")
	if code, out, errOut := runLint(t, nil, "--database", dsn, f); code != ExitOK {
		t.Fatalf("detected version: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := runLint(t, nil, "--database", dsn, "--server-version", "11", f); code != ExitRefused {
		t.Fatalf("--server-version 11: exit %d", code)
	}
}
