package migrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"time"

	"github.com/strata-db/strata/dialect"
)

// NewStoreProvider returns a provider for a target that is not a SQL
// database: a document, key-value, search or wide-column engine (package
// engine and its subpackages). History and the runner lock live in store;
// the migrations are YAML documents run by the step runners given with
// [WithStepRunner], and engine names the target in messages ("mongodb",
// "dynamodb"). Everything else works as with [NewProvider]: plans, drift,
// strata.sum, status, baseline, repair, validate, complete and abort, the
// runner lock and its loss, events.
//
// A SQL file or a [GoMigration] (which runs in a *sql.Tx) in the directory
// is a [ParseError]: there is no SQL to run it with. Go migrations for such
// a target are the engine's own (they take its client) and reach the
// provider as migrations its step runner claims, through [WithMigrations].
// The provider holds no connection of its own; step runners get a nil-safe
// [StepEnv] whose DB refuses every statement.
func NewStoreProvider(engine string, store Store, fsys fs.FS, opts ...Option) (*Provider, error) {
	if store == nil {
		return nil, errors.New("new provider: the history store is nil")
	}
	if fsys == nil {
		return nil, errors.New("new provider: migration filesystem is nil")
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if len(o.goMigrations) > 0 {
		return nil, fmt.Errorf("new provider: Go migrations with *sql.Tx cannot run on %s; use the engine's own Go migrations", engine)
	}
	if o.safety != nil {
		return nil, fmt.Errorf("new provider: the safety gate inspects SQL; %s has none", engine)
	}
	db := sql.OpenDB(noSQLConnector{engine: engine})
	p := &Provider{db: db, d: noSQLDialect{name: engine}, fsys: fsys, o: o, skipped: o.loadSkipped, migrations: o.loaded, store: store, resolved: true}
	// database/sql starts a goroutine per DB; close it with the provider.
	runtime.AddCleanup(p, func(db *sql.DB) { db.Close() }, db)
	if p.migrations == nil {
		p.migrations, err = Load(fsys, LoadOptions{Engine: engine, OnSkip: func(file, reason string) {
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
	var perrs ParseErrors
	for _, m := range p.migrations {
		switch {
		case m.Go != nil:
			perrs = append(perrs, &ParseError{File: m.File(), Msg: fmt.Sprintf("a Go migration with *sql.Tx cannot run on %s", engine)})
		case m.Document == nil && m.Kind == KindSQL:
			perrs = append(perrs, &ParseError{File: m.File(), Msg: fmt.Sprintf("a SQL migration cannot run on %s: write it as a YAML file with operations: (`strata new --yaml NAME`)", engine)})
		}
	}
	if len(perrs) > 0 {
		return nil, perrs
	}
	if err := p.claim(); err != nil {
		return nil, err
	}
	return p, nil
}

// errNoSQL is what the target's placeholder database answers to any
// statement.
type errNoSQL struct{ engine string }

func (e errNoSQL) Error() string {
	return fmt.Sprintf("%s runs no SQL: this needs a SQL database", e.engine)
}

func (e errNoSQL) Is(target error) bool { return target == errors.ErrUnsupported }

// noSQLConnector gives the provider of a store target a *sql.DB whose
// connections refuse every statement, so the runner's shared code (which
// opens one connection per run) needs no second path.
type noSQLConnector struct{ engine string }

func (c noSQLConnector) Connect(context.Context) (driver.Conn, error) { return noSQLConn(c), nil }
func (c noSQLConnector) Driver() driver.Driver                        { return noSQLDriver(c) }

type noSQLDriver struct{ engine string }

func (d noSQLDriver) Open(string) (driver.Conn, error) { return noSQLConn(d), nil }

type noSQLConn struct{ engine string }

func (c noSQLConn) Prepare(string) (driver.Stmt, error) { return nil, errNoSQL(c) }
func (c noSQLConn) Close() error                        { return nil }
func (c noSQLConn) Begin() (driver.Tx, error)           { return nil, errNoSQL(c) }

// noSQLDialect is the dialect of a store target: it answers the questions
// the runner asks of every target and refuses the SQL ones.
type noSQLDialect struct{ name string }

var _ dialect.Dialect = noSQLDialect{}

func (d noSQLDialect) Name() string                      { return d.name }
func (d noSQLDialect) TransactionalDDL() bool            { return false }
func (d noSQLDialect) Placeholder(int) string            { return "?" }
func (d noSQLDialect) HistoryDDL(dialect.Table) []string { return nil }
func (d noSQLDialect) IsMissingObject(error) bool        { return false }
func (d noSQLDialect) Quote(s string) string             { return `"` + s + `"` }
func (d noSQLDialect) QuoteLiteral(s string) string      { return `'` + s + `'` }
func (d noSQLDialect) SingleWriter() bool                { return false }
func (d noSQLDialect) Classify(err error) (dialect.Class, string) {
	if err == nil {
		return dialect.Other, ""
	}
	return dialect.ClassifyCommon(err), ""
}
func (d noSQLDialect) TimeoutSQL(_, _ time.Duration, _ bool) (set, reset []string) { return nil, nil }

func (d noSQLDialect) refuse() error { return errNoSQL{engine: d.name} }

func (d noSQLDialect) Lock(context.Context, *sql.DB, dialect.Table, dialect.LockOptions) (dialect.Lock, error) {
	return nil, d.refuse()
}

func (d noSQLDialect) DescribeTable(context.Context, dialect.Querier, dialect.Table) (*dialect.TableInfo, error) {
	return nil, d.refuse()
}

func (d noSQLDialect) Tables(context.Context, dialect.Querier, string) ([]dialect.Table, error) {
	return nil, d.refuse()
}

func (d noSQLDialect) EstimateRows(context.Context, dialect.Querier, dialect.Table) (int64, error) {
	return -1, d.refuse()
}

func (d noSQLDialect) ServerVersion(context.Context, dialect.Querier) (dialect.Version, error) {
	return dialect.Version{}, d.refuse()
}

func (d noSQLDialect) ConnectionID(context.Context, *sql.Conn) (int64, error) { return 0, nil }

func (d noSQLDialect) CancelStatement(context.Context, *sql.DB, int64) error { return nil }

func (d noSQLDialect) ResetSession(context.Context, *sql.Conn) error { return nil }

func (d noSQLDialect) CurrentDatabase(context.Context, *sql.DB) (string, error) {
	return "", d.refuse()
}

func (d noSQLDialect) DescribeSession(context.Context, dialect.Querier) (dialect.SessionInfo, error) {
	return dialect.SessionInfo{}, d.refuse()
}

func (d noSQLDialect) IndexTable(context.Context, dialect.Querier, string, string) (dialect.Table, error) {
	return dialect.Table{}, d.refuse()
}

// The store's own lease is the runner lock; a SQL probe never sees it.
func (d noSQLDialect) LockHeld(context.Context, dialect.Querier, dialect.Table) (bool, string, error) {
	return false, "", d.refuse()
}

func (d noSQLDialect) LockHeldSQL(dialect.Table) (string, bool) { return "", false }

func (d noSQLDialect) TableExistsSQL(dialect.Table) string { return "" }
