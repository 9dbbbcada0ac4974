package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/detect"
)

// Provider runs the migrations of one directory against one database. It is
// safe for concurrent use: every run takes the database's runner lock, so two
// providers (or two processes) never apply the same migration.
type Provider struct {
	db         *sql.DB
	d          dialect.Dialect
	fsys       fs.FS
	migrations []*Migration
	store      Store
	sqlStore   *SQLStore // the default store, when no other was given
	o          options

	skipped []string // files left out, reported as plan warnings

	mu       sync.Mutex
	resolved bool
	// flyway holds the values of Flyway's built-in placeholders, read when
	// the history table is resolved.
	flyway map[string]string
	// sessionIDs holds the server's session id of each run's connection
	// (*sql.Conn → int64) while the run lasts.
	sessionIDs sync.Map
}

type options struct {
	dialect         dialect.Dialect
	table           dialect.Table
	goMigrations    []GoMigration
	logger          *slog.Logger
	observers       []Observer
	lockWait        time.Duration
	allowOutOfOrder bool
	autoRollback    bool
	allowDrift      bool
	vars            func(string) (string, bool)
	appliedBy       string
	strataVersion   string
	checkSum        bool
	dirName         string
	kinds           map[Kind]StepRunner
	skipMissingDown bool
	checker         Checker
	loaded          []*Migration
	loadSkipped     []string
	planCheck       func(ctx context.Context, pl *Plan) error
	store           Store
	safety          *safety
}

// Option configures a [Provider].
type Option func(*options) error

// WithDialect sets the engine instead of detecting it from db's driver.
func WithDialect(d dialect.Dialect) Option {
	return func(o *options) error { o.dialect = d; return nil }
}

// WithTable names the history table (default strata_schema_migrations in the
// connection's default schema). A name with a dot is schema.table.
func WithTable(name string) Option {
	return func(o *options) error {
		schema, table, ok := strings.Cut(name, ".")
		if !ok {
			schema, table = "", name
		}
		if table == "" || strings.Contains(table, ".") {
			return fmt.Errorf("history table %q: want name or schema.name", name)
		}
		o.table = dialect.Table{Schema: schema, Name: table}
		return nil
	}
}

// WithGoMigrations adds migrations written in Go; they sort with the files by
// version, and a version used twice is an error.
func WithGoMigrations(ms ...GoMigration) Option {
	return func(o *options) error { o.goMigrations = append(o.goMigrations, ms...); return nil }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { o.logger = l; return nil }
}

// WithObserver adds an observer of the runner's events.
func WithObserver(obs Observer) Option {
	return func(o *options) error { o.observers = append(o.observers, obs); return nil }
}

// WithLockTimeout bounds how long a run waits for another runner to release
// the lock (default 5 minutes). Zero means try once.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("lock timeout %s is negative", d)
		}
		o.lockWait = d
		return nil
	}
}

// WithAllowOutOfOrder lets pending migrations older than the newest applied
// one run (default: refused with [ErrOutOfOrder]).
func WithAllowOutOfOrder(allow bool) Option {
	return func(o *options) error { o.allowOutOfOrder = allow; return nil }
}

// WithAutoRollback sets whether a migration that fails outside a transaction
// has its down section run to undo what it did (default true).
func WithAutoRollback(on bool) Option {
	return func(o *options) error { o.autoRollback = on; return nil }
}

// WithAllowDrift lets runs proceed when applied files changed (default:
// refused with [ErrDrift]). Prefer `strata repair`, which records the edit.
func WithAllowDrift(allow bool) Option {
	return func(o *options) error { o.allowDrift = allow; return nil }
}

// WithVars supplies the values of ${NAME} placeholders in files that enable
// them (-- strata:envsub, -- +goose ENVSUB ON).
func WithVars(lookup func(name string) (string, bool)) Option {
	return func(o *options) error { o.vars = lookup; return nil }
}

// WithAppliedBy sets the applied_by value (default user@host).
func WithAppliedBy(who string) Option {
	return func(o *options) error { o.appliedBy = who; return nil }
}

// WithStrataVersion sets the strata_version value recorded in history.
func WithStrataVersion(v string) Option {
	return func(o *options) error { o.strataVersion = v; return nil }
}

// WithSumCheck sets whether runs verify strata.sum when the directory has
// one (default true).
func WithSumCheck(on bool) Option {
	return func(o *options) error { o.checkSum = on; return nil }
}

