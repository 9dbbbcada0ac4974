package transfer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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
	savepoint(ctx context.Context) error
	rollbackTo(ctx context.Context) error
	release(ctx context.Context) error
	commit(ctx context.Context) error
	rollback()
}

// sqlWriter writes one target table.
type sqlWriter struct {
	engine     string
	db         *sql.DB
	table      string // qualified, quoted
	cols       []Column
	key        []string
	onConflict string
	q          func(string) string
}

func (w *sqlWriter) ph(n int) string {
	if w.engine == "postgres" {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

func (w *sqlWriter) begin(ctx context.Context) (wtx, error) {
	if w.engine == "postgres" {
		conn, err := w.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		var pc *pgx.Conn
		if err := conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("unexpected PostgreSQL driver %T", dc)
			}
			pc = sc.Conn()
			return nil
		}); err != nil {
			conn.Close()
			return nil, err
		}
		tx, err := pc.Begin(ctx)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return &pgTx{w: w, conn: conn, tx: tx}, nil
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &stdTx{w: w, tx: tx}, nil
}

func (w *sqlWriter) colList() string {
	q := make([]string, len(w.cols))
	for i, c := range w.cols {
		q[i] = w.q(c.Name)
	}
	return strings.Join(q, ", ")
}

func (w *sqlWriter) keyList() string {
	q := make([]string, len(w.key))
	for i, c := range w.key {
		q[i] = w.q(c)
	}
	return strings.Join(q, ", ")
}

// conflictClause is what follows INSERT … VALUES/SELECT for on_conflict.
func (w *sqlWriter) conflictClause() string {
	var sets []string
	for _, c := range w.cols {
		if index(w.key, c.Name) >= 0 {
			continue
		}
		switch w.engine {
		case "mysql":
			sets = append(sets, w.q(c.Name)+" = VALUES("+w.q(c.Name)+")")
		default:
			sets = append(sets, w.q(c.Name)+" = EXCLUDED."+w.q(c.Name))
		}
	}
	switch {
	case w.onConflict == "skip" && w.engine == "mysql":
		k := w.q(w.key[0])
		return " ON DUPLICATE KEY UPDATE " + k + " = " + k
	case w.onConflict == "skip":
		return " ON CONFLICT (" + w.keyList() + ") DO NOTHING"
	case w.onConflict == "update" && len(sets) == 0 && w.engine == "mysql":
		k := w.q(w.key[0])
		return " ON DUPLICATE KEY UPDATE " + k + " = " + k
	case w.onConflict == "update" && len(sets) == 0:
		return " ON CONFLICT (" + w.keyList() + ") DO NOTHING"
	case w.onConflict == "update" && w.engine == "mysql":
		return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	case w.onConflict == "update":
		return " ON CONFLICT (" + w.keyList() + ") DO UPDATE SET " + strings.Join(sets, ", ")
	}
	return ""
}

type pgTx struct {
	w     *sqlWriter
	conn  *sql.Conn
	tx    pgx.Tx
	buf   bytes.Buffer
	stage bool
}

func (t *pgTx) insert(ctx context.Context, rows []outRow) (int64, error) {
	t.buf.Reset()
	for _, r := range rows {
		t.buf.Write(r.line)
	}
	into := t.w.table
	if t.w.onConflict != "error" {
		if !t.stage {
			if _, err := t.tx.Exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS strata_transfer_stage (LIKE "+t.w.table+" INCLUDING DEFAULTS) ON COMMIT DROP"); err != nil {
				return 0, err
			}
			t.stage = true
		} else if _, err := t.tx.Exec(ctx, "TRUNCATE strata_transfer_stage"); err != nil {
			return 0, err
		}
		into = "strata_transfer_stage"
	}
	tag, err := t.tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(t.buf.Bytes()), "COPY "+into+" ("+t.w.colList()+") FROM STDIN")
	if err != nil {
		return 0, err
	}
	if t.w.onConflict == "error" {
		return tag.RowsAffected(), nil
	}
	tag2, err := t.tx.Exec(ctx, "INSERT INTO "+t.w.table+" ("+t.w.colList()+") SELECT "+t.w.colList()+" FROM strata_transfer_stage"+t.w.conflictClause())
	if err != nil {
		return 0, err
	}
	return tag2.RowsAffected(), nil
}

