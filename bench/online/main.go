// Command online measures strata's online schema changes against a busy
// PostgreSQL table, beside the naive statements they replace (and pgroll,
// when a pgroll binary is given). See README.md for the method.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/online"
)

const oltp = `\set id random(1, :rows)
UPDATE t SET a = a + 1 WHERE id = :id;
SELECT a, b FROM t WHERE id = :id;
`

var (
	adminDSN  = flag.String("dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "administrative DSN (creates and drops the bench databases)")
	rows      = flag.Int("rows", 2000000, "rows in t")
	clients   = flag.Int("clients", 8, "pgbench clients")
	only      = flag.String("run", "", "comma-separated scenarios to run (default all)")
	outDir    = flag.String("out", "/tmp/strata-bench", "where pgbench logs and results go")
	pgroll    = flag.String("pgroll", "", "path to a pgroll binary, to compare")
	childDSN  = flag.String("child-start", "", "internal: run Start of the add_column migration against this DSN")
	stateFile = flag.String("state", "", "internal: state file of -child-start")
	batchTime = flag.Duration("batch-time", 0, "online.Runner's BatchTime (0: its default)")
	trace     = flag.Bool("trace", false, "sample pg_stat_activity and strata's strong locks every 10 ms during the change, and explain the longest transactions of each phase")
	scale     = flag.Float64("scale", 1, "multiply each scenario's pgbench duration (for smoke runs on small tables)")
)

const tplDB, runDB = "strata_bench_tpl", "strata_bench_run"

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	ctx := context.Background()
	if *childDSN != "" {
		if err := runChild(ctx, *childDSN, *stateFile); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		log.Fatal(err)
	}
	admin, err := sql.Open("pgx", *adminDSN)
	if err != nil {
		log.Fatal(err)
	}
	defer admin.Close()
	if err := ensureTemplate(ctx, admin); err != nil {
		log.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s != "" {
			want[s] = true
		}
	}
	res, _ := os.OpenFile(filepath.Join(*outDir, "results.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	defer res.Close()
	for _, sc := range scenarios() {
		if len(want) > 0 && !want[sc.name] {
			continue
		}
		if sc.name == "pgroll_add_column" || sc.name == "pgroll_alter_column" {
			if *pgroll == "" {
				continue
			}
		}
		lines, err := runScenario(ctx, admin, sc)
		if err != nil {
			log.Printf("%s: %v", sc.name, err)
			fmt.Fprintf(res, "%s: error: %v\n", sc.name, err)
			continue
		}
		for _, l := range lines {
			fmt.Println(l)
			fmt.Fprintln(res, l)
		}
	}
}

func dsnFor(db string) string {
	u, err := url.Parse(*adminDSN)
	if err != nil {
		log.Fatal(err)
	}
	u.Path = "/" + db
	return u.String()
}

func ensureTemplate(ctx context.Context, admin *sql.DB) error {
	var n int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, tplDB).Scan(&n); err != nil {
		return err
	}
	if n == 1 {
		db, err := sql.Open("pgx", dsnFor(tplDB))
		if err != nil {
			return err
		}
		var got int
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&got)
		db.Close()
		if err == nil && got == *rows {
			return nil
		}
		if _, err := admin.ExecContext(ctx, `DROP DATABASE `+tplDB+` WITH (FORCE)`); err != nil {
			return err
		}
	}
	log.Printf("creating template database with %d rows", *rows)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+tplDB); err != nil {
		return err
	}
	db, err := sql.Open("pgx", dsnFor(tplDB))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE t (id bigserial PRIMARY KEY, a int, b text, created timestamptz)`,
		fmt.Sprintf(`INSERT INTO t (a, b, created) SELECT (random() * 1000000)::int, md5(g::text), now() - g * interval '1 second' FROM generate_series(1, %d) g`, *rows),
		`VACUUM (ANALYZE, FREEZE) t`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// recorder collects the measured windows of one run.
type recorder struct {
	mu      sync.Mutex
	windows []window
	checks  []string
	trace   *tracer // nil without -trace
}

func (r *recorder) run(name string, fn func() (string, error)) error {
	t0 := now()
	note, err := fn()
	t1 := now()
	r.mu.Lock()
	r.windows = append(r.windows, window{name: name, t0: t0, t1: t1, note: note})
	r.mu.Unlock()
	log.Printf("  %s: %.2fs %s", name, t1-t0, note)
	return err
}

// split adds the parts of the last window: before a, a to b, after b.
func (r *recorder) split(name string, a, b time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.windows[len(r.windows)-1]
	ta, tb := float64(a.UnixNano())/1e9, float64(b.UnixNano())/1e9
	r.windows = append(r.windows,
		window{name: name + " (before backfill)", t0: w.t0, t1: ta},
		window{name: name + " (backfill)", t0: ta, t1: tb},
		window{name: name + " (after backfill)", t0: tb, t1: w.t1})
}

// logger is the runner's logger: the trace's, at debug level, with -trace.
func (r *recorder) logger() *slog.Logger {
	if r.trace == nil {
		return nil
	}
	return slog.New(r.trace)
}

func now() float64 { return float64(time.Now().UnixNano()) / 1e9 }

type scenario struct {
	name    string
	seconds int
	prepare func(ctx context.Context, db *sql.DB) error
	change  func(ctx context.Context, db *sql.DB, rec *recorder) error
	verify  func(ctx context.Context, db *sql.DB) (string, error)
}

func runScenario(ctx context.Context, admin *sql.DB, sc scenario) ([]string, error) {
	log.Printf("scenario %s", sc.name)
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+runDB+` WITH (FORCE)`); err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+runDB+` TEMPLATE `+tplDB); err != nil {
		return nil, err
	}
	// strata's sessions are named so the trace tells them from pgbench's.
	db, err := sql.Open("pgx", dsnFor(runDB)+"&application_name=strata")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if sc.prepare != nil {
		if err := sc.prepare(ctx, db); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return nil, err
	}
	dir := filepath.Join(*outDir, sc.name)
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "oltp.sql"), []byte(oltp), 0o644); err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(dir, "pgbench.out"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command("pgbench", "-n", "-c", fmt.Sprint(*clients), "-j", "2", "-T", fmt.Sprint(max(12, int(float64(sc.seconds)**scale))), "-P", "5", "-l",
		"-D", fmt.Sprintf("rows=%d", *rows), "-f", "oltp.sql", dsnFor(runDB))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(6 * time.Second)
	first := now()
	rec := &recorder{}
	if *trace {
		if rec.trace, err = startTrace(ctx, db, 10*time.Millisecond); err != nil {
			return nil, err
		}
	}
	changeErr := sc.change(ctx, db, rec)
	if rec.trace != nil {
		rec.trace.stop()
		if err := rec.trace.write(dir); err != nil {
			return nil, err
		}
	}
	if err := cmd.Wait(); err != nil {
		log.Printf("pgbench: %v", err)
	}
	if changeErr != nil {
		return nil, changeErr
	}
	verify := ""
	if sc.verify != nil {
		if verify, err = sc.verify(ctx, db); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
	}
	ts, err := readLogs(dir)
	if err != nil {
		return nil, err
	}
	pgout, _ := os.ReadFile(filepath.Join(dir, "pgbench.out"))
	var lines []string
	for _, w := range rec.windows {
		s := analyze(ts, string(pgout), first, w)
		l := fmt.Sprintf("%s/%s: secs=%.2f %s", sc.name, w.name, w.t1-w.t0, s)
		if w.note != "" {
			l += " " + w.note
		}
		lines = append(lines, l)
		if rec.trace != nil {
			lines[len(lines)-1] += " " + rec.trace.lockTime(w, 10*time.Millisecond)
			lines = append(lines, rec.trace.explain(ts, w, 3)...)
		}
	}
	for _, c := range rec.checks {
		lines = append(lines, fmt.Sprintf("%s/check: %s", sc.name, c))
	}
	if verify != "" {
		lines = append(lines, fmt.Sprintf("%s/verify: %s", sc.name, verify))
	}
	return lines, nil
}

func execWindow(db *sql.DB, rec *recorder, name string, stmts ...string) error {
	return rec.run(name, func() (string, error) {
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				return "", err
			}
		}
		return "", nil
	})
}

// strataRun runs one phase of an online migration and reports its backfill
// rate and lock retries.
func strataRun(ctx context.Context, db *sql.DB, rec *recorder, version, src string, phases ...string) error {
	return strataRunCheck(ctx, db, rec, version, src, nil, phases...)
}

// checkExpanded counts rows whose new column disagrees with a * 2 while the
// trigger keeps them in step (between start and complete).
func checkExpanded(ctx context.Context, db *sql.DB, rec *recorder) error {
	var bad, total int
	err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE c IS DISTINCT FROM a * 2), count(*) FROM t`).Scan(&bad, &total)
	rec.mu.Lock()
	rec.checks = append(rec.checks, fmt.Sprintf("rows=%d rows_wrong_while_expanded=%d", total, bad))
	rec.mu.Unlock()
	return err
}

