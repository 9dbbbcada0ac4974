package lint

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/internal/testenv"
)

// claimsFixture is traceFixture plus what some rules need: a partitioned
// table with a partition and a table to attach, a domain in use, and a
// table referencing users.
const claimsFixture = traceFixture + `
CREATE TABLE meas (d int) PARTITION BY RANGE (d);
CREATE TABLE meas_0 PARTITION OF meas FOR VALUES FROM (0) TO (100);
CREATE TABLE meas_1 (d int);
INSERT INTO meas_0 SELECT g FROM generate_series(0, 49) g;
INSERT INTO meas_1 SELECT g FROM generate_series(100, 149) g;
CREATE DOMAIN code AS text;
CREATE TABLE coupons (id int PRIMARY KEY, code code, user_id bigint REFERENCES users (id));
INSERT INTO coupons SELECT g, 'c' || g, g FROM generate_series(1, 50) g;
`

// claim is what a rule says PostgreSQL does to table with the last
// statement of sql: the lock it holds (at least), whether it rewrites or
// reads the whole table, or the SQLSTATE it fails with.
type claim struct {
	rule, sql, table string
	lock             lockMode
	rewrites, scans  bool
	fails            string // SQLSTATE on a table with rows, or in a transaction block
	outsideTx        bool   // cannot run in a transaction: run as is, compare relfilenode
}