// WithDirName sets the directory name messages put before file names.
func WithDirName(dir string) Option {
	return func(o *options) error { o.dirName = dir; return nil }
}

// WithSkipMissingDown makes down step over migrations that have no down
// part, removing their history rows without running anything, as
// golang-migrate and goose do. By default such a down is refused with
// [ErrNoDown].
func WithSkipMissingDown(on bool) Option {
	return func(o *options) error { o.skipMissingDown = on; return nil }
}

// WithMigrations hands NewProvider migrations already returned by [Load]
// (with the same engine and Go migrations) and the files Load left out, so
// a caller that loaded the directory to report parse errors early does not
// parse it twice. The provider takes ownership of ms.
func WithMigrations(ms []*Migration, skipped []string) Option {
	return func(o *options) error { o.loaded, o.loadSkipped = ms, skipped; return nil }
}

// WithPlanCheck runs check on every plan a run is about to execute, under
// the runner lock and after the safety gate ([WithSafety]), so it sees the
// database as the run will; an error stops the run before anything ran.
func WithPlanCheck(check func(ctx context.Context, pl *Plan) error) Option {
	return func(o *options) error { o.planCheck = check; return nil }
}

// WithChecker plugs in the integrity checks run around each migration that
// has some (package check implements [Checker]).
func WithChecker(c Checker) Option {
	return func(o *options) error { o.checker = c; return nil }
}

// Querier is what a check needs to run its queries: a transaction, a
// connection or a database.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Checker runs a migration's integrity checks: the checks: key of a YAML
// migration, or the V_name.checks.yaml file beside a SQL one
// ([Migration.Checks]). Pre runs before the migration and an error blocks
// it. Post runs after its statements, inside its transaction when it has
// one, so an error rolls it back with nothing left behind; outside a
// transaction an error triggers the automatic rollback (the down section),
// as a failing statement does. Errors should say which check failed and on
// what keys.
type Checker interface {
	Pre(ctx context.Context, q Querier, m *Migration) error
	Post(ctx context.Context, q Querier, m *Migration) error
}

// CheckReporter is a [Checker] that also returns the result of each check
// it ran, passed or not. The runner calls PreResults and PostResults
// instead of Pre and Post (with the same meaning of the error) and reports
// every result as a check_result event ([Event.Check]), so observers count
// failed checks the way they count failed statements.
type CheckReporter interface {
	Checker
	PreResults(ctx context.Context, q Querier, m *Migration) ([]CheckResult, error)
	PostResults(ctx context.Context, q Querier, m *Migration) ([]CheckResult, error)
}

// CheckResult is one check's outcome, as a check_result event carries it.
type CheckResult struct {
	Name string
	Kind string // the check's kind: not_null, unique, row_count, sql, ...
	// Phase is "pre" or "post".
	Phase string
	// Severity is "error" (a failure blocks the migration) or "warn".
	Severity string
	// Outcome is "pass", "fail", or "error" when the check could not run
	// (which blocks the migration whatever its severity).
	Outcome string
	// File and Line locate the check's declaration.
	File string
	Line int
	// Count is the check's figure: offending rows, duplicate groups,
	// differing keys, or the row count it measured.
	Count int64
	// Detail says what was found, in a sentence.
	Detail string
}

// Blocking reports whether the result stops the migration.
func (r CheckResult) Blocking() bool {
	return r.Outcome == "error" || (r.Outcome == "fail" && r.Severity == "error")
}

