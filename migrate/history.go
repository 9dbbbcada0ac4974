package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// States of a history row.
const (
	StateApplied  = "applied"
	StateFailed   = "failed"
	StateRunning  = "running"
	StateExpanded = "expanded" // an online change waiting for `strata complete`
)

// Record is one row of the history table.
type Record struct {
	Version       Version
	Name          string
	Kind          Kind
	Checksum      string
	State         string
	StartedAt     time.Time
	FinishedAt    time.Time // zero while running
	ExecutionMS   int64
	AppliedBy     string
	StrataVersion string
	Error         string
	Progress      string // JSON
	Source        string
}

// execer is what history writes need: a transaction or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// history reads and writes the history table through a dialect.
type history struct {
	d     dialect.Dialect
	table dialect.Table
	q     string // qualified, quoted name
	// schemaExists is set when the schema was read from the connection, so
	// the DDL must not try to create it (that needs rights the runner may
	// not have).
	schemaExists bool
}

func newHistory(d dialect.Dialect, t dialect.Table) *history {
	return &history{d: d, table: t, q: t.Qualified(d)}
}

func (h *history) ph(n int) string { return h.d.Placeholder(n) }

// ensure creates the history table unless it exists. The check comes first
// so that a runner without CREATE rights works once the table is there.
func (h *history) ensure(ctx context.Context, db execer) error {
	if ok, err := h.exists(ctx, db); err == nil && ok {
		return nil
	}
	for _, stmt := range h.d.HistoryDDL(h.table) {
		if h.schemaExists && !strings.Contains(stmt, "TABLE") {
			continue
		}
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create history table %s: %w", h.table, err)
		}
	}
	return nil
}

const recordCols = "version, name, kind, checksum, state, started_at, finished_at, execution_ms, applied_by, strata_version, error, progress, source"

// exists reports whether the history table is there, without creating it
// (read-only commands must not write).
func (h *history) exists(ctx context.Context, db execer) (bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT version FROM "+h.q+" WHERE 1 = 0")
	if err != nil {
		if h.d.IsMissingObject(err) || strings.Contains(err.Error(), "doesn't exist") {
			return false, nil
		}
		return false, fmt.Errorf("read history table %s: %w", h.table, err)
	}
	rows.Close()
	return true, nil
}

func (h *history) list(ctx context.Context, db execer) ([]Record, error) {
	rows, err := db.QueryContext(ctx, "SELECT "+recordCols+" FROM "+h.q)
	if err != nil {
		return nil, fmt.Errorf("read history table %s: %w", h.table, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var v, kind string
		var finished sql.NullTime
		var errText, progress, source sql.NullString
		if err := rows.Scan(&v, &r.Name, &kind, &r.Checksum, &r.State, &r.StartedAt, &finished, &r.ExecutionMS, &r.AppliedBy, &r.StrataVersion, &errText, &progress, &source); err != nil {
			return nil, fmt.Errorf("read history table %s: %w", h.table, err)
		}
		r.Version, r.Kind = Version(v), Kind(kind)
		if finished.Valid {
			r.FinishedAt = finished.Time
		}
		r.Error, r.Progress, r.Source = errText.String, progress.String, source.String
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history table %s: %w", h.table, err)
	}
	sortRecords(out)
	return out, nil
}

func (h *history) insert(ctx context.Context, db execer, r Record) error {
	var finished any
	if !r.FinishedAt.IsZero() {
		finished = r.FinishedAt.UTC()
	}
	q := "INSERT INTO " + h.q + " (" + recordCols + ") VALUES (" + h.placeholders(13) + ")"
	_, err := db.ExecContext(ctx, q, string(r.Version), r.Name, string(r.Kind), r.Checksum, r.State, r.StartedAt.UTC(), finished,
		r.ExecutionMS, r.AppliedBy, r.StrataVersion, r.Error, r.Progress, r.Source)
	if err != nil {
		return fmt.Errorf("record %s in %s: %w", r.Version, h.table, err)
	}
	return nil
}

// insertMany writes several rows in one statement, for single-transaction
// runs where a round trip per row would dominate.
func (h *history) insertMany(ctx context.Context, db execer, rs []Record) error {
	const batch = 200
	for start := 0; start < len(rs); start += batch {
		end := min(start+batch, len(rs))
		var b strings.Builder
		b.WriteString("INSERT INTO " + h.q + " (" + recordCols + ") VALUES ")
		args := make([]any, 0, 13*(end-start))
		for i, r := range rs[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for c := 0; c < 13; c++ {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteString(h.ph(len(args) + c + 1))
			}
			b.WriteString(")")
			var finished any
			if !r.FinishedAt.IsZero() {
				finished = r.FinishedAt.UTC()
			}
			args = append(args, string(r.Version), r.Name, string(r.Kind), r.Checksum, r.State, r.StartedAt.UTC(), finished,
				r.ExecutionMS, r.AppliedBy, r.StrataVersion, r.Error, r.Progress, r.Source)
		}
		if _, err := db.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("record %d migrations in %s: %w", end-start, h.table, err)
		}
	}
	return nil
}

func (h *history) placeholders(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = h.ph(i + 1)
	}
	return strings.Join(ps, ", ")
}

// finish marks a row applied (or failed) with its timing and error.
func (h *history) finish(ctx context.Context, db execer, v Version, state string, finished time.Time, ms int64, errText, progress string) error {
	q := fmt.Sprintf("UPDATE %s SET state = %s, finished_at = %s, execution_ms = %s, error = %s, progress = %s WHERE version = %s",
		h.q, h.ph(1), h.ph(2), h.ph(3), h.ph(4), h.ph(5), h.ph(6))
	if _, err := db.ExecContext(ctx, q, state, finished.UTC(), ms, errText, progress, string(v)); err != nil {
		return fmt.Errorf("record %s as %s in %s: %w", v, state, h.table, err)
	}
	return nil
}

func (h *history) setProgress(ctx context.Context, db execer, v Version, progress string) error {
	q := fmt.Sprintf("UPDATE %s SET progress = %s WHERE version = %s", h.q, h.ph(1), h.ph(2))
	if _, err := db.ExecContext(ctx, q, progress, string(v)); err != nil {
		return fmt.Errorf("record progress of %s in %s: %w", v, h.table, err)
	}
	return nil
}

// accept records a repair: new checksum and source, state applied, by whom.
func (h *history) accept(ctx context.Context, db execer, v Version, checksum, source, by string, at time.Time, note string) error {
	q := fmt.Sprintf("UPDATE %s SET state = %s, checksum = %s, source = %s, applied_by = %s, finished_at = %s, error = %s WHERE version = %s",
		h.q, h.ph(1), h.ph(2), h.ph(3), h.ph(4), h.ph(5), h.ph(6), h.ph(7))
	if _, err := db.ExecContext(ctx, q, StateApplied, checksum, source, by, at.UTC(), note, string(v)); err != nil {
		return fmt.Errorf("repair %s in %s: %w", v, h.table, err)
	}
	return nil
}

func (h *history) remove(ctx context.Context, db execer, v Version) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM "+h.q+" WHERE version = "+h.ph(1), string(v)); err != nil {
		return fmt.Errorf("remove %s from %s: %w", v, h.table, err)
	}
	return nil
}

func sortRecords(rs []Record) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Version.Compare(rs[j].Version) < 0 })
}
