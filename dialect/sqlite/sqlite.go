// Package sqlite is the SQLite [dialect.Dialect], strata's embedded default.
//
// SQLite allows one writer at a time, so the runner's lock cannot be a long
// write transaction (it would block the migration's own writes). It is a
// lease instead: a row in a small lock table that a runner claims with a
// conditional UPDATE, renews while it works and clears when it is done. A
// runner that was killed leaves a lease that expires on its own.
//
// Tables are described from SQLite's pragmas and, for what they do not
// report (CHECK constraints, generated-column expressions, index
// expressions and predicates, constraint names), from the CREATE
// statements SQLite keeps.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Dialect is SQLite. The zero value is ready to use.
type Dialect struct {
	// Lease is how long a lock lives without renewal; default 30s.
	Lease time.Duration
}

var _ dialect.Dialect = Dialect{}

// Name implements [dialect.Dialect].
func (Dialect) Name() string { return "sqlite" }

// Quote implements [dialect.Quoter]: "ident", with quotes doubled.
func (Dialect) Quote(ident string) string { return dialect.QuoteDoubled(ident, '"') }

// QuoteLiteral implements [dialect.Quoter]: 'text' with quotes doubled
// (backslashes mean nothing to SQLite). A string holding a NUL byte, which a
// quoted literal would cut short, is written (CAST(X'…' AS TEXT)).
func (Dialect) QuoteLiteral(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "(CAST(X'" + strings.ToUpper(hex.EncodeToString([]byte(s))) + "' AS TEXT))"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// TransactionalDDL implements [dialect.Dialect].
func (Dialect) TransactionalDDL() bool { return true }

// Placeholder implements [dialect.Dialect].
func (Dialect) Placeholder(int) string { return "?" }

// HistoryDDL implements [dialect.Dialect]. Times are stored as text in UTC.
func (d Dialect) HistoryDDL(t dialect.Table) []string {
	return []string{`CREATE TABLE IF NOT EXISTS ` + t.Qualified(d) + ` (
	version        TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	kind           TEXT NOT NULL,
	checksum       TEXT NOT NULL,
	state          TEXT NOT NULL,
	started_at     TIMESTAMP NOT NULL,
	finished_at    TIMESTAMP,
	execution_ms   INTEGER NOT NULL DEFAULT 0,
	applied_by     TEXT NOT NULL DEFAULT '',
	strata_version TEXT NOT NULL DEFAULT '',
	error          TEXT NOT NULL DEFAULT '',
	progress       TEXT NOT NULL DEFAULT '',
	source         TEXT NOT NULL DEFAULT ''
)`}
}

// TimeoutSQL implements [dialect.Dialect]. SQLite has no lock timeout of its
// own beyond busy_timeout, which the connection already sets; the runner's
// context deadline enforces a statement timeout.
func (Dialect) TimeoutSQL(lock, _ time.Duration, inTx bool) (set, reset []string) {
	if lock > 0 && !inTx {
		set = append(set, fmt.Sprintf("PRAGMA busy_timeout = %d", lock.Milliseconds()))
		reset = append(reset, "PRAGMA busy_timeout = 10000")
	}
	return set, reset
}

func lockTable(t dialect.Table) dialect.Table {
	return dialect.Table{Schema: t.Schema, Name: t.Name + "_lock"}
}

// Lock implements [dialect.Dialect] with a lease row in <history>_lock.
func (d Dialect) Lock(ctx context.Context, db *sql.DB, t dialect.Table, opts dialect.LockOptions) (dialect.Lock, error) {
	lease := d.Lease
	if lease <= 0 {
		lease = 30 * time.Second
	}
	lt := lockTable(t).Qualified(d)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+lt+` (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	owner TEXT NOT NULL,
	expires_at INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create lock table %s: %w", lt, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO `+lt+` (id, owner, expires_at) VALUES (1, '', 0)`); err != nil {
		return nil, fmt.Errorf("create lock row in %s: %w", lt, err)
	}
	owner := ownerID()
	what := "lease lock in " + lockTable(t).String()
	err := dialect.Poll(ctx, what, opts, func(ctx context.Context) (bool, string, error) {
		now := time.Now()
		res, err := db.ExecContext(ctx, `UPDATE `+lt+` SET owner = ?, expires_at = ? WHERE id = 1 AND (owner = '' OR expires_at < ?)`,
			owner, now.Add(lease).UnixMilli(), now.UnixMilli())
		if err != nil {
			if isBusy(err) {
				return false, "", nil
			}
			return false, "", err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, "", nil
		}
		// Best effort: the holder only makes the wait's message clearer.
		_, holder, _ := d.LockHeld(ctx, db, t)
		return false, holder, nil
	})
	if err != nil {
		return nil, err
	}
	l := &leaseLock{db: db, table: lt, owner: owner, lease: lease, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.renew()
	return l, nil
}

func isBusy(err error) bool {
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}

func ownerID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("pid %d on %s (%s)", os.Getpid(), host, hex.EncodeToString(b))
}

type leaseLock struct {
	db    *sql.DB
	table string
	owner string
	lease time.Duration
	lost  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	err   error
}

// renew extends the lease at a third of its length; two missed renewals in a
// row still leave a third of the lease before another runner may take it.
func (l *leaseLock) renew() {
	defer close(l.done)
	t := time.NewTicker(l.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.lease/3)
			res, err := l.db.ExecContext(ctx, `UPDATE `+l.table+` SET expires_at = ? WHERE id = 1 AND owner = ?`,
				time.Now().Add(l.lease).UnixMilli(), l.owner)
			cancel()
			if err != nil && isBusy(err) {
				continue
			}
			if n, _ := rowsAffected(res, err); n != 1 {
				close(l.lost)
				return
			}
		}
	}
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (l *leaseLock) Lost() <-chan struct{} { return l.lost }

// Held checks that the lease row still names this runner.
func (l *leaseLock) Held(ctx context.Context) error {
	var owner string
	if err := l.db.QueryRowContext(ctx, `SELECT owner FROM `+l.table+` WHERE id = 1`).Scan(&owner); err != nil {
		return fmt.Errorf("%w: %v", dialect.ErrLockLost, err)
	}
	if owner != l.owner {
		return fmt.Errorf("%w: the lease is now held by %q", dialect.ErrLockLost, owner)
	}
	return nil
}

func (l *leaseLock) Unlock(ctx context.Context) error {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		_, l.err = l.db.ExecContext(ctx, `UPDATE `+l.table+` SET owner = '', expires_at = 0 WHERE id = 1 AND owner = ?`, l.owner)
	})
	return l.err
}

// IsMissingObject implements [dialect.Dialect].
func (d Dialect) IsMissingObject(err error) bool {
	c, _ := d.Classify(err)
	return c == dialect.MissingObject
}

// CurrentDatabase implements [dialect.Dialect].
func (Dialect) CurrentDatabase(ctx context.Context, db *sql.DB) (string, error) {
	var seq int
	var name, file string
	err := db.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file)
	if errors.Is(err, sql.ErrNoRows) {
		return "main", nil
	}
	if file == "" {
		file = name
	}
	return file, err
}
