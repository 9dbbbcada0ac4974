package migrate_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// forEachEngine runs fn on each engine, in parallel, against a fresh
// database on a real server.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	testenv.ForEachEngine(t, func(t *testing.T, te testenv.Engine) {
		t.Parallel()
		fn(t, &env{t: t, ctx: context.Background(), Engine: te, engine: te.Name, files: fstest.MapFS{}})
	})
}

// env is one engine's database and the migration files of one test.
type env struct {
	testenv.Engine
	t      *testing.T
	ctx    context.Context
	engine string
	files  fstest.MapFS
}

func (e *env) write(name, body string) { e.files[name] = &fstest.MapFile{Data: []byte(body)} }

func (e *env) provider(opts ...migrate.Option) *migrate.Provider {
	e.t.Helper()
	opts = append([]migrate.Option{migrate.WithDialect(e.Dialect), migrate.WithLockTimeout(30 * time.Second)}, opts...)
	p, err := migrate.NewProvider(e.DB, e.files, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// count and read run a one-value query on a connection of the pool.
func (e *env) count(query string) int   { e.t.Helper(); return scanOne[int](e, query) }
func (e *env) read(query string) string { e.t.Helper(); return scanOne[string](e, query) }

func scanOne[T any](e *env, query string) T {
	e.t.Helper()
	var v T
	if err := e.DB.QueryRowContext(e.ctx, query).Scan(&v); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return v
}

func (e *env) tableExists(name string) bool {
	e.t.Helper()
	_, err := e.Dialect.DescribeTable(e.ctx, e.DB, dialect.Table{Name: name})
	if err != nil && !errors.Is(err, dialect.ErrNotFound) {
		e.t.Fatal(err)
	}
	return err == nil
}

func (e *env) states() map[string]string {
	e.t.Helper()
	rows, err := e.DB.QueryContext(e.ctx, "SELECT version, state FROM strata_schema_migrations")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var v, s string
		if err := rows.Scan(&v, &s); err != nil {
			e.t.Fatal(err)
		}
		out[v] = s
	}
	return out
}

func TestUpDownStatus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_users.up.sql", "CREATE TABLE users (id int PRIMARY KEY, name varchar(100) NOT NULL);\nCREATE INDEX users_name_idx ON users (name);\n")
		e.write("1_users.down.sql", "DROP INDEX users_name_idx"+map[string]string{"mysql": " ON users"}[e.engine]+";\nDROP TABLE users;\n")
		e.write("2_orders.sql", "-- strata:up\nCREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id));\nINSERT INTO users VALUES (1, 'ada');\nINSERT INTO orders VALUES (1, 1);\n-- strata:down\nDROP TABLE orders;\nDELETE FROM users;\n")
		e.write("3_no_down.sql", "CREATE TABLE audit (id int);")
		p := e.provider()

		res, err := p.Up(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Done) != 3 {
			t.Fatalf("applied %d, want 3", len(res.Done))
		}
		if got := e.states(); got["1"] != "applied" || got["2"] != "applied" || got["3"] != "applied" {
			t.Fatalf("history = %v", got)
		}
		if e.count("SELECT count(*) FROM orders") != 1 {
			t.Fatal("data migration did not run")
		}
		res, err = p.Up(e.ctx)
		if err != nil || len(res.Done) != 0 {
			t.Fatalf("second up: %v %v", res, err)
		}
		sts, err := p.Status(e.ctx)
		if err != nil || len(sts) != 3 || sts[2].State != "applied" || sts[2].AppliedAt.IsZero() {
			t.Fatalf("status = %+v, %v", sts, err)
		}

		// A migration without a down section blocks down with a clear error.
		_, err = p.Down(e.ctx)
		if !errors.Is(err, migrate.ErrNoDown) || !strings.Contains(err.Error(), "3_no_down.sql") {
			t.Fatalf("down of a migration without down: %v", err)
		}
		delete(e.files, "3_no_down.sql")
		if _, err := e.DB.ExecContext(e.ctx, "DELETE FROM strata_schema_migrations WHERE version = '3'"); err != nil {
			t.Fatal(err)
		}
		p = e.provider()
		if _, err := p.DownTo(e.ctx, "0"); err != nil {
			t.Fatal(err)
		}
		if e.tableExists("users") || e.tableExists("orders") {
			t.Fatal("down --to 0 left tables")
		}
		if len(e.states()) != 0 {
			t.Fatalf("history after down --to 0: %v", e.states())
		}
		// up N and --to V.
		if res, err := p.UpBy(e.ctx, 1); err != nil || len(res.Done) != 1 {
			t.Fatalf("up 1: %+v %v", res, err)
		}
		if res, err := p.UpTo(e.ctx, "2"); err != nil || len(res.Done) != 1 {
			t.Fatalf("up --to 2: %+v %v", res, err)
		}
		if res, err := p.Redo(e.ctx); err != nil || len(res.Done) != 2 {
			t.Fatalf("redo: %+v %v", res, err)
		}
	})
}

