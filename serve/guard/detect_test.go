package guard_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/serve/guard"
)

// wrapped is a driver whose type names no engine, as tracing wrappers
// (otelsql, sqlcommenter) are.
type wrapped struct{ driver.Driver }

// connector opens dsn with a driver, for sql.OpenDB.
type connector struct {
	dsn string
	drv driver.Driver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// openWrapped opens e's database through a wrapped driver.
func openWrapped(t *testing.T, e testenv.Engine) *sql.DB {
	t.Helper()
	dsn, err := e.URL, error(nil)
	switch e.Name {
	case "mysql":
		dsn, err = connect.MySQLDSN(e.URL)
	case "sqlite":
		dsn, _, err = connect.SQLiteDSN(e.URL)
	}
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector{dsn: dsn, drv: wrapped{e.DB.Driver()}})
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGuardSeesThroughAWrappedDriver(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		var failed error
		probe := guard.NewProbe(openWrapped(t, e), guard.Options{CacheFor: 20 * time.Millisecond, RetryAfter: 7 * time.Second,
			OnError: func(err error) { failed = err }})
		h := probe.Middleware(ok)
		eventually(t, h, http.StatusOK)
		lock(t, e, history)
		eventually(t, h, http.StatusServiceUnavailable)
		if s := probe.Check(context.Background()); !s.Locked || s.Err != nil {
			t.Errorf("through a wrapped driver: %+v", s)
		}
		if failed != nil {
			t.Errorf("a check failed: %v", failed)
		}
	})
}

// mute is a database that answers no query at all: neither its driver nor
// its server says which engine it is.
type mute struct{}

func (mute) Open(string) (driver.Conn, error)             { return mute{}, nil }
func (mute) Prepare(string) (driver.Stmt, error)          { return nil, errors.New("mute: no such function") }
func (mute) Close() error                                 { return nil }
func (mute) Begin() (driver.Tx, error)                    { return nil, errors.New("mute: no transactions") }
func (mute) Connect(context.Context) (driver.Conn, error) { return mute{}, nil }
func (mute) Driver() driver.Driver                        { return mute{} }

func TestGuardNeverGuessesTheEngine(t *testing.T) {
	t.Parallel()
	db := sql.OpenDB(mute{})
	defer db.Close()
	var seen error
	h := guard.Middleware(db, guard.Options{OnError: func(err error) { seen = err }})(ok)
	if got, _ := status(h, http.MethodPost); got != http.StatusOK || !errors.Is(seen, connect.ErrUnknownEngine) {
		t.Errorf("fail open: status %d, error %v; want 200 and an error wrapping ErrUnknownEngine", got, seen)
	}
	h = guard.Middleware(db, guard.Options{FailClosed: true})(ok)
	if got, _ := status(h, http.MethodPost); got != http.StatusServiceUnavailable {
		t.Errorf("fail closed: status %d, want 503", got)
	}
	if err := guard.Ready(context.Background(), db, "1"); !errors.Is(err, connect.ErrUnknownEngine) || errors.Is(err, guard.ErrSchemaTooOld) {
		t.Errorf("Ready = %v, want an error wrapping ErrUnknownEngine", err)
	}
	seen = nil
	h = guard.Middleware(db, guard.Options{Engine: "oracle", OnError: func(err error) { seen = err }})(ok)
	if got, _ := status(h, http.MethodPost); got != http.StatusOK || seen == nil {
		t.Errorf("an unknown Options.Engine: status %d, error %v; want 200 and the error", got, seen)
	}
}
