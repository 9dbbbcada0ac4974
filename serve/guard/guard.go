package guard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/migrate"
)

// Defaults of [Options].
const (
	DefaultCacheFor   = 2 * time.Second
	DefaultRetryAfter = 30 * time.Second
)

// Options configure [Middleware], [NewProbe] and [Ready].
type Options struct {
	// Table is the history table, name or schema.name (default
	// strata_schema_migrations): the one strata runs with, since the lock
	// is derived from it.
	Table string
	// Engine is "postgres", "mysql" or "sqlite"; empty means detected
	// from the database's driver.
	Engine string
	// CacheFor is how long an answer is reused (default 2s).
	CacheFor time.Duration
	// RetryAfter is the Retry-After given with a 503 (default 30s).
	RetryAfter time.Duration
	// AllowReadOnly lets GET, HEAD and OPTIONS requests through during a
	// migration.
	AllowReadOnly bool
	// FailClosed answers 503 when the database cannot be asked; by
	// default requests go through (the handler meets the same error).
	FailClosed bool
	// OnError is told of failed checks (default: ignored).
	OnError func(error)
}

func (o Options) table() dialect.Table {
	name := o.Table
	if name == "" {
		name = dialect.DefaultTable
	}
	if s, n, ok := strings.Cut(name, "."); ok {
		return dialect.Table{Schema: s, Name: n}
	}
	return dialect.Table{Name: name}
}

// State is what a check found.
type State struct {
	// Locked: a strata runner holds the lock on the database.
	Locked bool
	// Running: a migration is recorded in state running.
	Running bool
	// CheckedAt is when the database was asked.
	CheckedAt time.Time
	// Err is the check's error, if it failed.
	Err error
}

// Busy reports whether a migration is under way.
func (s State) Busy() bool { return s.Locked || s.Running }

// Probe asks a database whether a migration is under way, caching the
// answer. It is safe for concurrent use.
type Probe struct {
	db      *sql.DB
	o       Options
	engine  string
	table   dialect.Table
	refresh sync.Mutex
	state   atomic.Pointer[State]
	queries atomic.Int64

	// mu guards the query, built on first use and again when the history
	// table appears.
	mu       sync.Mutex
	prepared bool
	lockName string
	query    string
	args     []any
	hasTable bool
}

