package testenv

import (
	"context"
	"database/sql"
	"net/url"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// openMySQL opens a strata MySQL URL with the driver.
func openMySQL(t *testing.T, rawURL string) *sql.DB {
	t.Helper()
	dsn, err := MySQLDriverDSN(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sql.OpenDB(conn)
}

func TestMySQL(t *testing.T) {
	t.Parallel()
	var dsn string
	var leftOpen *sql.Conn
	var leftOpenDB *sql.DB
	t.Run("gives an empty database the test can write to", func(t *testing.T) {
		dsn = MySQL(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if u.Scheme != "mysql" || u.User.Username() != "root" || u.Host != "127.0.0.1:3306" ||
			!freshName.MatchString(u.Path[1:]) {
			if envOr(mysqlEnv, "") == "" {
				t.Errorf("MySQL() = %q, want mysql://root@127.0.0.1:3306/strata_test_<hex>", dsn)
			}
		}

		ctx := context.Background()
		leftOpenDB = openMySQL(t, dsn)
		conn, err := leftOpenDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Left open on purpose: the cleanup must drop the database anyway.
		leftOpen = conn

		var tables int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("new database has %d tables", tables)
		}
		if _, err := conn.ExecContext(ctx, "CREATE TABLE users (id int PRIMARY KEY, name text)"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO users VALUES (1, 'ada'), (2, 'grace')"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("count = %d, want 2", n)
		}
	})
	if leftOpenDB != nil {
		defer leftOpenDB.Close()
		if leftOpen != nil {
			defer leftOpen.Close()
		}
	}
	if dsn == "" {
		t.Skip("no database")
	}

	t.Run("drops the database when the test ends despite open connections", func(t *testing.T) {
		u, _ := url.Parse(dsn)
		name := u.Path[1:]
		admin := openMySQL(t, envOr(mysqlEnv, mysqlDefault))
		defer admin.Close()
		var n int
		if err := admin.QueryRow("SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists", name)
		}
	})

	t.Run("gives each call its own database", func(t *testing.T) {
		t.Parallel()
		a, b := MySQL(t), MySQL(t)
		if a == b {
			t.Errorf("two calls both returned %q", a)
		}
	})
}
