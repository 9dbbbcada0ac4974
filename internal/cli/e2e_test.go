package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
)

// The tests in this file run the real strata binary (built once from
// cmd/strata) as separate processes: concurrent runners, signals, kill -9
// and lock timeouts are properties of processes, not of function calls.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// strataBinary builds cmd/strata once per test binary and returns its path.
func strataBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("process-level test: skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "strata-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "strata")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/strata-db/strata/cmd/strata")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/strata: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runner runs strata against one database and one migration directory.
type runner struct {
	t   *testing.T
	bin string
	url string
	dir string
}

func newRunner(t *testing.T, url string) *runner {
	t.Helper()
	r := &runner{t: t, bin: strataBinary(t), url: url, dir: filepath.Join(t.TempDir(), "migrations")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return r
}

// write creates or replaces migration files: name, content, name, content...
func (r *runner) write(nameContent ...string) {
	r.t.Helper()
	for i := 0; i+1 < len(nameContent); i += 2 {
		if err := os.WriteFile(filepath.Join(r.dir, nameContent[i]), []byte(nameContent[i+1]), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *runner) remove(name string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.dir, name)); err != nil {
		r.t.Fatal(err)
	}
}

// command returns an unstarted strata process with its output captured.
func (r *runner) command(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	return r.commandEnv(nil, args...)
}

// commandEnv is command with extra environment variables (KEY=VALUE).
func (r *runner) commandEnv(extra []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(r.bin, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STRATA_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(append(env, "STRATA_DATABASE_URL="+r.url, "STRATA_DIR="+r.dir), extra...)
	cmd.Dir = filepath.Dir(r.dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// result is a finished strata process.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (res result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout\n%s--- stderr\n%s", res.code, res.elapsed.Round(time.Millisecond), res.stdout, res.stderr)
}

// wait waits for a started process, killing it after timeout.
func wait(t *testing.T, cmd *exec.Cmd, stdout, stderr *bytes.Buffer, start time.Time, timeout time.Duration) result {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("strata %s did not finish within %s\n--- stdout\n%s--- stderr\n%s", strings.Join(cmd.Args[1:], " "), timeout, stdout, stderr)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.code = 128 + int(ws.Signal())
		}
	default:
		t.Fatalf("strata %s: %v", strings.Join(cmd.Args[1:], " "), err)
	}
	return res
}

// run runs strata to completion.
func (r *runner) run(args ...string) result {
	r.t.Helper()
	return r.runEnv(nil, args...)
}

// runEnv runs strata to completion with extra environment variables.
func (r *runner) runEnv(extra []string, args ...string) result {
	r.t.Helper()
	cmd, stdout, stderr := r.commandEnv(extra, args...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return wait(r.t, cmd, stdout, stderr, start, 90*time.Second)
}

// start starts strata in the background.
func (r *runner) start(args ...string) *proc {
	r.t.Helper()
	cmd, stdout, stderr := r.command(args...)
	p := &proc{t: r.t, cmd: cmd, stdout: stdout, stderr: stderr, started: time.Now()}
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return p
}

type proc struct {
	t              *testing.T
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	started        time.Time
}

func (p *proc) wait(timeout time.Duration) result {
	p.t.Helper()
	return wait(p.t, p.cmd, p.stdout, p.stderr, p.started, timeout)
}

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// open connects to url for checks from the test.
func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tgt, err := connect.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt.DB
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var n int
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func queryString(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var s sql.NullString
	if err := db.QueryRowContext(ctx, q, args...).Scan(&s); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "<no row>"
		}
		t.Fatalf("%s: %v", q, err)
	}
	return s.String
}

