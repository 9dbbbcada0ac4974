package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/dialecttest"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testenv"
)

// openDB returns a fresh SQLite database for one test.
func openDB(t *testing.T) *sql.DB { return testenv.Open(t, "sqlite", testenv.SQLite(t)).DB }

func TestConformance(t *testing.T) {
	t.Parallel()
	d := sqlite.Dialect{}
	dialecttest.Run(t, dialecttest.Config{
		Dialect: d,
		Open:    openDB,
		// A lease is lost when another runner takes it after it expired.
		LoseLock: func(ctx context.Context, db *sql.DB, t dialect.Table) error {
			lock := dialect.Table{Schema: t.Schema, Name: t.Name + "_lock"}
			_, err := db.ExecContext(ctx, "UPDATE "+lock.Qualified(d)+" SET owner = 'another runner', expires_at = 0")
			return err
		},
		TimeoutSettings: func(ctx context.Context, c *sql.Conn) (string, error) {
			var v string
			err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&v)
			return v, err
		},
		IntrospectionDDL: []string{
			`CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, code VARCHAR(20) NOT NULL UNIQUE)`,
			`CREATE TABLE child (
				a INTEGER NOT NULL,
				b VARCHAR(20) NOT NULL,
				parent_id INTEGER NULL CONSTRAINT child_parent_fk REFERENCES parent (id) ON DELETE CASCADE,
				qty INTEGER NOT NULL DEFAULT 1 CONSTRAINT child_qty_check CHECK (qty > 0),
				note VARCHAR(100) NULL DEFAULT 'n/a',
				PRIMARY KEY (b, a),
				CONSTRAINT child_parent_note_key UNIQUE (parent_id, note))`,
			`CREATE INDEX child_note_idx ON child (note DESC)`,
		},
		Flavors: []dialect.Flavor{dialect.SQLite},
	})
}

func TestLockHeldReadsTheLeaseAndItsExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, db := sqlite.Dialect{}, openDB(t)
	tbl := dialect.Table{Name: dialect.DefaultTable}
	l, err := d.Lock(ctx, db, tbl, dialect.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock(ctx)
	held, holder, err := d.LockHeld(ctx, db, tbl)
	if err != nil || !held || !strings.HasPrefix(holder, "pid ") || !strings.Contains(holder, "(lease expires in ") {
		t.Errorf("LockHeld = %v, %q, %v; want the lease's owner", held, holder, err)
	}
	// A runner killed mid-run leaves its lease behind; once it expired,
	// another runner may take the lock, so nobody holds it.
	if _, err := db.ExecContext(ctx, `UPDATE "strata_schema_migrations_lock" SET expires_at = 1`); err != nil {
		t.Fatal(err)
	}
	if held, holder, err := d.LockHeld(ctx, db, tbl); err != nil || held {
		t.Errorf("LockHeld on an expired lease = %v, %q, %v; want not held", held, holder, err)
	}
}
