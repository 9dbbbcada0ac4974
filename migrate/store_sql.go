package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// SQLStore is the [Store] of a SQL database: the history table
// (strata_schema_migrations by default) created through the dialect, and
// the dialect's runner lock. It is safe for concurrent use.
type SQLStore struct {
	db    *sql.DB
	ex    Querier // where writes go: db, or a transaction or connection (InTx)
	d     dialect.Dialect
	table dialect.Table
	// lockTable names the lock: the table as configured, before its schema
	// was pinned, so runners of every strata version agree on the key.
	lockTable dialect.Table
	q         string // qualified, quoted name
	// schemaKnown is set when the schema was read from the connection, so
	// the DDL must not try to create it (that needs rights the runner may
	// not have).
	schemaKnown bool
}

var (
	_ Store      = (*SQLStore)(nil)
	_ TxStore    = (*SQLStore)(nil)
	_ BatchStore = (*SQLStore)(nil)
)

// NewSQLStore returns the store of history table t in db. An empty schema
// means the connection's current one, as each statement finds it.
func NewSQLStore(db *sql.DB, d dialect.Dialect, t dialect.Table) *SQLStore {
	return &SQLStore{db: db, ex: db, d: d, table: t, lockTable: t, q: t.Qualified(d)}
}

// pin fixes the table's schema to the one the connection starts in, so a
// migration that changes search_path or runs USE does not move history.
func (s *SQLStore) pin(schema string) {
	if s.table.Schema != "" || schema == "" {
		return
	}
	s.table.Schema, s.schemaKnown = schema, true
	s.q = s.table.Qualified(s.d)
}

// Table returns the history table, schema-qualified once it is pinned.
func (s *SQLStore) Table() dialect.Table { return s.table }

// InTx implements [TxStore].
func (s *SQLStore) InTx(q Querier) (Store, error) {
	c := *s
	c.ex = q
	return &c, nil
}

// Lock implements [Locker] with the dialect's lock.
func (s *SQLStore) Lock(ctx context.Context, opts dialect.LockOptions) (dialect.Lock, error) {
	return s.d.Lock(ctx, s.db, s.lockTable, opts)
}

// Ensure creates the history table unless it exists. The check comes first
// so that a runner without CREATE rights works once the table is there.
func (s *SQLStore) Ensure(ctx context.Context) error {
	if rows, err := s.ex.QueryContext(ctx, "SELECT version FROM "+s.q+" WHERE 1 = 0"); err == nil {
		rows.Close()
		return nil
	}
	for _, stmt := range s.d.HistoryDDL(s.table) {
		if s.schemaKnown && !strings.Contains(stmt, "TABLE") {
			continue
		}
		if _, err := s.ex.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create history table %s: %w", s.table, err)
		}
	}
	return nil
}

const recordCols = "version, name, kind, checksum, state, started_at, finished_at, execution_ms, applied_by, strata_version, error, progress, source"

// List implements [Store]: no rows and no error when the table does not
// exist (read-only commands must not create it).
func (s *SQLStore) List(ctx context.Context) ([]Record, error) {
	rows, err := s.ex.QueryContext(ctx, "SELECT "+recordCols+" FROM "+s.q)
	if err != nil {
		if s.d.IsMissingObject(err) || strings.Contains(err.Error(), "doesn't exist") {
			return nil, nil
		}
		return nil, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var v, kind, state string
		var finished sql.NullTime
		var errText, progress, source sql.NullString
		if err := rows.Scan(&v, &r.Name, &kind, &r.Checksum, &state, &r.StartedAt, &finished, &r.ExecutionMS, &r.AppliedBy, &r.StrataVersion, &errText, &progress, &source); err != nil {
			return nil, fmt.Errorf("read history table %s: %w", s.table, err)
		}
		r.Version, r.Kind, r.State = Version(v), Kind(kind), State(state)
		if finished.Valid {
			r.FinishedAt = finished.Time
		}
		r.Error, r.Progress, r.Source = errText.String, progress.String, source.String
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	return out, nil
}

// args are r's column values, in recordCols order.
func args(r Record) []any {
	var finished any
	if !r.FinishedAt.IsZero() {
		finished = r.FinishedAt.UTC()
	}
	return []any{string(r.Version), r.Name, string(r.Kind), r.Checksum, string(r.State), r.StartedAt.UTC(), finished,
		r.ExecutionMS, r.AppliedBy, r.StrataVersion, r.Error, r.Progress, r.Source}
}

// Insert implements [Store]; the primary key refuses a second row.
func (s *SQLStore) Insert(ctx context.Context, r Record) error {
	q := "INSERT INTO " + s.q + " (" + recordCols + ") VALUES (" + s.placeholders(13, 0) + ")"
	if _, err := s.ex.ExecContext(ctx, q, args(r)...); err != nil {
		return fmt.Errorf("record %s in %s: %w", r.Version, s.table, err)
	}
	return nil
}

// InsertMany implements [BatchStore]: one statement per 200 rows, for
// single-transaction runs where a round trip per row would dominate.
func (s *SQLStore) InsertMany(ctx context.Context, rs []Record) error {
	const batch = 200
	for start := 0; start < len(rs); start += batch {
		end := min(start+batch, len(rs))
		var b strings.Builder
		b.WriteString("INSERT INTO " + s.q + " (" + recordCols + ") VALUES ")
		vals := make([]any, 0, 13*(end-start))
		for i, r := range rs[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + s.placeholders(13, len(vals)) + ")")
			vals = append(vals, args(r)...)
		}
		if _, err := s.ex.ExecContext(ctx, b.String(), vals...); err != nil {
			return fmt.Errorf("record %s in %s: %w", plural(end-start, "migration", "migrations"), s.table, err)
		}
	}
	return nil
}

// placeholders returns n bind parameters numbered from after+1.
func (s *SQLStore) placeholders(n, after int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = s.d.Placeholder(after + i + 1)
	}
	return strings.Join(ps, ", ")
}

// Update implements [Store]: every column of r's row.
func (s *SQLStore) Update(ctx context.Context, r Record) error {
	cols := strings.Split(recordCols, ", ")[1:]
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = " + s.d.Placeholder(i+1)
	}
	vals := args(r)
	q := fmt.Sprintf("UPDATE %s SET %s WHERE version = %s", s.q, strings.Join(set, ", "), s.d.Placeholder(len(cols)+1))
	if _, err := s.ex.ExecContext(ctx, q, append(vals[1:], vals[0])...); err != nil {
		return fmt.Errorf("record %s as %s in %s: %w", r.Version, r.State, s.table, err)
	}
	return nil
}

// Delete implements [Store].
func (s *SQLStore) Delete(ctx context.Context, v Version) error {
	if _, err := s.ex.ExecContext(ctx, "DELETE FROM "+s.q+" WHERE version = "+s.d.Placeholder(1), string(v)); err != nil {
		return fmt.Errorf("remove %s from %s: %w", v, s.table, err)
	}
	return nil
}

func sortRecords(rs []Record) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Version.Compare(rs[j].Version) < 0 })
}
