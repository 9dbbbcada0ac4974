package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/engine/redis"
	"github.com/strata-db/strata/internal/cli"
	"github.com/strata-db/strata/internal/testenv"
)

func strata(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--dir", filepath.Join(dir, "migrations")}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// The commands work on a store engine with the SQL contract's exit codes
// and --json.
func TestStoreEngineCommands(t *testing.T) {
	url := testenv.Redis(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "migrations"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "migrations", "0001_rename.yaml"), []byte("operations:\n  - rename_keys: {match: \"user:*\", from: \"user:\", to: \"account:\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := strata(t, dir, "--database", url, "plan"); code != 0 || !strings.Contains(out, `rename keys matching "user:*"`) {
		t.Fatalf("plan: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := strata(t, dir, "--database", url, "up", "--json"); code != 0 || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("up: %d\n%s%s", code, out, errOut)
	}
	code, out, _ := strata(t, dir, "--database", url, "status", "--json")
	var st struct {
		Migrations []struct{ Version, State, Kind string }
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != 0 || len(st.Migrations) != 1 || st.Migrations[0].State != "applied" || st.Migrations[0].Kind != "nosql" {
		t.Fatalf("status --json: %d %v\n%s", code, err, out)
	}
	// Another runner holds the lock: up is refused (exit 3) naming it.
	cfg, _ := connect.ParseStore(url)
	tg, err := redis.Open(context.Background(), cfg, redis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	lk, err := tg.Store().Lock(context.Background(), dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := strata(t, dir, "--database", url, "down", "--lock-timeout", "0"); code != 3 || !strings.Contains(errOut, "held by") {
		t.Fatalf("down while another runner holds the lock: %d\n%s", code, errOut)
	}
	if err := lk.Unlock(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := strata(t, dir, "--database", url, "down"); code != 0 {
		t.Fatalf("down: %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--database", url, "check"}, 2, "works on SQL databases"},
		{[]string{"--database", "elasticsearch://127.0.0.1:9200", "status"}, 2, "no migration runner"},
		{[]string{"--database", "mongodb://127.0.0.1:27017", "status"}, 2, "no database"},
		{[]string{"--database", "dynamodb://127.0.0.1:8000", "status"}, 2, "no region"},
	} {
		if code, _, errOut := strata(t, dir, tc.args...); code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, errOut)
		}
	}
}
