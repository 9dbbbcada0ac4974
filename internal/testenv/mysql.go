package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
)

const (
	mysqlEnv     = "STRATA_TEST_MYSQL"
	mysqlDefault = "mysql://root@127.0.0.1:3306/"
)

// MySQL returns the URL of a new, empty MySQL or MariaDB database that only
// this test uses, such as mysql://root@127.0.0.1:3306/strata_test_1f2e3d4c5b6a7988.
// [MySQLDriverDSN] turns it into what database/sql needs.
//
// The database is created, with character set utf8mb4, through the
// administrative URL in STRATA_TEST_MYSQL (default mysql://root@127.0.0.1:3306/),
// whose user must be allowed to create databases and kill connections.
// When the test ends the connections still using it are killed and it is
// dropped; a failure to drop fails the test.
//
// An unreachable server skips the test, or fails it when CI is true.
func MySQL(t testing.TB) string {
	t.Helper()
	return mysqlAt(t, envOr(mysqlEnv, mysqlDefault))
}

// mysqlServer is the administrative connection pool for one MySQL server,
// opened on first use and shared by every test of the binary.
type mysqlServer struct {
	admin string // administrative URL as configured

	once    sync.Once
	url     *url.URL
	db      *sql.DB
	err     error // why the server cannot be used
	invalid bool  // err is a configuration mistake, not an outage

	globals globalsGuard
}

// mysqlServers maps an administrative URL to its *mysqlServer.
var mysqlServers sync.Map

func mysqlAt(t testing.TB, admin string) string {
	t.Helper()
	v, _ := mysqlServers.LoadOrStore(admin, &mysqlServer{admin: admin})
	s := v.(*mysqlServer)
	s.once.Do(s.open)
	if s.invalid {
		t.Fatalf("testenv: %s: %v", mysqlEnv, s.err)
		return ""
	}
	if s.err != nil {
		unavailable(t, "MySQL", redact(admin), mysqlEnv, s.err)
		return ""
	}

	name := newName()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	s.checkGlobals(t)
	if _, err := s.db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("testenv: create MySQL database %s on %s: %v", name, redact(admin), err)
		return ""
	}
	t.Cleanup(func() {
		if err := s.drop(name); err != nil {
			t.Errorf("testenv: drop MySQL database %s on %s: %v", name, redact(admin), err)
		}
		s.checkGlobals(t)
	})
	return withDatabase(s.url, name)
}

// checkGlobals fails t when the server's global settings differ from those
// first seen (see globalsGuard). A user without rights to read them skips
// the check.
func (s *mysqlServer) checkGlobals(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if now, err := mysqlGlobalSettings(ctx, s.db); err == nil {
		s.globals.check(t, "MySQL", now)
	}
}

func (s *mysqlServer) open() {
	dsn, err := MySQLDriverDSN(s.admin)
	if err != nil {
		s.err, s.invalid = err, true
		return
	}
	s.url, _ = url.Parse(s.admin) // MySQLDriverDSN parsed it already
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		s.err, s.invalid = err, true
		return
	}
	cfg.Timeout = connectTimeout
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		s.err, s.invalid = err, true
		return
	}
	db := sql.OpenDB(conn)
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		s.err = err
		return
	}
	s.db = db
}

// drop removes the database after killing the connections that use it, so
// that a connection the test left open cannot hold the drop up.
func (s *mysqlServer) drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	rows, err := conn.QueryContext(ctx,
		"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", name)
	if err != nil {
		return fmt.Errorf("list connections: %w", err)
	}
	var ids []uint64
	for rows.Next() {
		var id uint64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("list connections: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list connections: %w", err)
	}
	for _, id := range ids {
		// The connection may have ended since it was listed ("Unknown
		// thread id"); the drop below reports anything that matters.
		_, _ = conn.ExecContext(ctx, fmt.Sprintf("KILL %d", id))
	}
	// Wait for locks no longer than the context would.
	if _, err := conn.ExecContext(ctx, "SET SESSION lock_wait_timeout = 50"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`")
	return err
}