func TestFailedStatementLeavesNothingHalfApplied(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_ok.sql", "CREATE TABLE keep_me (id int);")
		e.write("2_bad.sql", "-- strata:up\nCREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE never (id int);\n-- strata:down\nDROP TABLE half;\n")
		e.write("3_after.sql", "CREATE TABLE after_bad (id int);")
		p := e.provider()
		res, err := p.Up(e.ctx)
		var merr *migrate.MigrationError
		if !errors.As(err, &merr) {
			t.Fatalf("want MigrationError, got %v", err)
		}
		var serr *migrate.StatementError
		if !errors.As(err, &serr) || serr.Line != 4 || serr.Index != 3 || serr.File != "2_bad.sql" {
			t.Fatalf("statement error = %+v", serr)
		}
		if len(res.Done) != 1 || len(res.NotRun) != 1 || res.NotRun[0] != "3" {
			t.Fatalf("done %v not run %v", res.Done, res.NotRun)
		}
		if !e.tableExists("keep_me") || e.tableExists("half") || e.tableExists("never") || e.tableExists("after_bad") {
			t.Fatalf("tables: keep_me %v half %v never %v after %v", e.tableExists("keep_me"), e.tableExists("half"), e.tableExists("never"), e.tableExists("after_bad"))
		}
		if _, ok := e.states()["2"]; ok {
			t.Fatalf("the rolled-back migration has a history row: %v", e.states())
		}
		switch e.engine {
		case "mysql":
			if !strings.Contains(merr.Outcome, "auto-rollback ran the down section") || !strings.Contains(merr.Outcome, "pending again") {
				t.Fatalf("outcome = %q", merr.Outcome)
			}
		default:
			if !strings.Contains(merr.Outcome, "rolled back") {
				t.Fatalf("outcome = %q", merr.Outcome)
			}
		}
	})
}

func TestNoTransactionFailureWithoutDownIsRecordedFailed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_bad.sql", "-- strata:no-transaction\nCREATE TABLE part_one (id int);\nINSERT INTO missing VALUES (1);\n")
		p := e.provider()
		_, err := p.Up(e.ctx)
		var merr *migrate.MigrationError
		if !errors.As(err, &merr) || !merr.Dirty || !strings.Contains(merr.Outcome, "1 of 2 statements ran") || !strings.Contains(merr.Outcome, "strata repair 1") {
			t.Fatalf("err = %v", err)
		}
		if e.states()["1"] != "failed" {
			t.Fatalf("state = %v", e.states())
		}
		// Nothing runs over a failed migration.
		_, err = p.Up(e.ctx)
		if !errors.Is(err, migrate.ErrDirty) || !strings.Contains(err.Error(), "1 of 2 statements completed") {
			t.Fatalf("second up: %v", err)
		}
		// A human drops the table; repair --pending lets it run again.
		if _, err := e.DB.ExecContext(e.ctx, "DROP TABLE part_one"); err != nil {
			t.Fatal(err)
		}
		rr, err := p.Repair(e.ctx, "1", true)
		if err != nil || rr.Action != "marked pending" {
			t.Fatalf("repair: %+v %v", rr, err)
		}
		delete(e.files, "1_bad.sql")
		e.write("1_bad.sql", "-- strata:no-transaction\nCREATE TABLE part_one (id int);\n")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDriftIsRefusedAndRepairAcceptsIt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_a.sql", "CREATE TABLE a (id int);\n")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.write("1_a.sql", "CREATE TABLE a (id int); -- edited\n")
		e.write("2_b.sql", "CREATE TABLE b (id int);\n")
		p := e.provider()
		_, err := p.Up(e.ctx)
		var de *migrate.DriftError
		if !errors.As(err, &de) || de.File != "1_a.sql" || de.Stored == de.Current || !strings.Contains(err.Error(), "strata repair 1") {
			t.Fatalf("drift: %v", err)
		}
		if e.tableExists("b") {
			t.Fatal("ran past drift")
		}
		rr, err := p.Repair(e.ctx, "1", false)
		if err != nil || rr.Action != "accepted edit" || !strings.Contains(rr.Diff, "+CREATE TABLE a (id int); -- edited") {
			t.Fatalf("repair: %+v %v", rr, err)
		}
		if _, err := p.Up(e.ctx); err != nil || !e.tableExists("b") {
			t.Fatalf("up after repair: %v", err)
		}
	})
}

