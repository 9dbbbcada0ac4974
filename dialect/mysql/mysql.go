// Package mysql is the MySQL and MariaDB [dialect.Dialect]. DDL commits
// implicitly on these engines, so the runner records its progress statement
// by statement; the runner's lock is GET_LOCK on a dedicated connection.
// Tables are described from information_schema, errors classified by error
// number, a statement the driver gave up on is stopped with KILL QUERY, and
// string literals are written so they read the same with or without
// NO_BACKSLASH_ESCAPES.
package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/strata-db/strata/dialect"
)

// Dialect is MySQL or MariaDB. The zero value is MySQL; set MariaDB for
// MariaDB servers (the runner detects it from VERSION()).
type Dialect struct {
	MariaDB bool
}

var _ dialect.Dialect = Dialect{}

// Name implements [dialect.Dialect].
func (Dialect) Name() string { return "mysql" }

// Quote implements [dialect.Quoter]: `ident`, with backticks doubled,
// which holds whether or not sql_mode has ANSI_QUOTES.
func (Dialect) Quote(ident string) string { return dialect.QuoteDoubled(ident, '`') }

// QuoteLiteral implements [dialect.Quoter]. A backslash is an escape
// character in a MySQL string unless sql_mode has NO_BACKSLASH_ESCAPES, so
// no quoted form of a string holding one reads the same in both modes.
// Such a string (and one holding a NUL byte or invalid UTF-8) is written as
// a hexadecimal literal X'…', which every mode reads alike and which MySQL
// and MariaDB accept wherever DDL takes a string: ENUM and SET members,
// DEFAULT, CHECK, generated columns. MariaDB re-prints the alternative
// _utf8mb4 X'…' unescaped in a stored CHECK, so that `\b` became a
// backspace; it is not used. A hexadecimal literal is a binary string: in a
// comparison it compares bytes rather than by the column's collation, and
// it is read as the column's character set, so non-ASCII text is exact in
// utf8mb4 columns only. Other strings are 'text' with quotes doubled.
func (Dialect) QuoteLiteral(s string) string {
	if strings.ContainsAny(s, "\\\x00") || !utf8.ValidString(s) {
		return "X'" + strings.ToUpper(hex.EncodeToString([]byte(s))) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// TransactionalDDL implements [dialect.Dialect].
func (Dialect) TransactionalDDL() bool { return false }

// Placeholder implements [dialect.Dialect].
func (Dialect) Placeholder(int) string { return "?" }

// HistoryDDL implements [dialect.Dialect].
func (d Dialect) HistoryDDL(t dialect.Table) []string {
	var stmts []string
	if t.Schema != "" {
		stmts = append(stmts, "CREATE DATABASE IF NOT EXISTS "+d.Quote(t.Schema))
	}
	stmts = append(stmts, `CREATE TABLE IF NOT EXISTS `+t.Qualified(d)+` (
	version        VARCHAR(191) NOT NULL PRIMARY KEY,
	name           VARCHAR(512) NOT NULL,
	kind           VARCHAR(16) NOT NULL,
	checksum       VARCHAR(64) NOT NULL,
	state          VARCHAR(16) NOT NULL,
	started_at     DATETIME(6) NOT NULL,
	finished_at    DATETIME(6) NULL,
	execution_ms   BIGINT NOT NULL DEFAULT 0,
	applied_by     VARCHAR(255) NOT NULL DEFAULT '',
	strata_version VARCHAR(64) NOT NULL DEFAULT '',
	error          TEXT NOT NULL,
	progress       TEXT NOT NULL,
	source         LONGTEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`)
	return stmts
}

// TimeoutSQL implements [dialect.Dialect]. MySQL has no transaction-scoped
// settings, so they are always set on the session and reset afterwards.
// lock_wait_timeout bounds metadata-lock waits (whole seconds);
// innodb_lock_wait_timeout bounds row-lock waits. The statement timeout uses
// MariaDB's max_statement_time; MySQL's max_execution_time only applies to
// SELECT, so on MySQL the runner's context deadline is what enforces it.
func (d Dialect) TimeoutSQL(lock, statement time.Duration, _ bool) (set, reset []string) {
	if lock > 0 {
		secs := int(math.Ceil(lock.Seconds()))
		set = append(set,
			fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs),
			fmt.Sprintf("SET SESSION innodb_lock_wait_timeout = %d", secs))
		reset = append(reset, "SET SESSION lock_wait_timeout = DEFAULT", "SET SESSION innodb_lock_wait_timeout = DEFAULT")
	}
	if statement > 0 {
		if d.MariaDB {
			set = append(set, fmt.Sprintf("SET SESSION max_statement_time = %.3f", statement.Seconds()))
			reset = append(reset, "SET SESSION max_statement_time = DEFAULT")
		} else {
			set = append(set, fmt.Sprintf("SET SESSION max_execution_time = %d", statement.Milliseconds()))
			reset = append(reset, "SET SESSION max_execution_time = DEFAULT")
		}
	}
	return set, reset
}

// LockName derives the GET_LOCK name (at most 64 characters) from the
// database and history table.
func LockName(database string, t dialect.Table) string {
	sum := sha256.Sum256([]byte(database + "." + t.String()))
	return "strata:" + hex.EncodeToString(sum[:])[:40]
}

// Lock implements [dialect.Dialect] with GET_LOCK on a dedicated connection.
func (d Dialect) Lock(ctx context.Context, db *sql.DB, t dialect.Table, opts dialect.LockOptions) (dialect.Lock, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open lock connection: %w", err)
	}
	var database sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&database); err != nil {
		conn.Close()
		return nil, fmt.Errorf("read current database: %w", err)
	}
	name := LockName(database.String, t)
	what := fmt.Sprintf("lock %s (history table %s)", name, t)
	return dialect.TakeConnLock(ctx, conn, what, opts, d, t, func(ctx context.Context, conn *sql.Conn) (bool, error) {
		var got sql.NullInt64
		err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got)
		return got.Valid && got.Int64 == 1, err
	}, func(ctx context.Context, c *sql.Conn) error {
		_, err := c.ExecContext(ctx, "DO RELEASE_LOCK(?)", name)
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
	var name sql.NullString
	err := db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&name)
	return name.String, err
}
