package transfer

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// outRow is a row ready for the target: its values in target column order
// and, for PostgreSQL, its COPY text line.
type outRow struct {
	key  string // the source key, for quarantine and messages
	vals []any
	line []byte
}

// wtx is one chunk's transaction on the target.
type wtx interface {
	// insert writes rows all-or-nothing and returns how many were written
	// (fewer with on_conflict: skip).
	insert(ctx context.Context, rows []outRow) (int64, error)
	exec(ctx context.Context, query string, args ...any) error
	commit(ctx context.Context) error
	rollback()
}

// sqlWriter writes one target table.
type sqlWriter struct {
	dst        *side
	db         *sql.DB
	table      string // qualified, quoted
	cols       []Column
	key        []string
	onConflict string
}

func (w *sqlWriter) begin(ctx context.Context) (wtx, error) { return w.dst.eng.begin(ctx, w) }

func (w *sqlWriter) colList() string {
	names := make([]string, len(w.cols))
	for i, c := range w.cols {
		names[i] = c.Name
	}
	return dialect.QuoteList(w.dst.Dialect, names)
}

// onConflict is the ON CONFLICT clause of PostgreSQL and SQLite.
func onConflict(w *sqlWriter) string {
	q := w.dst.Dialect.Quote
	var sets []string
	for _, c := range w.cols {
		if index(w.key, c.Name) < 0 {
			sets = append(sets, q(c.Name)+" = EXCLUDED."+q(c.Name))
		}
	}
	target := " ON CONFLICT (" + dialect.QuoteList(w.dst.Dialect, w.key) + ")"
	switch {
	case w.onConflict == "update" && len(sets) > 0:
		return target + " DO UPDATE SET " + strings.Join(sets, ", ")
	case w.onConflict == "skip", w.onConflict == "update":
		return target + " DO NOTHING"
	}
	return ""
}

// stdTx is a database/sql transaction writing multi-row INSERTs.
type stdTx struct {
	w  *sqlWriter
	tx *sql.Tx
}

func beginStd(ctx context.Context, w *sqlWriter) (wtx, error) {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &stdTx{w: w, tx: tx}, nil
}

// encodeArgs turns a row's values into driver arguments.
func encodeArgs(e rowWriter, cols []Column, vals []any) outRow {
	o := outRow{vals: make([]any, len(cols))}
	for i, c := range cols {
		o.vals[i] = e.arg(c, vals[i])
	}
	return o
}

// driverArg turns a target value into a driver argument: decimals as
// text, dates as dates, instants in UTC.
func driverArg(c Column, v any) any {
	switch x := v.(type) {
	case Decimal:
		return string(x)
	case time.Time:
		if c.Kind == KDate {
			return x.Format("2006-01-02")
		}
		return x.UTC()
	}
	return v
}

func (t *stdTx) insert(ctx context.Context, rows []outRow) (int64, error) {
	width := len(t.w.cols)
	per := max(1, min(500, 30000/max(1, width)))
	var written int64
	head := "INSERT INTO " + t.w.table + " (" + t.w.colList() + ") VALUES "
	// Engines whose parameters are all "?" write one row's the same way.
	same := t.w.dst.ph(1) == t.w.dst.ph(2)
	one := "(" + t.w.dst.phs(1, width) + ")"
	var sb strings.Builder
	args := make([]any, 0, per*width)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		sb.Reset()
		sb.WriteString(head)
		args = args[:0]
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			if !same {
				one = "(" + t.w.dst.phs(len(args)+1, width) + ")"
			}
			sb.WriteString(one)
			args = append(args, rows[i].vals...)
		}
		sb.WriteString(t.w.dst.eng.conflictClause(t.w))
		res, err := t.tx.ExecContext(ctx, sb.String(), args...)
		if err != nil {
			return written, err
		}
		n, _ := res.RowsAffected()
		if t.w.onConflict != "skip" {
			n = int64(end - start)
		}
		written += n
	}
	return written, nil
}

func (t *stdTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, query, args...)
	return err
}
func (t *stdTx) commit(context.Context) error { return t.tx.Commit() }
func (t *stdTx) rollback()                    { _ = t.tx.Rollback() }

// badRow is a row the target refused.
type badRow struct {
	row outRow
	err error
}

// insertIsolating writes rows; when the batch fails it bisects under
// savepoints until each failing row is alone, so one bad row costs only
// itself. It returns the rows written and the rows refused with the
// target's error.
func insertIsolating(ctx context.Context, tx wtx, rows []outRow, retryable func(error) bool) (int64, []badRow, error) {
	if len(rows) == 0 {
		return 0, nil, nil
	}
	if err := tx.exec(ctx, "SAVEPOINT strata_row"); err != nil {
		return 0, nil, err
	}
	n, err := tx.insert(ctx, rows)
	if err == nil {
		return n, nil, tx.exec(ctx, "RELEASE SAVEPOINT strata_row")
	}
	if ctx.Err() != nil {
		return 0, nil, ctx.Err()
	}
	if retryable(err) {
		return 0, nil, err
	}
	if rerr := tx.exec(ctx, "ROLLBACK TO SAVEPOINT strata_row"); rerr != nil {
		return 0, nil, errors.Join(err, rerr)
	}
	if err := tx.exec(ctx, "RELEASE SAVEPOINT strata_row"); err != nil {
		return 0, nil, err
	}
	if len(rows) == 1 {
		return 0, []badRow{{rows[0], err}}, nil
	}
	mid := len(rows) / 2
	n1, b1, err := insertIsolating(ctx, tx, rows[:mid], retryable)
	if err != nil {
		return 0, nil, err
	}
	n2, b2, err := insertIsolating(ctx, tx, rows[mid:], retryable)
	if err != nil {
		return 0, nil, err
	}
	return n1 + n2, append(b1, b2...), nil
}
