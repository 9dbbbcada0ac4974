package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A test must never change a server's global settings: the next test, or
// the next package's test binary, would then pass or fail because of the
// order things ran in, and a green run on a machine earlier runs altered
// proves nothing about a fresh one. testenv reads the settings a test could
// plausibly change when it first opens a server and again when each test's
// database is dropped; a difference fails the test that noticed it, naming
// the setting, so the change cannot hide.
//
// Tests run in parallel (and several packages' binaries at once), so the
// test that notices is not always the one that made the change; the message
// says so.

// mysqlGlobals are the global variables compared before and after a test.
// They are the ones a test would touch to make a fixture pass (sql_mode for
// zero dates, time_zone, timeouts, foreign key checks) and the ones strata
// itself reads (binlog settings, isolation, local_infile).
var mysqlGlobals = []string{
	"sql_mode", "time_zone", "lock_wait_timeout", "innodb_lock_wait_timeout",
	"max_statement_time", "foreign_key_checks", "autocommit", "tx_isolation",
	"character_set_server", "collation_server", "max_allowed_packet",
	"local_infile", "binlog_format", "binlog_row_image", "max_connections",
	"innodb_strict_mode", "explicit_defaults_for_timestamp", "general_log",
	"event_scheduler", "read_only",
}

// globalsGuard remembers a server's global settings as first seen.
type globalsGuard struct {
	mu       sync.Mutex
	baseline map[string]string
	reported map[string]bool // a changed setting is reported once per binary
}

// check compares now with the baseline (taking now as the baseline on the
// first call) and fails t for each setting that differs.
func (g *globalsGuard) check(t testing.TB, server string, now map[string]string) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.baseline == nil {
		g.baseline, g.reported = now, map[string]bool{}
		return
	}
	var changed []string
	for k, before := range g.baseline {
		if after := now[k]; after != before && !g.reported[k] {
			g.reported[k] = true
			changed = append(changed, fmt.Sprintf("%s: %q → %q", k, before, after))
		}
	}
	for k, after := range now {
		if _, ok := g.baseline[k]; !ok && !g.reported[k] {
			g.reported[k] = true
			changed = append(changed, fmt.Sprintf("%s: unset → %q", k, after))
		}
	}
	if len(changed) == 0 {
		return
	}
	sort.Strings(changed)
	t.Errorf("testenv: the %s server's global settings changed while this test ran (this test, or another running at the same time, changed them): %s. Tests must change settings for their session only (SET SESSION / SET LOCAL), never SET GLOBAL or ALTER SYSTEM; restore the server with `scripts/services start`",
		server, strings.Join(changed, "; "))
}

// mysqlGlobalSettings reads mysqlGlobals.
func mysqlGlobalSettings(ctx context.Context, db *sql.DB) (map[string]string, error) {
	names := make([]string, len(mysqlGlobals))
	for i, n := range mysqlGlobals {
		names[i] = "'" + n + "'"
	}
	rows, err := db.QueryContext(ctx, "SHOW GLOBAL VARIABLES WHERE Variable_name IN ("+strings.Join(names, ", ")+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// pgGlobalSettings reads what outlives a session on a PostgreSQL server:
// ALTER SYSTEM settings (postgresql.auto.conf) and ALTER ROLE … SET for all
// databases. Per-database settings die with the test's database.
func pgGlobalSettings(ctx context.Context, conn *pgx.Conn) (map[string]string, error) {
	out := map[string]string{}
	rows, err := conn.Query(ctx, `SELECT 'ALTER SYSTEM ' || name, coalesce(setting, '')
		FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'
		UNION ALL
		SELECT 'ALTER ROLE ' || coalesce(r.rolname, 'ALL'), array_to_string(s.setconfig, ',')
		FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole
		WHERE s.setdatabase = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}
