// Package dialecttest is the conformance suite every [dialect.Dialect]
// passes, against a real server, from its own package's tests:
//
//	func TestConformance(t *testing.T) {
//		dialecttest.Run(t, dialecttest.Config{
//			Dialect: postgres.Dialect{},
//			Open:    func(t *testing.T) *sql.DB { … a fresh, empty database … },
//			KillSessions: …,
//			IntrospectionDDL: …,
//		})
//	}
//
// It checks the runner's lock (contention, a lost lock, a second unlock),
// the history DDL run twice, timeouts set and reset, error classes
// (missing objects, lock timeouts, deadlocks, unique violations, lost
// connections, cancelled statements), quoting round trips of hostile
// names and strings through real objects, table introspection of a table
// with a composite key, defaults, identity, unique, foreign key, index and
// check constraints, the server version, session handling, and what
// another session sees of a runner (its lock, the tables it creates).
//
// What only the engine knows how to do (end another session, read a
// timeout setting, spell identity DDL) comes in through [Config]; what the
// suite asserts is the same for every engine. A new engine is done when it
// passes [Run] with no capability turned off that its server has.
package dialecttest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Config is one engine under test.
type Config struct {
	// Dialect is the engine's dialect, as connect returns it for Open's
	// databases.
	Dialect dialect.Dialect
	// Open returns a fresh, empty database that only this (sub)test uses,
	// closed and removed when it ends. The suite calls it once per subtest.
	Open func(t *testing.T) *sql.DB
	// KillSessions ends, on the server, every session of db's database
	// except the one it runs on: the way a lock's connection dies. Nil for
	// an engine without sessions (SQLite), whose lost-lock test uses
	// LoseLock instead.
	KillSessions func(ctx context.Context, db *sql.DB) error
	// LoseLock makes the runner lock on table t lost without unlocking it:
	// its session killed or its lease taken. Defaults to KillSessions.
	LoseLock func(ctx context.Context, db *sql.DB, t dialect.Table) error
	// TimeoutSettings reads, on conn, the session settings that
	// [dialect.Dialect.TimeoutSQL] changes, as one string, so the suite can
	// tell that set changes them and reset restores them.
	TimeoutSettings func(ctx context.Context, conn *sql.Conn) (string, error)
	// SessionSetting is a statement that changes a setting of the session,
	// and ReadSessionSetting reads that setting back: the suite checks that
	// [dialect.Sessions.ResetSession] undoes it before the connection is
	// used again. Empty for an engine that has no reset (SQLite).
	SessionSetting, ReadSessionSetting string
	// LiteralModes are statements that change how the session reads string
	// literals (standard_conforming_strings, NO_BACKSLASH_ESCAPES): the
	// quoting round trip runs once in the default mode and once after each.
	LiteralModes []string
	// IntrospectionDDL creates, in the engine's own syntax, the two tables
	// the introspection test reads:
	//
	//	parent: id        integer, the primary key, numbered by the engine
	//	                  (identity, AUTO_INCREMENT, INTEGER PRIMARY KEY)
	//	        code      varchar(20) NOT NULL UNIQUE
	//	child:  a         integer NOT NULL
	//	        b         varchar(20) NOT NULL
	//	        parent_id integer NULL, CONSTRAINT child_parent_fk
	//	                  REFERENCES parent (id) ON DELETE CASCADE
	//	        qty       integer NOT NULL DEFAULT 1,
	//	                  CONSTRAINT child_qty_check CHECK (qty > 0)
	//	        note      varchar(100) NULL DEFAULT 'n/a'
	//	        PRIMARY KEY (b, a)   -- key order differs from table order
	//	        CONSTRAINT child_parent_note_key UNIQUE (parent_id, note)
	//	        CREATE INDEX child_note_idx ON child (note DESC)
	IntrospectionDDL []string
	// Deadlocks says the engine detects deadlocks between two sessions
	// (SQLite serialises writers instead).
	Deadlocks bool
	// Sleep returns a statement that runs for about d, for the cancellation
	// test; nil skips it.
	Sleep func(d time.Duration) string
	// Flavors are the [dialect.Flavor]s ServerVersion may answer.
	Flavors []dialect.Flavor
}

// Run runs the whole suite, one subtest per property.
func Run(t *testing.T, c Config) {
	t.Helper()
	if c.Dialect == nil || c.Open == nil {
		t.Fatal("dialecttest: Config needs Dialect and Open")
	}
	if c.LoseLock == nil && c.KillSessions != nil {
		kill := c.KillSessions
		c.LoseLock = func(ctx context.Context, db *sql.DB, _ dialect.Table) error { return kill(ctx, db) }
	}
	s := &suite{c: c}
	t.Run("lock", s.testLock)
	t.Run("history DDL", s.testHistoryDDL)
	t.Run("timeouts", s.testTimeouts)
	t.Run("errors", s.testErrors)
	t.Run("quoting", s.testQuoting)
	t.Run("introspection", s.testIntrospection)
	t.Run("version", s.testVersion)
	t.Run("sessions", s.testSessions)
	t.Run("watch", s.testWatch)
}

// suite carries the configuration through the subtests.
type suite struct{ c Config }

// ctx returns a context that ends with the test or after a minute.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// conn returns a connection of db closed when the test ends.
func conn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(ctx(t))
	if err != nil {
		t.Fatalf("open a connection: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func exec(t *testing.T, e interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := e.ExecContext(ctx(t), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// eventually polls cond until it holds or wait runs out.
func eventually(wait time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}