func exec1(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// pgTableExists reports whether a table exists in the current PostgreSQL database.
func pgTableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	return queryInt(t, db, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`, name) == 1
}

func mysqlTableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	return queryInt(t, db, `SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`, name) == 1
}

// waitFor polls cond until it holds, failing if the process exits first or
// 20 seconds pass.
func waitFor(t *testing.T, p *proc, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		if p.cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the awaited state never came\n--- stdout\n%s--- stderr\n%s", p.stdout, p.stderr)
}

const pgSleeping = `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep(%' AND pid <> pg_backend_pid()`
const mysqlSleeping = `SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE 'SELECT SLEEP(%' AND id <> CONNECTION_ID()`

func assertContains(t *testing.T, res result, where, want string) {
	t.Helper()
	text := res.stdout
	if where == "stderr" {
		text = res.stderr
	}
	if !strings.Contains(text, want) {
		t.Errorf("%s does not contain %q\n%s", where, want, res)
	}
}

func assertCode(t *testing.T, res result, want int) {
	t.Helper()
	if res.code != want {
		t.Fatalf("exit code %d, want %d\n%s", res.code, want, res)
	}
}

// TestConcurrentRunnersApplyEachMigrationOnce starts ten `strata up` at
// once against one database: the lock lets one apply, the others find
// nothing to do, and every migration ran exactly once.
func TestConcurrentRunnersApplyEachMigrationOnce(t *testing.T) {
	t.Parallel()
	engines := []struct {
		name string
		url  func(testing.TB) string
	}{
		{"postgres", testenv.Postgres},
		{"mysql", testenv.MySQL},
		{"sqlite", testenv.SQLite},
	}
	for _, e := range engines {
		t.Run("on "+e.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, e.url(t))
			const migrations = 20
			r.write("0001_hits.sql", "CREATE TABLE hits (v INT NOT NULL);\n")
			for i := 2; i <= migrations; i++ {
				r.write(fmt.Sprintf("%04d_m%d.sql", i, i),
					fmt.Sprintf("-- strata:up\nINSERT INTO hits (v) VALUES (%d);\nCREATE TABLE t%d (id INT);\n-- strata:down\nDROP TABLE t%d;\nDELETE FROM hits WHERE v = %d;\n", i, i, i, i))
			}
			const runners = 10
			procs := make([]*proc, runners)
			for i := range procs {
				procs[i] = r.start("up")
			}
			applied := 0
			for i, p := range procs {
				res := p.wait(60 * time.Second)
				assertCode(t, res, 0)
				for _, line := range strings.Split(res.stdout, "\n") {
					if strings.HasPrefix(line, "applied  ") {
						applied++
					}
				}
				if !strings.Contains(res.stdout, "database is at version 20") {
					t.Errorf("runner %d did not end at version 20\n%s", i, res)
				}
			}
			db := open(t, r.url)
			if n := queryInt(t, db, "SELECT count(*) FROM hits"); n != migrations-1 {
				t.Errorf("hits has %d rows, want %d: some migration ran twice or not at all", n, migrations-1)
			}
			if n := queryInt(t, db, "SELECT count(DISTINCT v) FROM hits"); n != migrations-1 {
				t.Errorf("hits has %d distinct values, want %d", n, migrations-1)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM strata_schema_migrations WHERE state = 'applied'"); n != migrations {
				t.Errorf("history has %d applied rows, want %d", n, migrations)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM strata_schema_migrations"); n != migrations {
				t.Errorf("history has %d rows, want %d", n, migrations)
			}
			if applied != migrations {
				t.Errorf("the runners reported %d applied migrations in total, want %d", applied, migrations)
			}
		})
	}
}

// TestInterruptRollsBackAndReleasesLock sends SIGINT (or SIGTERM) while a transactional
// migration sleeps in the database: strata exits 130 at once with a summary,
// the interrupted migration is rolled back and its statement stopped on the
// server, the earlier one stays applied, and the lock is free for the next
// run.
func TestInterruptRollsBackAndReleasesLock(t *testing.T) {
	t.Parallel()
	engines := []struct {
		name    string
		url     func(testing.TB) string
		sig     os.Signal
		sleep   string
		running string // counts the sleeping statements on the server
		exists  func(*testing.T, *sql.DB, string) bool
	}{
		{"postgres", testenv.Postgres, os.Interrupt, "SELECT pg_sleep(30);", pgSleeping, pgTableExists},
		{"postgres", testenv.Postgres, syscall.SIGTERM, "SELECT pg_sleep(30);", pgSleeping, pgTableExists},
		{"mysql", testenv.MySQL, os.Interrupt, "SELECT SLEEP(30);", mysqlSleeping, mysqlTableExists},
	}
	for _, e := range engines {
		t.Run(fmt.Sprintf("%v on %s", e.sig, e.name), func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, e.url(t))
			r.write(
				"0001_one.sql", "CREATE TABLE one (id int);\n",
				// All DML, so it is one transaction on MySQL too.
				"0002_sleep.sql", "INSERT INTO one VALUES (2);\n"+e.sleep+"\n",
				"0003_three.sql", "CREATE TABLE three (id int);\n",
			)
			db := open(t, r.url)
			p := r.start("up")
			waitFor(t, p, func() bool { return queryInt(t, db, e.running) > 0 })
			p.signal(e.sig)
			sent := time.Now()
			res := p.wait(20 * time.Second)
			if d := time.Since(sent); d > 5*time.Second {
				t.Errorf("strata took %s to exit after SIGINT, want a few seconds at most", d.Round(time.Millisecond))
			}
			assertCode(t, res, 130)
			assertContains(t, res, "stderr", "interrupted")
			assertContains(t, res, "stderr", "1 migration applied before the failure; database is at version 1")
			assertContains(t, res, "stderr", "rolled back")
			assertContains(t, res, "stderr", "not run: 3")

			if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '1'"); got != "applied" {
				t.Errorf("migration 1 is %q, want applied", got)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM strata_schema_migrations WHERE version IN ('2', '3')"); n != 0 {
				t.Errorf("history has %d rows for the interrupted and later migrations, want 0", n)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM one"); n != 0 {
				t.Errorf("table one has %d rows: the interrupted migration's insert is visible", n)
			}
			if !e.exists(t, db, "one") {
				t.Error("table one is gone: the migration before the interrupt must stay applied")
			}
			{
				// On MySQL the server would run the statement to its end
				// after strata left unless strata sends KILL QUERY.
				// The sleep runs for far longer than this wait, so a statement
				// still there after it was never stopped; a loaded machine
				// may take a moment to end a cancelled backend.
				deadline := time.Now().Add(5 * time.Second)
				n := queryInt(t, db, e.running)
				for n != 0 && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond)
					n = queryInt(t, db, e.running)
				}
				if n != 0 {
					t.Errorf("the interrupted statement still runs on the server 5s after strata exited (%d)", n)
				}
			}
			// The lock was released: a run without the sleep finishes at once.
			r.remove("0002_sleep.sql")
			next := r.run("up", "--lock-timeout", "2s")
			assertCode(t, next, 0)
			if next.elapsed > 10*time.Second {
				t.Errorf("the next run took %s", next.elapsed)
			}
			assertContains(t, next, "stdout", "applied  3_three")
		})
	}
}