// NewProbe returns a probe of db.
func NewProbe(db *sql.DB, o Options) *Probe {
	if o.CacheFor <= 0 {
		o.CacheFor = DefaultCacheFor
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	engine := o.Engine
	if engine == "" {
		engine = detect(db)
	}
	return &Probe{db: db, o: o, engine: engine, table: o.table()}
}

func detect(db *sql.DB) string {
	t := strings.ToLower(fmt.Sprintf("%T", db.Driver()))
	switch {
	case strings.Contains(t, "mysql"):
		return "mysql"
	case strings.Contains(t, "sqlite"):
		return "sqlite"
	}
	return "postgres"
}

// Queries returns how many queries the probe has sent.
func (p *Probe) Queries() int64 { return p.queries.Load() }

// State returns the cached answer, asking the database when it is older
// than Options.CacheFor. While one caller asks, the others get the previous
// answer, so at most one query runs per interval.
func (p *Probe) State(ctx context.Context) State {
	if s := p.state.Load(); s != nil && time.Since(s.CheckedAt) < p.o.CacheFor {
		return *s
	}
	if !p.refresh.TryLock() {
		if s := p.state.Load(); s != nil {
			return *s
		}
		p.refresh.Lock() // the first answer: wait for it
	}
	defer p.refresh.Unlock()
	if s := p.state.Load(); s != nil && time.Since(s.CheckedAt) < p.o.CacheFor {
		return *s
	}
	s := p.Check(ctx)
	p.state.Store(&s)
	return s
}

// Check asks the database now, without the cache, in one query (two
// the first time the history table is seen).
func (p *Probe) Check(ctx context.Context) State {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := State{CheckedAt: time.Now()}
	var running int64
	err := p.check(ctx, &s, &running)
	s.Running = running > 0
	if err != nil {
		s.Err = fmt.Errorf("guard: check for a running migration: %w", err)
		if p.o.OnError != nil {
			p.o.OnError(s.Err)
		}
	}
	return s
}

func (p *Probe) check(ctx context.Context, s *State, running *int64) error {
	if !p.prepared {
		if err := p.prepare(ctx); err != nil {
			return err
		}
		p.prepared = true
	}
	if p.engine != "postgres" && p.engine != "mysql" {
		// SQLite: its lock is invisible from outside; the running row only.
		p.queries.Add(1)
		err := p.db.QueryRowContext(ctx, "SELECT count(*) FROM "+p.table.Qualified(p.d())+" WHERE state = 'running'").Scan(running)
		if err != nil && isMissing(err) {
			err = nil
		}
		return err
	}
	var tableExists bool
	p.queries.Add(1)
	if p.hasTable {
		err := p.db.QueryRowContext(ctx, p.query, p.args...).Scan(&s.Locked, &tableExists, running)
		if err != nil && isMissing(err) {
			p.hasTable = false // dropped: ask without it next time
			p.query, p.args = p.buildQuery()
		}
		return err
	}
	if err := p.db.QueryRowContext(ctx, p.query, p.args...).Scan(&s.Locked, &tableExists); err != nil || !tableExists {
		return err
	}
	p.hasTable = true
	p.query, p.args = p.buildQuery()
	p.queries.Add(1)
	return p.db.QueryRowContext(ctx, p.query, p.args...).Scan(&s.Locked, &tableExists, running)
}

func (p *Probe) d() dialect.Dialect {
	switch p.engine {
	case "mysql":
		return mysql.Dialect{}
	case "sqlite":
		return sqliteQuote{}
	}
	return postgres.Dialect{}
}

func (p *Probe) prepare(ctx context.Context) error {
	switch p.engine {
	case "postgres":
	case "mysql":
		var db sql.NullString
		if err := p.db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil {
			return fmt.Errorf("guard: read the current database: %w", err)
		}
		p.lockName = mysql.LockName(db.String, p.table)
	default:
		return nil
	}
	p.query, p.args = p.buildQuery()
	return nil
}

// buildQuery returns the one statement a check sends: whether the lock is
// held, whether the history table exists and, once it does, how many
// migrations are running.
func (p *Probe) buildQuery() (string, []any) {
	switch p.engine {
	case "postgres":
		key := uint64(postgres.LockKey(p.table))
		args := []any{int64(key >> 32), int64(key & 0xffffffff), p.regclass()}
		q := `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1),
	to_regclass($3) IS NOT NULL`
		if p.hasTable {
			q += `, (SELECT count(*) FROM ` + p.table.Qualified(postgres.Dialect{}) + ` WHERE state = 'running')`
		}
		return q, args
	case "mysql":
		q := `SELECT IS_USED_LOCK(?) IS NOT NULL, EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = ` + p.mysqlSchema() + ` AND table_name = ?)`
		if p.hasTable {
			q += `, (SELECT count(*) FROM ` + p.table.Qualified(mysql.Dialect{}) + ` WHERE state = 'running')`
		}
		return q, []any{p.lockName, p.table.Name}
	}
	return "", nil
}

func (p *Probe) regclass() string {
	d := postgres.Dialect{}
	return p.table.Qualified(d)
}

func (p *Probe) mysqlSchema() string {
	if p.table.Schema != "" {
		return "'" + strings.ReplaceAll(p.table.Schema, "'", "''") + "'"
	}
	return "DATABASE()"
}

type sqliteQuote struct{ dialect.Dialect }

func (sqliteQuote) Quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Middleware returns a wrapper that answers 503 with Retry-After while a
// migration is under way on db (see [Probe.State]).
func Middleware(db *sql.DB, o Options) func(http.Handler) http.Handler {
	p := NewProbe(db, o)
	return p.Middleware
}

// Middleware wraps next with the probe's guard.
func (p *Probe) Middleware(next http.Handler) http.Handler {
	retry := strconv.Itoa(int((p.o.RetryAfter + time.Second - 1) / time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.o.AllowReadOnly && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions) {
			next.ServeHTTP(w, r)
			return
		}
		s := p.State(r.Context())
		if s.Busy() || (s.Err != nil && p.o.FailClosed) {
			w.Header().Set("Retry-After", retry)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "a database migration is in progress; retry later", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ErrSchemaTooOld is returned (wrapped) by [Ready] when the database's
// schema is older than the application needs.
var ErrSchemaTooOld = errors.New("database schema is older than this application needs")

// Ready returns nil when the highest applied (or expanded) migration of db
// is at least minVersion, and an error wrapping [ErrSchemaTooOld] naming
// both versions otherwise; also when no migration has run. Call it when the
// application starts. opts may give the history table (zero or one).
func Ready(ctx context.Context, db *sql.DB, minVersion string, opts ...Options) error {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	want, err := migrate.ParseVersion(minVersion)
	if err != nil {
		return fmt.Errorf("guard: minimum version: %w", err)
	}
	p := NewProbe(db, o)
	rows, err := db.QueryContext(ctx, "SELECT version FROM "+p.table.Qualified(p.d())+" WHERE state IN ('applied', 'expanded')")
	if err != nil {
		if isMissing(err) {
			return fmt.Errorf("%w: no migration has run (history table %s does not exist), need %s: run `strata up`", ErrSchemaTooOld, p.table, want)
		}
		return fmt.Errorf("guard: read history table %s: %w", p.table, err)
	}
	defer rows.Close()
	have := migrate.Version("0")
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("guard: read history table %s: %w", p.table, err)
		}
		pv, err := migrate.ParseVersion(v)
		if err != nil {
			continue // a repeatable migration (R__name)
		}
		if pv.Compare(have) > 0 {
			have = pv
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("guard: read history table %s: %w", p.table, err)
	}
	if have.Compare(want) < 0 {
		return fmt.Errorf("%w: database is at %s, need %s: run `strata up`", ErrSchemaTooOld, have, want)
	}
	return nil
}

func isMissing(err error) bool {
	s := err.Error()
	return postgres.Dialect{}.IsMissingObject(err) || strings.Contains(s, "doesn't exist") || strings.Contains(s, "no such table")
}