// ruleClaims has a case for every PostgreSQL rule that says what a
// statement locks, rewrites, scans or fails with, as PostgreSQL 15 does it
// (the rules for older servers, add-column-default-rewrite and
// enum-value-in-transaction, are checked here on their other side: 15 does
// not rewrite, and runs ADD VALUE in a transaction).
var ruleClaims = []claim{
	{rule: "add-column-volatile-default", sql: "ALTER TABLE users ADD COLUMN tok uuid DEFAULT gen_random_uuid();", table: "users", lock: lockAccessExclusive, rewrites: true},
	{rule: "add-column-generated", sql: "ALTER TABLE users ADD COLUMN g bigint GENERATED ALWAYS AS (id * 2) STORED;", table: "users", lock: lockAccessExclusive, rewrites: true},
	{rule: "add-column-required", sql: "ALTER TABLE users ADD COLUMN tenant bigint NOT NULL;", table: "users", fails: "23502"},
	{rule: "add-column-constraint", sql: "ALTER TABLE users ADD COLUMN h text UNIQUE;", table: "users", lock: lockAccessExclusive, scans: true},
	{rule: "set-not-null", sql: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", table: "users", lock: lockAccessExclusive, scans: true},
	{rule: "alter-column-type", sql: "ALTER TABLE orders ALTER COLUMN id TYPE bigint;", table: "orders", lock: lockAccessExclusive, rewrites: true},
	{rule: "rename-column", sql: "ALTER TABLE users RENAME COLUMN plan TO tier;", table: "users", lock: lockAccessExclusive},
	{rule: "rename-table", sql: "ALTER TABLE coupons RENAME TO vouchers;", table: "vouchers", lock: lockAccessExclusive},
	{rule: "drop-column", sql: "ALTER TABLE users DROP COLUMN plan;", table: "users", lock: lockAccessExclusive},
	{rule: "drop-table", sql: "DROP TABLE coupons;", table: "users", lock: lockAccessExclusive}, // the referenced table loses a trigger
	{rule: "add-foreign-key", sql: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);", table: "orders", lock: lockShareRowExclusive, scans: true},
	{rule: "add-check-constraint", sql: "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0);", table: "orders", lock: lockAccessExclusive, scans: true},
	{rule: "add-unique-constraint", sql: "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);", table: "users", lock: lockAccessExclusive, scans: true},
	{rule: "add-primary-key", sql: "ALTER TABLE meas_1 ADD PRIMARY KEY (d);", table: "meas_1", lock: lockAccessExclusive, scans: true},
	{rule: "add-exclusion-constraint", sql: "ALTER TABLE orders ADD CONSTRAINT ex EXCLUDE USING btree (status WITH =) WHERE (id < 0);", table: "orders", lock: lockAccessExclusive, scans: true},
	{rule: "alter-domain-constraint", sql: "ALTER DOMAIN code ADD CONSTRAINT code_len CHECK (length(VALUE) < 10);", table: "coupons", lock: lockShare, scans: true},
	{rule: "validate-in-transaction", sql: "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT ck;", table: "orders", lock: lockAccessExclusive, scans: true},
	{rule: "create-index-non-concurrent", sql: "CREATE INDEX i ON orders (total);", table: "orders", lock: lockShare, scans: true},
	{rule: "concurrently-in-transaction", sql: "BEGIN;\nCREATE INDEX CONCURRENTLY i ON orders (total);", fails: "25001"},
	{rule: "statement-not-transactional", sql: "BEGIN;\nVACUUM orders;", fails: "25001"},
	{rule: "drop-index-non-concurrent", sql: "DROP INDEX orders_status_idx;", table: "orders", lock: lockAccessExclusive},
	{rule: "reindex-non-concurrent", sql: "REINDEX TABLE orders;", table: "orders", lock: lockShare, scans: true},
	{rule: "vacuum-full", sql: "VACUUM FULL orders;", table: "orders", rewrites: true, outsideTx: true},
	{rule: "cluster", sql: "CLUSTER orders USING orders_pkey;", table: "orders", lock: lockAccessExclusive, rewrites: true},
	{rule: "refresh-matview-non-concurrent", sql: "REFRESH MATERIALIZED VIEW order_totals;", table: "order_totals", lock: lockAccessExclusive, rewrites: true},
	{rule: "table-rewrite", sql: "ALTER TABLE orders SET UNLOGGED;", table: "orders", lock: lockAccessExclusive, rewrites: true},
	{rule: "attach-partition-scan", sql: "ALTER TABLE meas ATTACH PARTITION meas_1 FOR VALUES FROM (100) TO (200);", table: "meas_1", lock: lockAccessExclusive, scans: true},
	{rule: "detach-partition-non-concurrent", sql: "ALTER TABLE meas DETACH PARTITION meas_0;", table: "meas", lock: lockAccessExclusive},
	{rule: "lock-table", sql: "LOCK TABLE orders IN SHARE MODE;", table: "orders", lock: lockShare},
	{rule: "update-without-where", sql: "UPDATE users SET active = false;", table: "users", lock: lockRowExclusive, scans: true},
	{rule: "delete-without-where", sql: "DELETE FROM orders;", table: "orders", lock: lockRowExclusive, scans: true},
	{rule: "backfill-in-ddl-transaction", sql: "ALTER TABLE users ADD COLUMN full_name text;\nUPDATE users SET full_name = name WHERE full_name IS NULL;", table: "users", lock: lockAccessExclusive, scans: true},
	{rule: "truncate", sql: "TRUNCATE users CASCADE;", table: "coupons", lock: lockAccessExclusive, rewrites: true}, // new, empty storage
	{rule: "add-column-default-rewrite", sql: "ALTER TABLE users ADD COLUMN c int NOT NULL DEFAULT 0;", table: "users", lock: lockAccessExclusive},
	{rule: "enum-value-in-transaction", sql: "CREATE TYPE mood AS ENUM ('a');\nALTER TYPE mood ADD VALUE 'b';"},
}

// TestRuleClaimsOnPostgres checks, for every PostgreSQL rule, that the
// rule fires on its case and that PostgreSQL 15 does what the rule says:
// the lock read from pg_locks, a rewrite from pg_class.relfilenode, a full
// read from pg_stat_xact_user_tables, or the error it fails with. Each case
// runs on a fresh copy of claimsFixture (a few rows in every table).
func TestRuleClaimsOnPostgres(t *testing.T) {
	dsn := testenv.Postgres(t)
	covered := map[string]bool{}
	for _, c := range ruleClaims {
		covered[c.rule] = true
	}
	for _, r := range Rules() {
		pg := false
		for _, e := range r.Engines {
			pg = pg || e == Postgres
		}
		switch {
		case !pg, strings.HasPrefix(r.ID, "prefer-"), strings.HasPrefix(r.ID, "trace-"),
			r.ID == "lint-ignore-reason", r.ID == "dynamic-sql", r.ID == "lock-timeout-missing":
			// Style, the linter's own, or no claim about a lock taken
			// (lock-timeout-missing is about waiting, not holding).
			continue
		}
		if !covered[r.ID] {
			t.Errorf("rule %s has no case in ruleClaims", r.ID)
		}
	}
	dir := t.TempDir()
	for i, c := range ruleClaims {
		c := c
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			f := filepath.Join(dir, strings.ReplaceAll(c.rule, "-", "_")+"_"+itoa(i)+".sql")
			if err := os.WriteFile(f, []byte(c.sql+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			version := "15"
			switch c.rule {
			case "add-column-default-rewrite":
				version = "10"
			case "enum-value-in-transaction":
				version = "11"
			}
			l := mustNew(t, Options{ServerVersion: version})
			rep, err := l.LintFile(context.Background(), f, []byte(c.sql+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(" "+rulesOf(rep, "")+" ", " "+c.rule+" ") {
				t.Fatalf("the rule does not fire on its case: %q", rulesOf(rep, ""))
			}
			switch {
			case c.rule == "enum-value-in-transaction":
				// On 15 (12 and later) ADD VALUE runs in a transaction.
				if err := runInTx(t, c.sql); err != nil {
					t.Fatalf("PostgreSQL 15 refused ADD VALUE in a transaction: %v", err)
				}
				return
			case c.fails != "":
				err := runInTx(t, strings.TrimPrefix(c.sql, "BEGIN;\n"))
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != c.fails {
					t.Fatalf("PostgreSQL: %v, want SQLSTATE %s", err, c.fails)
				}
				return
			case c.outsideTx:
				if got := rewritesOutsideTx(t, c.sql, c.table); got != c.rewrites {
					t.Fatalf("rewrites %s: PostgreSQL %v, rule %v", c.table, got, c.rewrites)
				}
				return
			}
			tr, err := Trace(context.Background(), dsn, []string{f}, TraceOptions{Schema: claimsFixture})
			if err != nil {
				t.Fatal(err)
			}
			real := tr.Statements[len(tr.Statements)-1]
			if real.Err != "" || real.Skipped != "" {
				t.Fatalf("trace: %s %s", real.Err, real.Skipped)
			}
			// The file runs in one transaction: the last statement runs
			// holding every lock the earlier ones took (the trace lists
			// each lock under the statement that took it).
			held := lockNone
			for _, st := range tr.Statements {
				for _, lk := range st.Locks {
					if relKey(lk.Object) == c.table && lockModeOf(lk.Mode) > held {
						held = lockModeOf(lk.Mode)
					}
				}
			}
			has := func(list []string) bool {
				for _, x := range list {
					if relKey(x) == c.table {
						return true
					}
				}
				return false
			}
			if c.rule == "add-column-default-rewrite" {
				// The PostgreSQL 10 rule: 11 and later store the default
				// once, so 15 must not rewrite.
				if has(real.Rewrites) {
					t.Fatalf("PostgreSQL 15 rewrote %s for a constant default", c.table)
				}
				return
			}
			if held < c.lock {
				t.Errorf("lock on %s: PostgreSQL holds %s, the rule says %s", c.table, held, c.lock)
			}
			if has(real.Rewrites) != c.rewrites {
				t.Errorf("rewrites %s: PostgreSQL %v, the rule says %v", c.table, has(real.Rewrites), c.rewrites)
			}
			if reads := has(real.Rewrites) || has(real.Scans); reads != (c.rewrites || c.scans) {
				t.Errorf("reads all of %s: PostgreSQL %v, the rule says %v", c.table, reads, c.rewrites || c.scans)
			}
		})
	}
}

// runInTx loads claimsFixture into a fresh database and runs sql inside
// one transaction there, returning its error.
func runInTx(t *testing.T, stmts string) error {
	t.Helper()
	db := freshFixture(t)
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(context.Background(), stmts)
	return err
}

// rewritesOutsideTx loads claimsFixture into a fresh database, runs stmt
// on its own and reports whether table's relfilenode changed.
func rewritesOutsideTx(t *testing.T, stmt, table string) bool {
	t.Helper()
	db := freshFixture(t)
	ctx := context.Background()
	node := func() (n uint32) {
		if err := db.QueryRowContext(ctx, "SELECT relfilenode FROM pg_class WHERE oid = $1::regclass", table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := node()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatal(err)
	}
	return node() != before
}

// freshFixture is a new database holding claimsFixture.
func freshFixture(t *testing.T) *sql.DB {
	t.Helper()
	e := testenv.Open(t, "postgres", testenv.Postgres(t))
	if _, err := e.DB.ExecContext(context.Background(), claimsFixture); err != nil {
		t.Fatal(err)
	}
	return e.DB
}
