package migrate_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect/detect"
	"github.com/strata-db/strata/migrate"
)

// tracingConnector hides its driver, as tracing wrappers (otelsql,
// sqlcommenter) do: the driver's type says nothing about the engine.
type tracingConnector struct {
	drv driver.Driver
	dsn string
}

type tracingDriver struct{ driver.Driver }

func (c tracingConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c tracingConnector) Driver() driver.Driver                        { return tracingDriver{c.drv} }

// Without WithDialect, a provider tells the engine from the driver, and
// behind a wrapped driver by asking the server: it runs on every engine
// (MariaDB told from MySQL) either way.
func TestNewProviderTellsTheEngineBehindAWrappedDriver(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		dsn := e.URL
		var err error
		switch e.engine {
		case "mysql":
			dsn, err = connect.MySQLDSN(e.URL)
		case "sqlite":
			dsn, _, err = connect.SQLiteDSN(e.URL)
		}
		if err != nil {
			t.Fatal(err)
		}
		wrapped := sql.OpenDB(tracingConnector{e.DB.Driver(), dsn})
		defer wrapped.Close()
		e.write("1_a.sql", "-- strata:statement-timeout 5s\nCREATE TABLE a (id int);\n")
		for name, db := range map[string]*sql.DB{"its own driver": e.DB, "a wrapped driver": wrapped} {
			p, err := migrate.NewProvider(db, e.files)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if p.Dialect().Name() != e.Dialect.Name() {
				t.Errorf("%s: dialect %s, want %s", name, p.Dialect().Name(), e.Dialect.Name())
			}
		}
		p, err := migrate.NewProvider(wrapped, e.files)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(e.ctx); err != nil {
			t.Fatalf("up through a wrapped driver: %v", err)
		}
	})
}

// A database that answers nothing is not guessed at.
func TestNewProviderNeverGuessesTheEngine(t *testing.T) {
	t.Parallel()
	db := sql.OpenDB(tracingConnector{drv: deadDriver{}})
	defer db.Close()
	_, err := migrate.NewProvider(db, fstest.MapFS{})
	if !errors.Is(err, detect.ErrUnknownEngine) {
		t.Errorf("NewProvider on a database that answers nothing = %v, want ErrUnknownEngine", err)
	}
}

type deadDriver struct{}

func (deadDriver) Open(string) (driver.Conn, error) { return nil, errors.New("no server") }