// TestKillDuringNoTransactionMigration kills strata with SIGKILL between the
// statements of a no-transaction PostgreSQL migration: the next run refuses
// (exit 3) with what completed and how to repair, and repair --pending lets
// it run again after the human cleaned up.
func TestKillDuringNoTransactionMigration(t *testing.T) {
	t.Parallel()
	r := newRunner(t, testenv.Postgres(t))
	r.write(
		"0001_one.sql", "CREATE TABLE one (id int);\n",
		"0002_notx.sql", "-- strata:no-transaction\nCREATE TABLE two (id int);\nSELECT pg_sleep(30);\n",
	)
	db := open(t, r.url)
	p := r.start("up")
	waitFor(t, p, func() bool { return queryInt(t, db, pgSleeping) > 0 })
	p.signal(os.Kill)
	res := p.wait(10 * time.Second)
	if res.code != 128+int(syscall.SIGKILL) {
		t.Fatalf("strata was not killed: %s", res)
	}
	if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '2'"); got != "running" {
		t.Fatalf("migration 2 is %q after kill -9, want running", got)
	}

	next := r.run("up", "--lock-timeout", "5s")
	assertCode(t, next, 3)
	assertContains(t, next, "stderr", "migration 2_notx is running")
	assertContains(t, next, "stderr", "killed")
	assertContains(t, next, "stderr", "1 of 2 statements completed")
	assertContains(t, next, "stderr", "strata repair 2")
	assertContains(t, next, "stderr", "strata repair 2 --pending")

	st := r.run("status")
	assertCode(t, st, 0)
	assertContains(t, st, "stdout", "2 is running")

	rep := r.run("repair", "2", "--pending")
	assertCode(t, rep, 0)
	assertContains(t, rep, "stdout", "repaired 2: marked pending (was running)")

	// The human undoes statement 1; the file loses its sleep (the row is
	// gone, so this is not drift).
	exec1(t, db, "DROP TABLE two")
	r.write("0002_notx.sql", "-- strata:no-transaction\nCREATE TABLE two (id int);\n")
	up := r.run("up")
	assertCode(t, up, 0)
	assertContains(t, up, "stdout", "applied  2_notx")
	if !pgTableExists(t, db, "two") {
		t.Error("table two does not exist after the repaired run")
	}
	if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '2'"); got != "applied" {
		t.Errorf("migration 2 is %q, want applied", got)
	}
}

