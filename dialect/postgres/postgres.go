// Package postgres is the PostgreSQL [dialect.Dialect]: transactional DDL,
// a session advisory lock held on a dedicated connection, and lock_timeout /
// statement_timeout scoped with SET LOCAL. Tables are described from
// pg_catalog (PostgreSQL 12 or later), errors classified by SQLSTATE, and a
// session handed back to the pool after RESET ALL.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Dialect is PostgreSQL. The zero value is ready to use.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name implements [dialect.Dialect].
func (Dialect) Name() string { return "postgres" }

// Quote implements [dialect.Quoter]: "ident", with quotes doubled.
func (Dialect) Quote(ident string) string { return dialect.QuoteDoubled(ident, '"') }

// QuoteLiteral implements [dialect.Quoter]: 'text' with quotes doubled, and
// the E'…' form with backslashes doubled when s holds one, which reads the
// same whatever standard_conforming_strings says. PostgreSQL text cannot
// hold a NUL byte: a literal with one is rejected by the server.
func (Dialect) QuoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// TransactionalDDL implements [dialect.Dialect].
func (Dialect) TransactionalDDL() bool { return true }

// Placeholder implements [dialect.Dialect].
func (Dialect) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

// HistoryDDL implements [dialect.Dialect].
func (d Dialect) HistoryDDL(t dialect.Table) []string {
	var stmts []string
	if t.Schema != "" {
		stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+d.Quote(t.Schema))
	}
	stmts = append(stmts, `CREATE TABLE IF NOT EXISTS `+t.Qualified(d)+` (
	version        text PRIMARY KEY,
	name           text NOT NULL,
	kind           text NOT NULL,
	checksum       text NOT NULL,
	state          text NOT NULL,
	started_at     timestamptz NOT NULL,
	finished_at    timestamptz,
	execution_ms   bigint NOT NULL DEFAULT 0,
	applied_by     text NOT NULL DEFAULT '',
	strata_version text NOT NULL DEFAULT '',
	error          text NOT NULL DEFAULT '',
	progress       text NOT NULL DEFAULT '',
	source         text NOT NULL DEFAULT ''
)`)
	return stmts
}

// TimeoutSQL implements [dialect.Dialect].
func (Dialect) TimeoutSQL(lock, statement time.Duration, inTx bool) (set, reset []string) {
	scope, undo := "SET ", "RESET %s"
	if inTx {
		// SET LOCAL ends with the transaction; TO DEFAULT hands what is
		// left of it the default again.
		scope, undo = "SET LOCAL ", "SET LOCAL %s TO DEFAULT"
	}
	if lock > 0 {
		set = append(set, fmt.Sprintf("%slock_timeout = %d", scope, lock.Milliseconds()))
		reset = append(reset, fmt.Sprintf(undo, "lock_timeout"))
	}
	if statement > 0 {
		set = append(set, fmt.Sprintf("%sstatement_timeout = %d", scope, statement.Milliseconds()))
		reset = append(reset, fmt.Sprintf(undo, "statement_timeout"))
	}
	return set, reset
}

// LockKey derives the advisory lock key from the history table's name, so
// two strata projects with different history tables in one database do not
// block each other.
func LockKey(t dialect.Table) int64 {
	h := fnv.New64a()
	h.Write([]byte("strata:" + t.String()))
	return int64(h.Sum64())
}

// Lock implements [dialect.Dialect] with pg_try_advisory_lock on a dedicated
// connection, polled so that the wait can be bounded and reported.
func (d Dialect) Lock(ctx context.Context, db *sql.DB, t dialect.Table, opts dialect.LockOptions) (dialect.Lock, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open lock connection: %w", err)
	}
	key := LockKey(t)
	what := fmt.Sprintf("advisory lock %d (history table %s)", key, t)
	return dialect.TakeConnLock(ctx, conn, what, opts, d, t, func(ctx context.Context, conn *sql.Conn) (bool, error) {
		var ok bool
		err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok)
		return ok, err
	}, func(ctx context.Context, c *sql.Conn) error {
		_, err := c.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
		return err
	})
}

// IsMissingObject implements [dialect.Dialect].
func (d Dialect) IsMissingObject(err error) bool {
	c, _ := d.Classify(err)
	return c == dialect.MissingObject
}

// CurrentDatabase implements [dialect.Dialect].
func (Dialect) CurrentDatabase(ctx context.Context, db *sql.DB) (string, error) {
	var name string
	err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name)
	return name, err
}