func strataRunCheck(ctx context.Context, db *sql.DB, rec *recorder, version, src string, check func(context.Context, *sql.DB, *recorder) error, phases ...string) error {
	m, err := online.Parse("V"+version+"_bench.yaml", []byte(src))
	if err != nil {
		return err
	}
	var st *online.State
	store := online.StateStoreFunc(func(ctx context.Context, s *online.State) error {
		b, _ := json.Marshal(s) // as the engine would
		st, err = online.ParseState(b)
		return err
	})
	for _, phase := range phases {
		var firstBatch, lastBatch time.Time
		var rowsDone int64
		var retries, maxBatch int
		r := &online.Runner{DB: db, BatchTime: *batchTime, Logger: rec.logger(), Progress: func(e online.Event) {
			switch e.Kind {
			case online.EventBatch:
				if firstBatch.IsZero() {
					firstBatch = time.Now().Add(-e.Elapsed)
				}
				lastBatch, rowsDone = time.Now(), e.Rows
				maxBatch = max(maxBatch, e.BatchSize)
			case online.EventLockRetry:
				retries++
			}
		}}
		var lsn0 string
		_ = db.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn0)
		err := rec.run(phase, func() (string, error) {
			var err error
			switch phase {
			case "start":
				err = r.Start(ctx, version, m, st, store)
			case "complete":
				err = r.Complete(ctx, version, m, st, store)
			case "abort":
				err = r.Abort(ctx, version, m, st, store)
			}
			// WAL written meanwhile, by the whole server (other databases'
			// work included): what the clients' commits queue behind.
			var walMB float64
			_ = db.QueryRowContext(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) / 1048576`, lsn0).Scan(&walMB)
			note := fmt.Sprintf("lock_retries=%d wal_mb=%.0f", retries, walMB)
			if rowsDone > 0 {
				secs := lastBatch.Sub(firstBatch).Seconds()
				note += fmt.Sprintf(" backfill_rows=%d backfill_s=%.1f rows_per_s=%.0f max_batch=%d", rowsDone, secs, float64(rowsDone)/secs, maxBatch)
			}
			return note, err
		})
		if err != nil {
			return err
		}
		if rowsDone > 0 {
			// A phase with a backfill is also measured in three parts: what
			// runs before the first batch (DDL, triggers), the batches, and
			// what follows them (validation, views).
			rec.split(phase, firstBatch, lastBatch)
		}
		if phase == "start" && check != nil {
			if err := check(ctx, db, rec); err != nil {
				return err
			}
		}
		time.Sleep(3 * time.Second)
	}
	return nil
}

const addColumn = `
operations:
  - add_column:
      table: t
      column: {name: c, type: bigint, nullable: false}
      up: a * 2
`

func scenarios() []scenario {
	return []scenario{
		{name: "naive_alter_type", seconds: 20, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return execWindow(db, rec, "ALTER COLUMN TYPE", `ALTER TABLE t ALTER COLUMN a TYPE bigint`)
		}},
		{name: "naive_create_index", seconds: 20, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return execWindow(db, rec, "CREATE INDEX", `CREATE INDEX t_a ON t (a)`)
		}},
		{name: "naive_update", seconds: 60,
			prepare: func(ctx context.Context, db *sql.DB) error {
				_, err := db.ExecContext(ctx, `ALTER TABLE t ADD COLUMN c bigint`)
				return err
			},
			change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
				return rec.run("UPDATE all rows", func() (string, error) {
					t0 := time.Now()
					res, err := db.Exec(`UPDATE t SET c = a * 2`)
					if err != nil {
						return "", err
					}
					n, _ := res.RowsAffected()
					return fmt.Sprintf("rows_per_s=%.0f", float64(n)/time.Since(t0).Seconds()), nil
				})
			}},
		{name: "strata_add_column", seconds: 90, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return strataRunCheck(ctx, db, rec, "2", addColumn, checkExpanded, "start", "complete")
		}},
		{name: "strata_alter_column", seconds: 90, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return strataRun(ctx, db, rec, "3", `
operations:
  - alter_column: {table: t, column: a, type: bigint, up: a, down: a}
`, "start", "complete")
		}, verify: func(ctx context.Context, db *sql.DB) (string, error) {
			var typ string
			err := db.QueryRowContext(ctx, `SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'a'`).Scan(&typ)
			return "type_after=" + typ, err
		}},
		{name: "strata_create_index", seconds: 30, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return strataRun(ctx, db, rec, "4", `
operations:
  - create_index: {name: t_a, table: t, columns: [a]}
`, "start", "complete")
		}},
		{name: "strata_constraints", seconds: 40, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return strataRun(ctx, db, rec, "7", `
operations:
  - set_not_null: {table: t, column: b}
  - add_check: {table: t, name: a_positive, constraint: a >= 0}
`, "start", "complete")
		}},
		{name: "strata_backfill", seconds: 90, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return strataRun(ctx, db, rec, "8", `
operations:
  - backfill: {table: t, set: {b: upper(b)}}
`, "start", "complete")
		}},
		{name: "strata_restructure", seconds: 120, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return strataRun(ctx, db, rec, "9", `
operations:
  - restructure_table:
      table: t
      columns:
        - {name: id, type: bigserial, pk: true}
        - {name: a, type: bigint, nullable: true}
        - {name: b, type: text, nullable: true}
        - {name: b_prefix, type: text, nullable: true}
        - {name: created, type: timestamptz, nullable: true}
      mapping: {b_prefix: "left(b, 2)"}
`, "start", "complete")
		}},
		{name: "strata_long_tx", seconds: 90, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			conn, err := db.Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, `SELECT count(*) FROM t WHERE id < 100`); err != nil {
				return err
			}
			release := time.AfterFunc(10*time.Second, func() { conn.ExecContext(ctx, `COMMIT`) })
			defer release.Stop()
			return strataRun(ctx, db, rec, "5", addColumn, "start", "complete")
		}},
		{name: "strata_kill9", seconds: 120, change: killAndResume},
		{name: "pgroll_add_column", seconds: 120, prepare: pgrollInit, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return pgrollRun(rec, "02_add_c", `{"operations": [{"add_column": {"table": "t", "up": "a * 2", "column": {"name": "c", "type": "bigint", "nullable": false}}}]}`)
		}},
		{name: "pgroll_alter_column", seconds: 120, prepare: pgrollInit, change: func(ctx context.Context, db *sql.DB, rec *recorder) error {
			return pgrollRun(rec, "03_alter_a", `{"operations": [{"alter_column": {"table": "t", "column": "a", "type": "bigint", "up": "a", "down": "a"}}]}`)
		}},
	}
}

// killAndResume starts the add_column migration in a child process, kills it
// with SIGKILL in the middle of the backfill, and runs it again from the
// state the child saved.
func killAndResume(ctx context.Context, db *sql.DB, rec *recorder) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	state := filepath.Join(*outDir, "kill9-state.json")
	os.Remove(state)
	child := func() *exec.Cmd {
		c := exec.Command(self, "-child-start", dsnFor(runDB), "-state", state)
		c.Stdout, c.Stderr = os.Stderr, os.Stderr
		return c
	}
	var killedAt int64
	err = rec.run("start (killed)", func() (string, error) {
		c := child()
		if err := c.Start(); err != nil {
			return "", err
		}
		for {
			time.Sleep(200 * time.Millisecond)
			st := readState(state)
			if st != nil && len(st.Backfills) > 0 && st.Backfills[0].Rows > int64(*rows)/3 {
				killedAt = st.Backfills[0].Rows
				break
			}
		}
		if err := c.Process.Kill(); err != nil {
			return "", err
		}
		_ = c.Wait()
		return fmt.Sprintf("killed_after_rows=%d", killedAt), nil
	})
	if err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	err = rec.run("start (resumed)", func() (string, error) {
		before := readState(state)
		c := child()
		if err := c.Run(); err != nil {
			return "", err
		}
		after := readState(state)
		return fmt.Sprintf("resumed_from_rows=%d rows_after=%d phase=%s", before.Backfills[0].Rows, after.Backfills[0].Rows, after.Phase), nil
	})
	if err != nil {
		return err
	}
	if err := checkExpanded(ctx, db, rec); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	st := readState(state)
	m, _ := online.Parse("V6_bench.yaml", []byte(addColumn))
	return rec.run("complete", func() (string, error) {
		return "", (&online.Runner{DB: db}).Complete(ctx, "6", m, st, nil)
	})
}

func readState(path string) *online.State {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	st, err := online.ParseState(b)
	if err != nil {
		return nil
	}
	return st
}

// runChild is the process killed by killAndResume: it runs Start and saves
// the state to a file after every batch, as the engine saves it to history.
func runChild(ctx context.Context, dsn, path string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := online.Parse("V6_bench.yaml", []byte(addColumn))
	if err != nil {
		return err
	}
	st := readState(path)
	store := online.StateStoreFunc(func(ctx context.Context, s *online.State) error {
		b, err := s.JSON()
		if err != nil {
			return err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	})
	return (&online.Runner{DB: db}).Start(ctx, "6", m, st, store)
}

func pgrollInit(ctx context.Context, db *sql.DB) error {
	dir, err := os.MkdirTemp("", "pgroll-base")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, args := range [][]string{{"init"}, {"baseline", "-y", "01_base", dir}} {
		out, err := exec.Command(*pgroll, append(args, "--postgres-url", dsnFor(runDB))...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("pgroll %s: %v: %s", args[0], err, out)
		}
	}
	return nil
}

func pgrollRun(rec *recorder, name, migration string) error {
	dir, err := os.MkdirTemp("", "pgroll")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, name+".json")
	if err := os.WriteFile(file, []byte(migration), 0o644); err != nil {
		return err
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(*pgroll, append(args, "--postgres-url", dsnFor(runDB))...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("pgroll %s: %v: %s", args[0], err, out)
		}
		return "", nil
	}
	if err := rec.run("start", func() (string, error) { return run("start", file) }); err != nil {
		return err
	}
	time.Sleep(3 * time.Second)
	return rec.run("complete", func() (string, error) { return run("complete") })
}