func (t *pgTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.Exec(ctx, query, args...)
	return err
}
func (t *pgTx) savepoint(ctx context.Context) error { return t.exec(ctx, "SAVEPOINT strata_row") }
func (t *pgTx) rollbackTo(ctx context.Context) error {
	return t.exec(ctx, "ROLLBACK TO SAVEPOINT strata_row")
}
func (t *pgTx) release(ctx context.Context) error {
	return t.exec(ctx, "RELEASE SAVEPOINT strata_row")
}
func (t *pgTx) commit(ctx context.Context) error {
	defer t.conn.Close()
	return t.tx.Commit(ctx)
}
func (t *pgTx) rollback() {
	_ = t.tx.Rollback(context.Background())
	t.conn.Close()
}

type stdTx struct {
	w  *sqlWriter
	tx *sql.Tx
}

func (t *stdTx) insert(ctx context.Context, rows []outRow) (int64, error) {
	per := max(1, min(500, 30000/max(1, len(t.w.cols))))
	var written int64
	head := "INSERT INTO " + t.w.table + " (" + t.w.colList() + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.w.cols)), ", ") + ")"
	var sb strings.Builder
	args := make([]any, 0, per*len(t.w.cols))
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		sb.Reset()
		sb.WriteString(head)
		args = args[:0]
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(one)
			args = append(args, rows[i].vals...)
		}
		sb.WriteString(t.w.conflictClause())
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
func (t *stdTx) savepoint(ctx context.Context) error { return t.exec(ctx, "SAVEPOINT strata_row") }
func (t *stdTx) rollbackTo(ctx context.Context) error {
	return t.exec(ctx, "ROLLBACK TO SAVEPOINT strata_row")
}
func (t *stdTx) release(ctx context.Context) error {
	return t.exec(ctx, "RELEASE SAVEPOINT strata_row")
}
func (t *stdTx) commit(ctx context.Context) error { return t.tx.Commit() }
func (t *stdTx) rollback()                        { _ = t.tx.Rollback() }

// badRow is a row the target refused.
type badRow struct {
	row outRow
	err error
}

// insertIsolating writes rows; when the batch fails it bisects under
// savepoints until each failing row is alone, so one bad row costs only
// itself. It returns the rows written and the rows refused with the
// target's error.
func insertIsolating(ctx context.Context, tx wtx, rows []outRow) (int64, []badRow, error) {
	if len(rows) == 0 {
		return 0, nil, nil
	}
	if err := tx.savepoint(ctx); err != nil {
		return 0, nil, err
	}
	n, err := tx.insert(ctx, rows)
	if err == nil {
		return n, nil, tx.release(ctx)
	}
	if ctx.Err() != nil {
		return 0, nil, ctx.Err()
	}
	if retryable(err) {
		return 0, nil, err
	}
	if rerr := tx.rollbackTo(ctx); rerr != nil {
		return 0, nil, errors.Join(err, rerr)
	}
	if err := tx.release(ctx); err != nil {
		return 0, nil, err
	}
	if len(rows) == 1 {
		return 0, []badRow{{rows[0], err}}, nil
	}
	mid := len(rows) / 2
	n1, b1, err := insertIsolating(ctx, tx, rows[:mid])
	if err != nil {
		return 0, nil, err
	}
	n2, b2, err := insertIsolating(ctx, tx, rows[mid:])
	if err != nil {
		return 0, nil, err
	}
	return n1 + n2, append(b1, b2...), nil
}
