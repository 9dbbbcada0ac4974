package connect_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
)

// wrapped is a driver that hides the real one, as tracing wrappers
// (otelsql, sqlcommenter) do: its type says nothing about the engine.
type wrapped struct{ driver.Connector }

type wrappedDriver struct{ driver.Driver }

func (w wrapped) Driver() driver.Driver { return wrappedDriver{w.Connector.Driver()} }

// wrap opens e's database again through a wrapper, with the DSN its
// driver takes.
func wrap(t *testing.T, e testenv.Engine) *sql.DB {
	t.Helper()
	dsn := e.URL
	var err error
	switch e.Name {
	case "mysql":
		dsn, err = connect.MySQLDSN(e.URL)
	case "sqlite":
		dsn, _, err = connect.SQLiteDSN(e.URL)
	}
	if err != nil {
		t.Fatal(err)
	}
	w := sql.OpenDB(wrapped{dsnConnector{e.DB.Driver(), dsn}})
	t.Cleanup(func() { w.Close() })
	return w
}

// dsnConnector opens connections of drv with dsn.
type dsnConnector struct {
	drv driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

func TestDetectKnowsEachEngineAlsoBehindAWrappedDriver(t *testing.T) {
	t.Parallel()
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		d, err := connect.Detect(ctx, e.DB)
		if err != nil || d.Name() != e.Dialect.Name() {
			t.Fatalf("Detect(%s) = %v, %v", e.Name, d, err)
		}
		w := wrap(t, e)
		if _, known := w.Driver().(wrappedDriver); !known {
			t.Fatalf("the wrapper's driver is %T", w.Driver())
		}
		d, err = connect.Detect(ctx, w)
		if err != nil {
			t.Fatalf("Detect(wrapped %s): %v", e.Name, err)
		}
		if d.Name() != e.Dialect.Name() {
			t.Errorf("Detect(wrapped %s) = %s", e.Name, d.Name())
		}
		v1, _ := d.ServerVersion(ctx, w)
		v2, _ := e.Dialect.ServerVersion(ctx, e.DB)
		if v1.Flavor != v2.Flavor {
			t.Errorf("wrapped %s detected as flavor %s, want %s", e.Name, v1.Flavor, v2.Flavor)
		}
	})
}

func TestDetectNeverGuesses(t *testing.T) {
	t.Parallel()
	db := sql.OpenDB(wrapped{deadConnector{}})
	defer db.Close()
	_, err := connect.Detect(context.Background(), db)
	if !errors.Is(err, connect.ErrUnknownEngine) {
		t.Errorf("Detect on a database that answers nothing = %v, want ErrUnknownEngine", err)
	}
}

// deadConnector never connects.
type deadConnector struct{}

func (deadConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("no server")
}
func (deadConnector) Driver() driver.Driver { return nil }

func TestForEngineMapsConfiguredNames(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"postgres": "postgres", "PostgreSQL": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite3": "sqlite"} {
		d, err := connect.ForEngine(name)
		if err != nil || d.Name() != want {
			t.Errorf("ForEngine(%q) = %v, %v; want %s", name, d, err, want)
		}
	}
	if _, err := connect.ForEngine("oracle"); !errors.Is(err, connect.ErrUnknownEngine) {
		t.Errorf("ForEngine(oracle) = %v", err)
	}
}