// TestMariaDBPartialDDLFailure: MariaDB commits each DDL statement, so a
// file failing at statement 3 of 4 has changed the schema. Auto-rollback runs
// the down section and says what it undid; without it the migration is
// recorded failed and the next run refuses.
func TestMariaDBPartialDDLFailure(t *testing.T) {
	t.Parallel()
	r := newRunner(t, testenv.MySQL(t))
	r.write("0001_ddl.sql", `-- strata:up
CREATE TABLE a (id INT);
CREATE TABLE b (id INT);
ALTER TABLE nope ADD COLUMN x INT;
CREATE TABLE c (id INT);
-- strata:down
DROP TABLE c;
DROP TABLE b;
DROP TABLE a;
`)
	db := open(t, r.url)

	res := r.run("up")
	assertCode(t, res, 1)
	assertContains(t, res, "stdout", "rolling back 1_ddl with its down section")
	assertContains(t, res, "stderr", "0001_ddl.sql:4: statement 3:")
	assertContains(t, res, "stderr", "2 of 4 statements ran")
	assertContains(t, res, "stderr", "auto-rollback ran the down section (2 statements, 1 skipped because their objects did not exist yet)")
	assertContains(t, res, "stderr", "1 is pending again")
	for _, tbl := range []string{"a", "b", "c"} {
		if mysqlTableExists(t, db, tbl) {
			t.Errorf("table %s exists after auto-rollback", tbl)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM strata_schema_migrations"); n != 0 {
		t.Errorf("history has %d rows after auto-rollback, want 0", n)
	}

	res = r.run("up", "--auto-rollback=false")
	assertCode(t, res, 1)
	assertContains(t, res, "stderr", "auto-rollback is off")
	assertContains(t, res, "stderr", "1 is recorded as failed")
	if got := queryString(t, db, "SELECT state FROM strata_schema_migrations WHERE version = '1'"); got != "failed" {
		t.Errorf("migration 1 is %q, want failed", got)
	}
	if !mysqlTableExists(t, db, "a") || !mysqlTableExists(t, db, "b") {
		t.Error("tables a and b should stay after a failure without auto-rollback")
	}

	res = r.run("up")
	assertCode(t, res, 3)
	assertContains(t, res, "stderr", "migration 1_ddl is failed")
	assertContains(t, res, "stderr", "2 of 4 statements completed, statement 3")
	assertContains(t, res, "stderr", "strata repair 1")
}

// TestLockTimeout: a second runner gives up after --lock-timeout while the
// first holds the lock, with exit 3 and a message about the lock.
func TestLockTimeout(t *testing.T) {
	t.Parallel()
	engines := []struct {
		name  string
		url   func(testing.TB) string
		sleep string
	}{
		{"postgres", testenv.Postgres, "SELECT pg_sleep(4);\n"},
		{"mysql", testenv.MySQL, "SELECT SLEEP(4);\n"},
	}
	for _, e := range engines {
		t.Run("on "+e.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, e.url(t))
			r.write("0001_sleep.sql", e.sleep)
			db := open(t, r.url)
			first := r.start("up")
			// Wait until the first runner is inside its migration, so it
			// holds the lock.
			q := pgSleeping
			if e.name == "mysql" {
				q = mysqlSleeping
			}
			waitFor(t, first, func() bool { return queryInt(t, db, q) > 0 })
			second := r.run("up", "--lock-timeout", "1s")
			assertCode(t, second, 3)
			assertContains(t, second, "stderr", "lock")
			if second.elapsed > 6*time.Second {
				t.Errorf("the second runner took %s to give up with --lock-timeout 1s", second.elapsed)
			}
			// STRATA_LOCK_TIMEOUT=0 tries once.
			once := r.runEnv([]string{"STRATA_LOCK_TIMEOUT=0"}, "up")
			assertCode(t, once, 3)
			if once.elapsed > 3*time.Second {
				t.Errorf("STRATA_LOCK_TIMEOUT=0 waited %s", once.elapsed)
			}
			{
				// --lock-timeout 0 tries once, as STRATA_LOCK_TIMEOUT=0 does.
				third := r.run("up", "--lock-timeout", "0")
				assertCode(t, third, 3)
			}
			res := first.wait(30 * time.Second)
			assertCode(t, res, 0)
			assertContains(t, res, "stdout", "applied  1_sleep")
		})
	}
}

