package sqlsplit

import (
	"strings"
	"testing"
)

func TestIsTransactionControl(t *testing.T) {
	t.Parallel()
	all := []Dialect{Postgres, MySQL, SQLite}
	cases := []struct {
		name string
		sql  string
		yes  []Dialect // dialects where it is transaction control; the rest say no
	}{
		{"bare BEGIN", "BEGIN", all},
		{"BEGIN with a semicolon and a comment", "/* tx */ begin;", all},
		{"BEGIN WORK", "BEGIN WORK", all},
		{"BEGIN TRANSACTION", "BEGIN TRANSACTION", all},
		{"BEGIN ISOLATION LEVEL", "BEGIN ISOLATION LEVEL SERIALIZABLE", all},
		{"BEGIN NOT DEFERRABLE is a PostgreSQL transaction", "BEGIN NOT DEFERRABLE", all},
		{"BEGIN READ ONLY", "BEGIN READ ONLY", all},
		{"SQLite BEGIN IMMEDIATE", "BEGIN IMMEDIATE TRANSACTION", all},
		{"BEGIN ATOMIC is a function body", "BEGIN ATOMIC SELECT 1; END", nil},
		{"MariaDB BEGIN NOT ATOMIC is a block", "BEGIN NOT ATOMIC SELECT 1; END", nil},
		{"START TRANSACTION", "START TRANSACTION READ WRITE", all},
		{"START SLAVE is not", "START SLAVE", nil},
		{"COMMIT", "COMMIT", all},
		{"COMMIT AND CHAIN", "COMMIT WORK AND NO CHAIN", all},
		{"COMMIT PREPARED finishes another transaction", "COMMIT PREPARED 'tx1'", nil},
		{"ROLLBACK", "ROLLBACK", all},
		{"ROLLBACK WORK AND CHAIN", "ROLLBACK WORK AND CHAIN", all},
		{"ROLLBACK TO SAVEPOINT is not", "ROLLBACK TO SAVEPOINT sp1", nil},
		{"ROLLBACK TRANSACTION TO is not", "ROLLBACK TRANSACTION TO sp1", nil},
		{"SAVEPOINT is not", "SAVEPOINT sp1", nil},
		{"END commits in PostgreSQL and SQLite", "END", []Dialect{Postgres, SQLite}},
		{"END TRANSACTION", "END TRANSACTION;", []Dialect{Postgres, SQLite}},
		{"ABORT rolls back in PostgreSQL", "ABORT", []Dialect{Postgres}},
		{"SET TRANSACTION only configures one", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", nil},
		{"an ordinary statement", "CREATE TABLE begin_log (id int)", nil},
		{"an empty statement", "-- nothing", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, d := range all {
				want := false
				for _, y := range c.yes {
					want = want || y == d
				}
				if got := IsTransactionControl(c.sql, d); got != want {
					t.Errorf("IsTransactionControl(%q, %v) = %v, want %v", c.sql, d, got, want)
				}
			}
		})
	}
	if IsTransactionControl("BEGIN", 0) {
		t.Error("IsTransactionControl with no dialect = true")
	}
}