// NewProvider loads the migrations in fsys and returns a provider that runs
// them against db. It fails with [ParseErrors] when a file is malformed or
// no step runner takes a YAML migration. Unless [WithDialect] is given, the
// dialect is told from db's driver (pgx, lib/pq, go-sql-driver/mysql,
// modernc.org/sqlite, mattn/go-sqlite3) without touching the database;
// for a driver it does not know, such as one wrapped for tracing, the
// server is asked which engine it is (for up to 10 seconds), and an error
// wraps [detect.ErrUnknownEngine] when it cannot tell. MariaDB is not told
// from MySQL by its driver: pass WithDialect(mysql.Dialect{MariaDB: true})
// (or connect.Detect's answer) where statement timeouts matter. The caller
// keeps ownership of db.
func NewProvider(db *sql.DB, fsys fs.FS, opts ...Option) (*Provider, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("new provider: db is nil")
	}
	if fsys == nil {
		return nil, errors.New("new provider: migration filesystem is nil")
	}
	d := o.dialect
	if d == nil {
		if d, err = detectDialect(db); err != nil {
			return nil, err
		}
	}
	p := &Provider{db: db, d: d, fsys: fsys, o: o, skipped: o.loadSkipped, migrations: o.loaded}
	if p.migrations == nil {
		p.migrations, err = Load(fsys, LoadOptions{Engine: d.Name(), GoMigrations: o.goMigrations, OnSkip: func(file, reason string) {
			p.skipped = append(p.skipped, fmt.Sprintf("%s left out: %s", joinDir(o.dirName, file), reason))
		}})
		if err != nil {
			return nil, err
		}
	}
	if o.dirName != "" {
		for _, m := range p.migrations {
			m.prefixDir(o.dirName)
		}
	}
	if err := p.claim(); err != nil {
		return nil, err
	}
	p.store = o.store
	if p.store == nil {
		p.sqlStore = NewSQLStore(db, d, o.table)
		p.store = p.sqlStore
	}
	return p, nil
}

func newOptions(opts []Option) (options, error) {
	o := options{
		table:        dialect.Table{Name: dialect.DefaultTable},
		lockWait:     5 * time.Minute,
		autoRollback: true,
		checkSum:     true,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.appliedBy == "" {
		o.appliedBy = defaultAppliedBy()
	}
	if o.strataVersion == "" {
		o.strataVersion = "dev"
	}
	if o.vars == nil {
		o.vars = func(string) (string, bool) { return "", false }
	}
	return o, nil
}

// prefixDir puts dir before every file name of m, for messages.
func (m *Migration) prefixDir(dir string) {
	for i := range m.Files {
		m.Files[i] = joinDir(dir, m.Files[i])
	}
	for _, s := range []*Script{m.Up, m.Down} {
		if s != nil {
			s.File = joinDir(dir, s.File)
		}
	}
	if m.EmptyDown != "" {
		m.EmptyDown = joinDir(dir, m.EmptyDown)
	}
}

func joinDir(dir, file string) string {
	if dir == "" || dir == "." {
		return file
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}

// detectDialect names db's dialect from its driver's package without I/O, so
// that NewProvider works before the database is up; a driver it does not
// know (one wrapped for tracing) is asked, briefly, which server it talks
// to. Neither imports a driver: an application that uses only PostgreSQL
// does not compile SQLite.
func detectDialect(db *sql.DB) (dialect.Dialect, error) {
	if d, ok := detect.Driver(db.Driver()); ok {
		return d, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), detectTimeout)
	defer cancel()
	d, err := detect.Server(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("new provider: driver %T: %w (pass migrate.WithDialect)", db.Driver(), err)
	}
	return d, nil
}

// detectTimeout bounds how long NewProvider asks an unknown driver's
// server which engine it is.
const detectTimeout = 10 * time.Second

func defaultAppliedBy() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return name + "@" + host
}

// Migrations returns the loaded migrations in the order they apply.
func (p *Provider) Migrations() []*Migration { return p.migrations }

// Dialect returns the provider's dialect.
func (p *Provider) Dialect() dialect.Dialect { return p.d }

func (p *Provider) emit(ctx context.Context, e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	for _, o := range p.o.observers {
		o.OnEvent(ctx, e)
	}
}

func (p *Provider) find(v Version) *Migration {
	for _, m := range p.migrations {
		if m.key() == v {
			return m
		}
	}
	return nil
}

// resolve pins the history table to the schema (PostgreSQL) or database
// (MySQL) the connection starts in, so that a migration that changes
// search_path or runs USE does not make the runner write its history
// elsewhere. An engine without schemas to choose (SQLite) has nothing to
// pin.
func (p *Provider) resolve(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resolved {
		return nil
	}
	si, err := p.d.DescribeSession(ctx, p.db)
	if errors.Is(err, errors.ErrUnsupported) {
		p.resolved = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the current schema: %w", err)
	}
	p.flyway = map[string]string{
		"flyway:defaultSchema": si.Schema,
		"flyway:database":      si.Schema,
		"flyway:user":          si.User,
		"flyway:table":         p.o.table.Name,
	}
	if p.sqlStore != nil {
		p.sqlStore.pin(si.Schema)
	}
	p.resolved = true
	return nil
}