// TestFailingTransactionalMigration: a PostgreSQL migration whose third
// statement fails exits 1 naming file:line and the statement number, says it
// was rolled back, and leaves nothing of it behind.
func TestFailingTransactionalMigration(t *testing.T) {
	t.Parallel()
	r := newRunner(t, testenv.Postgres(t))
	r.write(
		"0001_ok.sql", "CREATE TABLE ok (id int);\n",
		"0002_half.sql", "-- strata:up\nCREATE TABLE half (id int);\n\nINSERT INTO half VALUES (1);\nINSERT INTO half VALUES ('not a number');\nCREATE TABLE after_failure (id int);\n-- strata:down\nDROP TABLE half;\n",
	)
	res := r.run("up")
	assertCode(t, res, 1)
	assertContains(t, res, "stderr", "0002_half.sql:5: statement 3:")
	assertContains(t, res, "stderr", "invalid input syntax for type integer")
	assertContains(t, res, "stderr", "rolled back")
	assertContains(t, res, "stderr", "1 migration applied before the failure")
	assertContains(t, res, "stdout", "FAILED   2_half")
	db := open(t, r.url)
	if pgTableExists(t, db, "half") || pgTableExists(t, db, "after_failure") {
		t.Error("the failed migration left tables behind")
	}
	if !pgTableExists(t, db, "ok") {
		t.Error("migration 1 should stay applied")
	}
	if n := queryInt(t, db, "SELECT count(*) FROM strata_schema_migrations WHERE version = '2'"); n != 0 {
		t.Errorf("history has %d rows for the failed migration, want 0", n)
	}
	// The failure leaves nothing to repair: a fixed file just runs.
	r.write("0002_half.sql", "-- strata:up\nCREATE TABLE half (id int);\n-- strata:down\nDROP TABLE half;\n")
	res = r.run("up")
	assertCode(t, res, 0)
	assertContains(t, res, "stdout", "applied  2_half")
}

