package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/dialecttest"
	"github.com/strata-db/strata/internal/testenv"
)

// open returns a fresh MySQL or MariaDB database and its dialect.
func open(t *testing.T) testenv.Engine { return testenv.Open(t, "mysql", testenv.MySQL(t)) }

func TestConformance(t *testing.T) {
	t.Parallel()
	e := open(t)
	v, err := e.Dialect.ServerVersion(context.Background(), e.DB)
	if err != nil {
		t.Fatal(err)
	}
	statementTimeout := "max_execution_time"
	if v.Flavor == dialect.MariaDB {
		statementTimeout = "max_statement_time"
	}
	dialecttest.Run(t, dialecttest.Config{
		Dialect: e.Dialect,
		Open:    func(t *testing.T) *sql.DB { return open(t).DB },
		KillSessions: func(ctx context.Context, db *sql.DB) error {
			c, err := db.Conn(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			rows, err := c.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()")
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			for _, id := range ids {
				_, _ = c.ExecContext(ctx, fmt.Sprintf("KILL %d", id)) // it may have ended since
			}
			return rows.Err()
		},
		TimeoutSettings: func(ctx context.Context, c *sql.Conn) (string, error) {
			var lock, row, stmt string
			err := c.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout, @@SESSION."+statementTimeout).Scan(&lock, &row, &stmt)
			return lock + " " + row + " " + stmt, err
		},
		SessionSetting:     "SET SESSION sql_mode = 'ANSI'",
		ReadSessionSetting: "SELECT @@SESSION.sql_mode",
		LiteralModes: []string{
			"SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')",
			"SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',ANSI_QUOTES')",
		},
		IntrospectionDDL: []string{
			"CREATE TABLE parent (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE)",
			`CREATE TABLE child (
				a INTEGER NOT NULL,
				b VARCHAR(20) NOT NULL,
				parent_id INTEGER NULL,
				qty INTEGER NOT NULL DEFAULT 1,
				note VARCHAR(100) NULL DEFAULT 'n/a',
				PRIMARY KEY (b, a),
				CONSTRAINT child_parent_note_key UNIQUE (parent_id, note),
				CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE,
				CONSTRAINT child_qty_check CHECK (qty > 0))`,
			"CREATE INDEX child_note_idx ON child (note DESC)",
		},
		Deadlocks: true,
		Sleep:     func(d time.Duration) string { return fmt.Sprintf("SELECT SLEEP(%.3f)", d.Seconds()) },
		Flavors:   []dialect.Flavor{dialect.MySQL, dialect.MariaDB},
	})
}

func TestLockHeldNamesTheConnectionAndIgnoresOtherDatabases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, other := open(t), open(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := e.Dialect.Lock(ctx, e.DB, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock(ctx)
	held, holder, err := e.Dialect.LockHeld(ctx, e.DB, tbl)
	if err != nil || !held || !strings.HasPrefix(holder, "connection ") || !strings.HasSuffix(holder, " (see SHOW PROCESSLIST)") {
		t.Errorf("LockHeld = %v, %q, %v; want the holding connection's id", held, holder, err)
	}
	// GET_LOCK names are server-wide: the lock's name carries the database,
	// so the same history table in another database is another project's.
	if held, holder, err := other.Dialect.LockHeld(ctx, other.DB, tbl); err != nil || held {
		t.Errorf("LockHeld from another database = %v, %q, %v; want not held", held, holder, err)
	}
}
