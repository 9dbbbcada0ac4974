package migrate_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/strata-db/strata/migrate"
)

// sessionProbe is, per engine, what a migration may leave on its session:
// a statement that changes a session setting, and a query that reads it
// with the timeouts the runner sets.
var sessionProbe = map[string]struct{ change, read string }{
	"postgres": {"SET application_name = 'leaky'",
		"SELECT current_setting('lock_timeout') || ' ' || current_setting('statement_timeout') || ' ' || current_setting('application_name')"},
	"mysql": {"SET @leaky = 'leaky'",
		"SELECT CONCAT(@@session.lock_wait_timeout, ' ', @@session.innodb_lock_wait_timeout, ' ', COALESCE(@leaky, ''))"},
	// SQLite keeps what a PRAGMA changes: it has no reset (see
	// dialect.Sessions); busy_timeout is the runner's to restore.
	"sqlite": {"SELECT 1", "SELECT CAST(timeout AS TEXT) FROM pragma_busy_timeout"},
}

// The timeouts a migration's directives set hold for that migration only:
// the next migration of the run, and every connection of the pool after the
// run, has the defaults again, and so has no setting a file made on the
// run's session. Each engine runs one migration in a transaction, one
// without, and one that records what it sees.
func TestAMigrationsSessionStaysWithTheRun(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		probe := sessionProbe[e.engine]
		before := e.read(probe.read)
		e.write("1_t.sql", "CREATE TABLE seen (v varchar(200));\n")
		e.write("2_tx.sql", "-- strata:lock-timeout 3s\n-- strata:statement-timeout 4s\nINSERT INTO seen VALUES ('tx');\n")
		e.write("3_seen.sql", "INSERT INTO seen "+probe.read+";\n")
		e.write("4_notx.sql", "-- strata:no-transaction\n-- strata:lock-timeout 5s\n"+probe.change+";\nINSERT INTO seen VALUES ('no-tx');\n")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		if seen := e.read("SELECT v FROM seen WHERE v <> 'tx' AND v <> 'no-tx'"); seen != before {
			t.Errorf("the migration after one with timeouts saw %q, want the defaults %q", seen, before)
		}
		e.eachPooledConn(func(c *sql.Conn) {
			var got string
			if err := c.QueryRowContext(e.ctx, probe.read).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != before {
				t.Errorf("a pooled connection after the run has %q, want %q as before it", got, before)
			}
		})
	})
}

// In a single transaction, the next migration gets the defaults again.
func TestSingleTransactionResetsTimeoutsBetweenMigrations(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		if e.engine == "mysql" {
			t.Skip("MySQL cannot run DDL in a single transaction")
		}
		probe := sessionProbe[e.engine]
		before := e.read(probe.read)
		e.write("1_t.sql", "-- strata:lock-timeout 3s\n-- strata:statement-timeout 4s\nCREATE TABLE seen (v varchar(200));\n")
		e.write("2_seen.sql", "INSERT INTO seen "+probe.read+";\n")
		if _, err := e.provider().Run(e.ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: true}); err != nil {
			t.Fatal(err)
		}
		if seen := e.read("SELECT v FROM seen"); seen != before {
			t.Errorf("the second migration of the transaction saw %q, want the defaults %q", seen, before)
		}
	})
}

// eachPooledConn calls f on every connection the pool holds (and one more),
// holding them all at once so that none is handed out twice.
func (e *env) eachPooledConn(f func(c *sql.Conn)) {
	e.t.Helper()
	n := e.DB.Stats().OpenConnections + 1
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := e.DB.Conn(ctx)
		if err != nil {
			e.t.Fatal(fmt.Errorf("hold the pool's connections: %w", err))
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		f(c)
	}
}
