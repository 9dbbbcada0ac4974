package online

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testenv"
)

// newDB returns a connection pool to a fresh database.
func newDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func newRunner(db *sql.DB) *Runner {
	return &Runner{DB: db, LockTimeout: 200 * time.Millisecond, MaxLockWait: 20 * time.Second, BatchTime: 20 * time.Millisecond}
}

// memStore keeps the last saved state as JSON, as the engine would.
type memStore struct {
	mu    sync.Mutex
	data  []byte
	saves int
}

func (m *memStore) Save(_ context.Context, st *State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = b
	m.saves++
	return nil
}

func (m *memStore) state(t *testing.T) *State {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := ParseState(m.data)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func parse(t *testing.T, src string) *Migration {
	t.Helper()
	m, err := Parse("V1_test.yaml", []byte(strings.TrimLeft(src, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// start runs Start and returns the saved state.
func start(t *testing.T, r *Runner, version string, m *Migration) (*State, *memStore) {
	t.Helper()
	store := &memStore{}
	if err := r.Start(context.Background(), version, m, nil, store); err != nil {
		t.Fatalf("start: %v", err)
	}
	st := store.state(t)
	if st.Phase != PhaseExpanded {
		t.Fatalf("phase after start = %s", st.Phase)
	}
	return st, store
}

func complete(t *testing.T, r *Runner, version string, m *Migration, st *State) {
	t.Helper()
	store := &memStore{}
	if err := r.Complete(context.Background(), version, m, st, store); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if got := store.state(t).Phase; got != PhaseCompleted {
		t.Fatalf("phase after complete = %s", got)
	}
}

func abort(t *testing.T, r *Runner, version string, m *Migration, st *State) {
	t.Helper()
	store := &memStore{}
	if err := r.Abort(context.Background(), version, m, st, store); err != nil {
		t.Fatalf("abort: %v", err)
	}
	if got := store.state(t).Phase; got != PhaseAborted {
		t.Fatalf("phase after abort = %s", got)
	}
}

// query returns the rows of a query as strings, one "a|b|c" per row.
func query(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v.Valid {
				parts[i] = v.String
			} else {
				parts[i] = "NULL"
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func one(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) string {
	t.Helper()
	r := query(t, db, q, args...)
	if len(r) != 1 {
		t.Fatalf("%s: %d rows, want 1", q, len(r))
	}
	return r[0]
}

// columns lists a table's columns as "name type [not null]".
func columns(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	return strings.Join(query(t, db, `
SELECT attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END
FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, table), ", ")
}

// strataObjects lists the triggers, functions, schemas and constraints strata
// left behind.
func strataObjects(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return query(t, db, `
SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgname LIKE '\_strata%' AND NOT tgisinternal
UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE proname LIKE '\_strata%'
UNION ALL SELECT 'constraint ' || conname FROM pg_constraint WHERE conname LIKE '\_strata%'
UNION ALL SELECT 'relation ' || relname FROM pg_class WHERE relname LIKE '\_strata%'
ORDER BY 1`)
}

func schemas(t *testing.T, db *sql.DB) string {
	return strings.Join(query(t, db, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'strata\_v%' ORDER BY 1`), ",")
}

// newShape returns a connection whose search_path is the version schema,
// then public: a writer of the new shape, as an application sets it. After
// complete drops the version schema, the same connection reads the final
// tables.
func newShape(t *testing.T, db *sql.DB, version string) *sql.Conn {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	mustExec(t, conn, fmt.Sprintf("SET search_path = %s, public", postgres.Dialect{}.Quote(VersionSchema(version))))
	return conn
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eqRows(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// usersFixture creates users(id, name, age) with n rows.
func usersFixture(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	mustExec(t, db,
		`CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, age int)`,
		fmt.Sprintf(`INSERT INTO users (name, age) SELECT 'u' || g, g %% 90 FROM generate_series(1, %d) g`, n),
		`ANALYZE users`)
}