func TestNoTransaction(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		d    Dialect
		sql  string
		want string // a word the reason must contain; "" means ok is false
	}{
		{"CREATE INDEX CONCURRENTLY", Postgres, "CREATE INDEX CONCURRENTLY idx_users_email ON users (email)", "CREATE INDEX CONCURRENTLY"},
		{"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS", Postgres, "create unique index concurrently if not exists i on t (a)", "CREATE INDEX CONCURRENTLY"},
		{"a plain CREATE INDEX", Postgres, "CREATE INDEX idx ON t (a)", ""},
		{"an index named concurrently", Postgres, `CREATE INDEX "concurrently" ON t (a)`, ""},
		{"DROP INDEX CONCURRENTLY", Postgres, "DROP INDEX CONCURRENTLY IF EXISTS idx", "DROP INDEX CONCURRENTLY"},
		{"REINDEX TABLE CONCURRENTLY", Postgres, "REINDEX TABLE CONCURRENTLY users", "REINDEX CONCURRENTLY"},
		{"REINDEX with CONCURRENTLY in its options", Postgres, "REINDEX (VERBOSE, CONCURRENTLY) INDEX idx", "REINDEX CONCURRENTLY"},
		{"REINDEX DATABASE", Postgres, "REINDEX DATABASE app", "REINDEX DATABASE"},
		{"a plain REINDEX INDEX", Postgres, "REINDEX INDEX idx", ""},
		{"REINDEX of a table named system", Postgres, "REINDEX TABLE system", ""},
		{"REINDEX into a tablespace named database", Postgres, "REINDEX (TABLESPACE database, VERBOSE) TABLE t", ""},
		{"VACUUM", Postgres, "VACUUM (ANALYZE) users", "VACUUM"},
		{"CREATE DATABASE", Postgres, "CREATE DATABASE app", "CREATE DATABASE"},
		{"DROP DATABASE", Postgres, "DROP DATABASE IF EXISTS app", "DROP DATABASE"},
		{"CREATE TABLESPACE", Postgres, "CREATE TABLESPACE fast LOCATION '/ssd'", "CREATE TABLESPACE"},
		{"DROP TABLESPACE", Postgres, "DROP TABLESPACE fast", "DROP TABLESPACE"},
		{"ALTER DATABASE SET TABLESPACE", Postgres, "ALTER DATABASE app SET TABLESPACE fast", "SET TABLESPACE"},
		{"ALTER DATABASE SET a parameter", Postgres, "ALTER DATABASE app SET work_mem = '64MB'", ""},
		{"ALTER SYSTEM", Postgres, "ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM"},
		{"DETACH PARTITION CONCURRENTLY", Postgres, "ALTER TABLE public.events DETACH PARTITION public.events_2020 CONCURRENTLY", "DETACH PARTITION"},
		{"a plain DETACH PARTITION", Postgres, "ALTER TABLE events DETACH PARTITION events_2020", ""},
		{"CREATE SUBSCRIPTION", Postgres, "CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p", "replication slot"},
		{"DROP SUBSCRIPTION", Postgres, "DROP SUBSCRIPTION s", "replication slot"},
		{"CLUSTER without a table", Postgres, "CLUSTER VERBOSE", "CLUSTER"},
		{"CLUSTER with a table is fine", Postgres, "CLUSTER users USING users_pkey", ""},
		{"DISCARD ALL", Postgres, "DISCARD ALL", "DISCARD ALL"},
		{"COMMIT PREPARED", Postgres, "COMMIT PREPARED 'tx1'", "COMMIT PREPARED"},
		{"an ordinary ALTER TABLE", Postgres, "ALTER TABLE users ADD COLUMN email text", ""},
		{"REFRESH MATERIALIZED VIEW CONCURRENTLY runs in a transaction", Postgres, "REFRESH MATERIALIZED VIEW CONCURRENTLY mv", ""},
		{"SQLite VACUUM", SQLite, "VACUUM", "VACUUM"},
		{"SQLite VACUUM INTO", SQLite, "VACUUM main INTO 'backup.db'", "VACUUM"},
		{"SQLite PRAGMA foreign_keys = OFF", SQLite, "PRAGMA foreign_keys = OFF", "foreign_keys"},
		{"SQLite PRAGMA main.journal_mode=WAL", SQLite, "PRAGMA main.journal_mode=WAL", "journal_mode"},
		{"SQLite reading a PRAGMA is fine", SQLite, "PRAGMA foreign_keys", ""},
		{"SQLite CREATE INDEX", SQLite, "CREATE INDEX i ON t (a)", ""},
		{"MySQL has none", MySQL, "CREATE DATABASE app", ""},
		{"MySQL VACUUM-like OPTIMIZE", MySQL, "OPTIMIZE TABLE t", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			reason, ok := NoTransaction(c.sql, c.d)
			if ok != (c.want != "") {
				t.Fatalf("NoTransaction(%q, %v) = %q, %v; want ok %v", c.sql, c.d, reason, ok, c.want != "")
			}
			if !strings.Contains(reason, c.want) {
				t.Errorf("reason %q does not mention %q", reason, c.want)
			}
			if !ok && reason != "" {
				t.Errorf("reason %q given with ok false", reason)
			}
		})
	}
}
