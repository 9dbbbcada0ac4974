package detect_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/stdlib"
	moderncsqlite "modernc.org/sqlite"

	"github.com/strata-db/strata/dialect/detect"
	"github.com/strata-db/strata/internal/testenv"
)

// tracing hides the driver it wraps, as otelsql and sqlcommenter do.
type tracing struct{ driver.Driver }

func TestDriverNamesTheDriversItKnowsWithoutIO(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		drv  driver.Driver
		want string
	}{
		{stdlib.GetDefaultDriver(), "postgres"},
		{&mysqldriver.MySQLDriver{}, "mysql"},
		{mysqldriver.MySQLDriver{}, "mysql"},
		{&moderncsqlite.Driver{}, "sqlite"},
	} {
		d, ok := detect.Driver(c.drv)
		if !ok || d.Name() != c.want {
			t.Errorf("Driver(%T) = %v, %v; want %s", c.drv, d, ok, c.want)
		}
	}
	for _, drv := range []driver.Driver{nil, tracing{stdlib.GetDefaultDriver()}, &tracing{}} {
		if d, ok := detect.Driver(drv); ok {
			t.Errorf("Driver(%T) = %v, want unknown", drv, d)
		}
	}
}

func TestServerNamesEachEngineAndFlavor(t *testing.T) {
	t.Parallel()
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		d, err := detect.Server(ctx, e.DB)
		if err != nil || d.Name() != e.Dialect.Name() {
			t.Fatalf("Server(%s) = %v, %v", e.Name, d, err)
		}
		got, err := d.ServerVersion(ctx, e.DB)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := e.Dialect.ServerVersion(ctx, e.DB)
		if got.Flavor != want.Flavor {
			t.Errorf("Server(%s) gave a dialect of flavor %s, want %s", e.Name, got.Flavor, want.Flavor)
		}
		// A dialect with the wrong flavor spells timeouts the server
		// does not know; the one Server gives sets them.
		set, reset := d.TimeoutSQL(0, 2e9, false)
		for _, s := range append(set, reset...) {
			if _, err := e.DB.ExecContext(ctx, s); err != nil {
				t.Errorf("%s: %v", s, err)
			}
		}
	})
}

func TestServerNeverGuesses(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	db := testenv.Open(t, "sqlite", testenv.SQLite(t)).DB
	if _, err := detect.Server(ctx, db); !errors.Is(err, detect.ErrUnknownEngine) {
		t.Errorf("Server with a cancelled context = %v, want ErrUnknownEngine", err)
	}
}