func TestOutOfOrderIsRefusedUnlessAllowed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_a.sql", "CREATE TABLE a (id int);")
		e.write("3_c.sql", "CREATE TABLE c (id int);")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.write("2_b.sql", "CREATE TABLE b (id int);")
		_, err := e.provider().Up(e.ctx)
		// The error names the versions in fields; the flag that allows
		// them is the CLI's to name.
		var oe *migrate.OutOfOrderError
		if !errors.Is(err, migrate.ErrOutOfOrder) || !errors.As(err, &oe) || len(oe.Pending) != 1 || oe.Pending[0] != "2" || oe.Newest != "3" {
			t.Fatalf("out of order: %v", err)
		}
		if _, err := e.provider(migrate.WithAllowOutOfOrder(true)).Up(e.ctx); err != nil || !e.tableExists("b") {
			t.Fatalf("allowed: %v", err)
		}
	})
}

func TestConcurrentRunnersApplyEachMigrationOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_log.sql", "CREATE TABLE applied_log (v int);")
		for i := 2; i <= 12; i++ {
			e.write(fmt.Sprintf("%d_m.sql", i), fmt.Sprintf("INSERT INTO applied_log VALUES (%d);", i))
		}
		var wg sync.WaitGroup
		errs := make([]error, 10)
		done := make([]int, 10)
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tg, err := connect.Open(e.ctx, e.URL)
				if err != nil {
					errs[i] = err
					return
				}
				defer tg.Close()
				p, err := migrate.NewProvider(tg.DB, e.files, migrate.WithDialect(tg.Dialect), migrate.WithLockTimeout(time.Minute))
				if err != nil {
					errs[i] = err
					return
				}
				res, err := p.Up(e.ctx)
				errs[i] = err
				if res != nil {
					done[i] = len(res.Done)
				}
			}()
		}
		wg.Wait()
		total := 0
		for i, err := range errs {
			if err != nil {
				t.Errorf("runner %d: %v", i, err)
			}
			total += done[i]
		}
		if total != 12 {
			t.Errorf("runners applied %d migrations in all, want 12", total)
		}
		if n := e.count("SELECT count(*) FROM applied_log"); n != 11 {
			t.Errorf("applied_log has %d rows, want 11", n)
		}
	})
}

func TestSessionSettingsHoldForTheFile(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		switch e.engine {
		case "postgres":
			e.write("1_s.sql", "CREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE in_app (id int);\n")
			if _, err := e.provider().Up(e.ctx); err != nil {
				t.Fatal(err)
			}
			if e.count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = 'in_app'") != 1 {
				t.Fatal("SET search_path did not hold for the next statement")
			}
		case "mysql":
			e.write("1_s.sql", "SET FOREIGN_KEY_CHECKS = 0;\nCREATE TABLE child (id int PRIMARY KEY, p int, FOREIGN KEY (p) REFERENCES parent (id));\nCREATE TABLE parent (id int PRIMARY KEY);\nSET FOREIGN_KEY_CHECKS = 1;\n")
			if _, err := e.provider().Up(e.ctx); err != nil {
				t.Fatal(err)
			}
		case "sqlite":
			e.write("1_s.sql", "PRAGMA foreign_keys = ON;\nCREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (p INTEGER REFERENCES parent (id));\n")
			if _, err := e.provider().Up(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestGoMigrationsRunWithTheFiles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_t.sql", "CREATE TABLE t (id int);")
		e.write("3_u.sql", "-- strata:up\nCREATE TABLE u (id int);\n-- strata:down\nDROP TABLE u;")
		g := migrate.GoMigration{Version: 2, Name: "fill",
			Up: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1), (2)")
				return err
			},
			Down: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "DELETE FROM t")
				return err
			}}
		bad := migrate.GoMigration{Version: 4, Name: "boom", Up: func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (99)"); err != nil {
				return err
			}
			return errors.New("boom")
		}}
		p := e.provider(migrate.WithGoMigrations(g, bad))
		_, err := p.Up(e.ctx)
		if err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("err = %v", err)
		}
		if n := e.count("SELECT count(*) FROM t"); n != 2 {
			t.Fatalf("t has %d rows: the failing Go migration's insert must roll back", n)
		}
		if _, err := p.DownTo(e.ctx, "1"); err != nil {
			t.Fatal(err)
		}
		if e.count("SELECT count(*) FROM t") != 0 {
			t.Fatal("Go down did not run")
		}
	})
}