// TestTimeoutDirectives: -- strata:lock-timeout makes DDL give up instead
// of queueing behind a transaction that holds the table, and
// -- strata:statement-timeout stops a slow statement; both fail the
// migration (exit 1) within about the time asked for and leave it pending.
func TestTimeoutDirectives(t *testing.T) {
	t.Parallel()
	engines := []struct {
		name       string
		url        func(testing.TB) string
		holdLock   string // runs in a transaction that stays open
		lockErr    string
		sleep      string
		timeoutErr string
	}{
		{"postgres", testenv.Postgres, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE", "lock timeout", "SELECT pg_sleep(10);", "statement timeout"},
		{"mysql", testenv.MySQL, "SELECT * FROM t FOR UPDATE", "Lock wait timeout exceeded", "SELECT SLEEP(10);", "max_statement_time exceeded"},
	}
	for _, e := range engines {
		t.Run("on "+e.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, e.url(t))
			r.write("0001_t.sql", "CREATE TABLE t (id int);\n")
			first := r.run("up")
			assertCode(t, first, 0)
			db := open(t, r.url)

			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := tx.QueryContext(ctx, e.holdLock)
			if err != nil {
				t.Fatalf("%s: %v", e.holdLock, err)
			}
			rows.Close()
			r.write("0002_alter.sql", "-- strata:lock-timeout 1s\nALTER TABLE t ADD COLUMN x int;\n")
			res := r.run("up")
			_ = tx.Rollback()
			assertCode(t, res, 1)
			assertContains(t, res, "stderr", "0002_alter.sql:2: statement 1:")
			assertContains(t, res, "stderr", e.lockErr)
			if res.elapsed > 8*time.Second {
				t.Errorf("lock-timeout 1s took %s to give up", res.elapsed)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM strata_schema_migrations WHERE version = '2'"); n != 0 {
				t.Errorf("the timed-out migration has %d history rows, want 0", n)
			}
			// Without the competing transaction the same file applies.
			res = r.run("up")
			assertCode(t, res, 0)

			r.write("0003_slow.sql", "-- strata:statement-timeout 1s\n"+e.sleep+"\n")
			res = r.run("up")
			assertCode(t, res, 1)
			assertContains(t, res, "stderr", "0003_slow.sql:2: statement 1:")
			assertContains(t, res, "stderr", e.timeoutErr)
			assertContains(t, res, "stderr", "rolled back")
			if res.elapsed > 8*time.Second {
				t.Errorf("statement-timeout 1s let the statement run %s", res.elapsed)
			}
		})
	}
}

// TestLostLockStopsTheRun ends the PostgreSQL session that holds the
// runner's advisory lock while a migration runs: the run must not go on
// without the lock.
func TestLostLockStopsTheRun(t *testing.T) {
	t.Parallel()
	terminateLock := `SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE l.locktype = 'advisory' AND d.datname = current_database()`
	t.Run("during a long statement", func(t *testing.T) {
		t.Parallel()
		r := newRunner(t, testenv.Postgres(t))
		r.write(
			"0001_sleep.sql", "CREATE TABLE one (id int);\nSELECT pg_sleep(20);\n",
			"0002_two.sql", "CREATE TABLE two (id int);\n",
		)
		db := open(t, r.url)
		p := r.start("up")
		waitFor(t, p, func() bool { return queryInt(t, db, pgSleeping) > 0 })
		if n := queryInt(t, db, terminateLock); n != 1 {
			t.Fatalf("terminated %d lock sessions, want 1", n)
		}
		res := p.wait(30 * time.Second)
		assertCode(t, res, 1)
		assertContains(t, res, "stderr", "the runner lock was lost")
		assertContains(t, res, "stderr", "rolled back")
		assertContains(t, res, "stderr", "not run: 2")
		if res.elapsed > 15*time.Second {
			t.Errorf("the run noticed the lost lock only after %s", res.elapsed)
		}
		if pgTableExists(t, db, "one") || pgTableExists(t, db, "two") {
			t.Error("migrations were applied after the lock was lost")
		}
	})
	t.Run("before the next migration", func(t *testing.T) {
		// The lock is checked before each migration, not only by the
		// 5 s ping.
		t.Parallel()
		r := newRunner(t, testenv.Postgres(t))
		r.write(
			"0001_sleep.sql", "SELECT pg_sleep(2);\n",
			"0002_two.sql", "CREATE TABLE two (id int);\n",
		)
		db := open(t, r.url)
		p := r.start("up")
		waitFor(t, p, func() bool { return queryInt(t, db, pgSleeping) > 0 })
		if n := queryInt(t, db, terminateLock); n != 1 {
			t.Fatalf("terminated %d lock sessions, want 1", n)
		}
		res := p.wait(30 * time.Second)
		if res.code == 0 {
			t.Errorf("the run succeeded although its lock was lost\n%s", res)
		}
		if pgTableExists(t, db, "two") {
			t.Error("migration 2 was applied without the lock")
		}
	})
}
