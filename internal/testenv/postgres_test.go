package testenv

import (
	"context"
	"net/url"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"
)

var freshName = regexp.MustCompile(`^strata_test_[0-9a-f]{16}$`)

func TestPostgres(t *testing.T) {
	t.Parallel()
	var dsn string
	var leftOpen *pgx.Conn
	t.Run("gives an empty database the test can write to", func(t *testing.T) {
		dsn = Postgres(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if u.Scheme != "postgres" || u.User.Username() != "postgres" || u.Host != "127.0.0.1:5432" ||
			!freshName.MatchString(u.Path[1:]) || u.Query().Get("sslmode") != "disable" {
			if envOr(pgEnv, "") == "" {
				t.Errorf("Postgres() = %q, want postgres://postgres@127.0.0.1:5432/strata_test_<hex>?sslmode=disable", dsn)
			}
		}

		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		// Left open on purpose: the cleanup must drop the database anyway.
		leftOpen = conn

		var tables int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("new database has %d tables", tables)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE users (id int PRIMARY KEY, name text)"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "INSERT INTO users VALUES (1, 'ada'), (2, 'grace')"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("count = %d, want 2", n)
		}
	})
	if leftOpen != nil {
		defer leftOpen.Close(context.Background())
	}
	if dsn == "" {
		t.Skip("no database")
	}

	t.Run("drops the database when the test ends despite open connections", func(t *testing.T) {
		u, _ := url.Parse(dsn)
		name := u.Path[1:]
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, envOr(pgEnv, pgDefault))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(ctx)
		var n int
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists", name)
		}
	})

	t.Run("gives each call its own database", func(t *testing.T) {
		t.Parallel()
		a, b := Postgres(t), Postgres(t)
		if a == b {
			t.Errorf("two calls both returned %q", a)
		}
	})
}