func TestEnvsubReplacesOutsideLiterals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_e.sql", "-- strata:envsub\nCREATE TABLE ${TABLE} (v varchar(50));\nINSERT INTO ${TABLE} VALUES ('${TABLE}');\n")
		vars := map[string]string{"TABLE": "from_env"}
		p := e.provider(migrate.WithVars(func(n string) (string, bool) { v, ok := vars[n]; return v, ok }))
		if _, err := p.Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := e.DB.QueryRowContext(e.ctx, "SELECT v FROM from_env").Scan(&v); err != nil || v != "${TABLE}" {
			t.Fatalf("literal = %q, %v", v, err)
		}
		e.write("2_e.sql", "-- strata:envsub\nCREATE TABLE ${UNSET_NAME} (v int);\n")
		_, err := e.provider().Up(e.ctx)
		var pe *migrate.ParseError
		if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(err.Error(), "UNSET_NAME") {
			t.Fatalf("unset var: %v", err)
		}
	})
}

func TestCancelRollsBackAndReleasesTheLock(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		sleep := map[string]string{"postgres": "SELECT pg_sleep(20)", "mysql": "SELECT SLEEP(20)",
			"sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}[e.engine]
		e.write("1_first.sql", "CREATE TABLE first_one (id int);")
		e.write("2_slow.sql", "CREATE TABLE slow_one (id int);\n"+sleep+";\n")
		ctx, cancel := context.WithCancel(e.ctx)
		time.AfterFunc(1500*time.Millisecond, cancel)
		start := time.Now()
		res, err := e.provider().Up(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("cancel took %s", time.Since(start))
		}
		if len(res.Done) != 1 || !e.tableExists("first_one") {
			t.Fatalf("the first migration must stay applied: %+v", res)
		}
		st := e.states()
		if e.engine == "mysql" {
			// MySQL committed the CREATE TABLE; the row says so.
			if st["2"] != "failed" {
				t.Fatalf("mysql state = %v", st)
			}
		} else {
			if _, ok := st["2"]; ok || e.tableExists("slow_one") {
				t.Fatalf("cancelled migration left %v / table %v", st, e.tableExists("slow_one"))
			}
		}
		// The lock is free: another runner proceeds at once.
		delete(e.files, "2_slow.sql")
		p := e.provider(migrate.WithLockTimeout(2 * time.Second))
		if e.engine == "mysql" {
			if _, err := p.Repair(e.ctx, "2", true); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Up(e.ctx); err != nil {
			t.Fatalf("after cancel: %v", err)
		}
	})
}

func TestSingleTransaction(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		for i := 1; i <= 20; i++ {
			e.write(fmt.Sprintf("%d_t.sql", i), fmt.Sprintf("CREATE TABLE t%d (id int);", i))
		}
		p := e.provider()
		res, err := p.Run(e.ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: true})
		if e.engine == "mysql" {
			if err == nil || !strings.Contains(err.Error(), "transactional DDL") {
				t.Fatalf("mysql single transaction: %v", err)
			}
			return
		}
		if err != nil || len(res.Done) != 20 || len(e.states()) != 20 {
			t.Fatalf("single: %v, %d done, %d rows", err, len(res.Done), len(e.states()))
		}
		e.write("21_bad.sql", "CREATE TABLE t21 (id int);")
		e.write("22_bad.sql", "CREATE TABLE t1 (id int);")
		_, err = e.provider().Run(e.ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: true})
		if err == nil || e.tableExists("t21") || len(e.states()) != 20 {
			t.Fatalf("failed single transaction left t21=%v rows=%d err=%v", e.tableExists("t21"), len(e.states()), err)
		}
	})
}

func TestBaselineAndRepeatables(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		if _, err := e.DB.ExecContext(e.ctx, "CREATE TABLE legacy (id int)"); err != nil {
			t.Fatal(err)
		}
		e.write("V1__legacy.sql", "CREATE TABLE legacy (id int);")
		e.write("V2__new.sql", "CREATE TABLE newer (id int);")
		e.write("R__view.sql", "CREATE VIEW v_legacy AS SELECT id FROM legacy;")
		p := e.provider()
		if _, err := p.Baseline(e.ctx, "1"); err != nil {
			t.Fatal(err)
		}
		res, err := p.Up(e.ctx)
		if err != nil || len(res.Done) != 2 || !e.tableExists("newer") {
			t.Fatalf("up after baseline: %+v %v", res, err)
		}
		if res, err := e.provider().Up(e.ctx); err != nil || len(res.Done) != 0 {
			t.Fatalf("unchanged repeatable reran: %+v %v", res, err)
		}
		e.write("R__view.sql", "DROP VIEW IF EXISTS v_legacy;\nCREATE VIEW v_legacy AS SELECT id, id AS id2 FROM legacy;")
		if res, err := e.provider().Up(e.ctx); err != nil || len(res.Done) != 1 {
			t.Fatalf("changed repeatable: %+v %v", res, err)
		}
	})
}
