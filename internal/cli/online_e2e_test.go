package cli_test

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testenv"
)

// TestOnlineMigrationSurvivesKill9 runs an online (YAML) migration through
// the strata binary, kills it with SIGKILL in the middle of its backfill,
// and checks that the next `strata up` resumes from the recorded cursor and
// leaves every row right; then `strata complete` finishes it.
func TestOnlineMigrationSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the strata binary")
	}
	t.Parallel()
	r := newRunner(t, testenv.Postgres(t))
	r.write(
		"0001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, a int NOT NULL);\nINSERT INTO items SELECT g, g % 1000 FROM generate_series(1, 400000) g;\n",
		"0002_double.yaml", "operations:\n  - add_column:\n      table: items\n      column: {name: c, type: bigint, nullable: false}\n      up: a * 2\n",
	)
	db := open(t, r.url)
	// Small batches so the backfill takes long enough to be killed.
	p := r.start("up", "--batch-time", "2ms")
	waitFor(t, p, func() bool {
		var prog string
		row := db.QueryRow("SELECT progress FROM strata_schema_migrations WHERE version = '2'")
		if row.Scan(&prog) != nil {
			return false
		}
		return strings.Contains(prog, `"rows":`) && !strings.Contains(prog, `"rows":0,`)
	})
	p.signal(os.Kill)
	res := p.wait(10 * time.Second)
	if res.code != 128+int(syscall.SIGKILL) {
		t.Fatalf("strata was not killed mid-backfill (it may have finished first): %s", res)
	}
	if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '2'"); got != "running" {
		t.Fatalf("after kill -9 the online migration is %q, want running", got)
	}
	plan := r.run("plan")
	assertCode(t, plan, 0)
	assertContains(t, plan, "stdout", "resume from recorded progress")

	up := r.run("up")
	assertCode(t, up, 0)
	if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '2'"); got != "expanded" {
		t.Fatalf("after the resumed up the migration is %q, want expanded", got)
	}
	if bad := queryInt(t, db, "SELECT count(*) FROM strata_v2.items WHERE c IS DISTINCT FROM a * 2"); bad != 0 {
		t.Fatalf("%d rows wrong after resume", bad)
	}
	st := r.run("status")
	assertContains(t, st, "stdout", "2 is expanded")
	assertContains(t, st, "stdout", "strata complete 2")

	done := r.run("complete")
	assertCode(t, done, 0)
	if bad := queryInt(t, db, "SELECT count(*) FROM items WHERE c IS DISTINCT FROM a * 2"); bad != 0 {
		t.Fatalf("%d rows wrong after complete", bad)
	}
	if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '2'"); got != "applied" {
		t.Fatalf("after complete the migration is %q, want applied", got)
	}
}
