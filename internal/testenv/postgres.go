package testenv

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

const (
	pgEnv     = "STRATA_TEST_PG"
	pgDefault = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// Postgres returns the URL of a new, empty PostgreSQL database that only
// this test uses, such as
// postgres://postgres@127.0.0.1:5432/strata_test_1f2e3d4c5b6a7988?sslmode=disable.
//
// The database is created from template0 with encoding UTF8, through the
// administrative URL in STRATA_TEST_PG
// (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable),
// whose user must be allowed to create databases. When the test ends the
// connections still open to it are terminated and it is dropped; a failure
// to drop fails the test.
//
// An unreachable server skips the test, or fails it when CI is true.
func Postgres(t testing.TB) string {
	t.Helper()
	return postgresAt(t, envOr(pgEnv, pgDefault))
}

// pgServer is the administrative connection to one PostgreSQL server,
// opened on first use and shared by every test of the binary.
type pgServer struct {
	admin string // administrative URL as configured

	once    sync.Once
	url     *url.URL // parsed admin
	version int      // server_version_num, such as 150020
	err     error    // why the server cannot be used
	invalid bool     // err is a configuration mistake, not an outage

	mu   sync.Mutex // guards conn; a pgx.Conn is not safe for concurrent use
	conn *pgx.Conn

	globals globalsGuard
}

// pgServers maps an administrative URL to its *pgServer.
var pgServers sync.Map

func postgresAt(t testing.TB, admin string) string {
	t.Helper()
	v, _ := pgServers.LoadOrStore(admin, &pgServer{admin: admin})
	s := v.(*pgServer)
	s.once.Do(s.open)
	if s.invalid {
		t.Fatalf("testenv: %s: %v", pgEnv, s.err)
		return ""
	}
	if s.err != nil {
		unavailable(t, "PostgreSQL", redact(admin), pgEnv, s.err)
		return ""
	}

	name := newName()
	s.checkGlobals(t)
	if err := s.create(name); err != nil {
		t.Fatalf("testenv: create PostgreSQL database %s on %s: %v", name, redact(admin), err)
		return ""
	}
	t.Cleanup(func() {
		if err := s.drop(name); err != nil {
			t.Errorf("testenv: drop PostgreSQL database %s on %s: %v", name, redact(admin), err)
		}
		s.checkGlobals(t)
	})
	return withDatabase(s.url, name)
}

// open connects for the first time and records why that failed.
func (s *pgServer) open() {
	u, err := url.Parse(s.admin)
	if err == nil && u.Scheme != "postgres" && u.Scheme != "postgresql" {
		err = fmt.Errorf("scheme %q is not postgres", u.Scheme)
	}
	if err != nil {
		s.err, s.invalid = fmt.Errorf("not a PostgreSQL URL: %s", redact(s.admin)), true
		return
	}
	s.url = u

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err = s.connectLocked(); s.err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	var ver string
	if err := s.conn.QueryRow(ctx, "SHOW server_version_num").Scan(&ver); err != nil {
		s.err = fmt.Errorf("read server version: %w", err)
		return
	}
	s.version, _ = strconv.Atoi(ver)
}

// connectLocked (re)opens the administrative connection. s.mu must be held.
func (s *pgServer) connectLocked() error {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return err
	}
	s.conn = conn
	return nil
}

// exec runs fn on the administrative connection, reconnecting first when
// the server closed it since the last use.
func (s *pgServer) exec(fn func(ctx context.Context, conn *pgx.Conn) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.conn.IsClosed() {
		if err := s.connectLocked(); err != nil {
			return fmt.Errorf("reconnect: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	return fn(ctx, s.conn)
}

// checkGlobals fails t when the server's ALTER SYSTEM or ALTER ROLE
// settings differ from those first seen (see globalsGuard). A user without
// rights to read them skips the check.
func (s *pgServer) checkGlobals(t testing.TB) {
	t.Helper()
	var now map[string]string
	err := s.exec(func(ctx context.Context, conn *pgx.Conn) error {
		var err error
		now, err = pgGlobalSettings(ctx, conn)
		return err
	})
	if err == nil {
		s.globals.check(t, "PostgreSQL", now)
	}
}

func (s *pgServer) create(name string) error {
	return s.exec(func(ctx context.Context, conn *pgx.Conn) error {
		// template0 because template1 may hold extras, and CREATE DATABASE
		// fails while anyone else is connected to its template.
		_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0 ENCODING 'UTF8'")
		return err
	})
}

// drop removes the database even while tests still hold connections to it.
func (s *pgServer) drop(name string) error {
	return s.exec(func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx,
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
			name)
		if err != nil {
			return fmt.Errorf("terminate connections: %w", err)
		}
		stmt := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize()
		if s.version >= 130000 {
			// FORCE also stops connections opened after the terminate above.
			stmt += " WITH (FORCE)"
		}
		_, err = conn.Exec(ctx, stmt)
		return err
	})
}
