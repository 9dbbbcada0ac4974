package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Tables a transfer keeps in its target.
const (
	// ChunksTable holds a row per chunk written, committed with the chunk.
	ChunksTable = "strata_transfer_chunks"
	// QuarantineTable holds the rows that were not written, and why.
	QuarantineTable = "strata_transfer_quarantine"
	// CompletedTable holds a row per table of a transfer that finished,
	// with its result, so that a finished transfer run again says so.
	CompletedTable = "strata_transfer_completed"
)

// The transfer's own tables, written as any created table is, so that each
// engine gets them in its types. Names in keys are varchar(191): MySQL
// indexes at most 767 bytes of a column in its oldest row format.
func chunksDef() tableDef {
	return tableDef{name: ChunksTable, pk: []string{"transfer", "tbl", "chunk_id"}, cols: []colSpec{
		nameCol("transfer"), nameCol("tbl"), {Column: Column{Name: "chunk_id", Kind: KChar, Length: 64}},
		textCol("after_key"), textCol("last_key"),
		countCol("rows_read"), countCol("rows_written"), countCol("rows_quarantined"), countCol("rows_skipped"),
		countCol("zero_dates"), {Column: Column{Name: "orphans", Kind: KInt64}, def: &defaultValue{kind: defNumber, text: "0"}},
		nowCol("finished_at"),
	}}
}

func quarantineDef() tableDef {
	return tableDef{name: QuarantineTable, pk: []string{"id"}, cols: []colSpec{
		{Column: Column{Name: "id", Kind: KInt64}, identity: dialect.IdentityAutoIncrement},
		nameCol("transfer"), nameCol("tbl"), textCol("source_key"), textCol("error"),
		{Column: Column{Name: "row_data", Kind: KText, Nullable: true}}, nowCol("created_at"),
	}}
}

func completedDef() tableDef {
	return tableDef{name: CompletedTable, pk: []string{"transfer", "tbl"}, cols: []colSpec{
		nameCol("transfer"), nameCol("tbl"), nowCol("completed_at"), textCol("result"),
	}}
}

func nameCol(n string) colSpec  { return colSpec{Column: Column{Name: n, Kind: KVarchar, Length: 191}} }
func textCol(n string) colSpec  { return colSpec{Column: Column{Name: n, Kind: KText}} }
func countCol(n string) colSpec { return colSpec{Column: Column{Name: n, Kind: KInt64}} }
func nowCol(n string) colSpec {
	return colSpec{Column: Column{Name: n, Kind: KTimestampTZ}, def: &defaultValue{kind: defNow}}
}

// ensure creates the tables if they do not exist.
func (r *run) ensure(ctx context.Context, defs ...tableDef) error {
	for _, d := range defs {
		ddl, _ := createTableSQL(r.dst, d, true)
		if _, err := r.dst.DB.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create %s: %w", d.name, err)
		}
	}
	return nil
}

// earlier is what earlier runs of the transfer left in the target.
type earlier struct {
	chunks int
	// completed are the results of the tables a finished run copied.
	completed map[string]*TableResult
	at        time.Time
}

// done reports whether a finished run copied every table of the spec.
func (e *earlier) done(spec *Spec) bool {
	for _, t := range spec.Tables {
		if e.completed[t.To] == nil {
			return false
		}
	}
	return len(spec.Tables) > 0
}

func (r *run) earlier(ctx context.Context) (*earlier, error) {
	e := &earlier{completed: map[string]*TableResult{}}
	if err := r.dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+ChunksTable+" WHERE transfer = "+r.dst.ph(1), r.spec.Name).Scan(&e.chunks); err != nil {
		return nil, fmt.Errorf("read %s: %w", ChunksTable, err)
	}
	rows, err := r.dst.DB.QueryContext(ctx, "SELECT tbl, completed_at, result FROM "+CompletedTable+" WHERE transfer = "+r.dst.ph(1), r.spec.Name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", CompletedTable, err)
	}
	defer rows.Close()
	for rows.Next() {
		var tbl, result string
		var at any
		if err := rows.Scan(&tbl, &at, &result); err != nil {
			return nil, fmt.Errorf("read %s: %w", CompletedTable, err)
		}
		tr := &TableResult{}
		if err := json.Unmarshal([]byte(result), tr); err != nil {
			return nil, fmt.Errorf("read %s: the result of %s: %w", CompletedTable, tbl, err)
		}
		e.completed[tbl] = tr
		if t, err := canonical(Column{Kind: KTimestampTZ}, at, time.UTC); err == nil {
			if t, ok := t.(time.Time); ok && t.After(e.at) {
				e.at = t
			}
		}
	}
	return e, rows.Err()
}

// forget deletes what earlier runs of the transfer recorded, for --restart.
func (r *run) forget(ctx context.Context) error {
	for _, t := range []string{ChunksTable, QuarantineTable, CompletedTable} {
		if _, err := r.dst.DB.ExecContext(ctx, "DELETE FROM "+t+" WHERE transfer = "+r.dst.ph(1), r.spec.Name); err != nil {
			return fmt.Errorf("--restart: empty %s: %w", t, err)
		}
	}
	return nil
}

// complete records that every table of the run is done, with its result.
func (r *run) complete(ctx context.Context) error {
	tx, err := r.dst.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, tr := range r.res.Tables {
		b, err := json.Marshal(tr)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+CompletedTable+" WHERE transfer = "+r.dst.ph(1)+" AND tbl = "+r.dst.ph(2), r.spec.Name, tr.To); err != nil {
			return fmt.Errorf("record %s complete: %w", tr.To, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+CompletedTable+" (transfer, tbl, result) VALUES ("+r.dst.phs(1, 3)+")", r.spec.Name, tr.To, string(b)); err != nil {
			return fmt.Errorf("record %s complete: %w", tr.To, err)
		}
	}
	return tx.Commit()
}

// doneChunk is a chunk a run finished.
type doneChunk struct {
	last                                           string
	read, written, quar, skipped, zeroDts, orphans int64
}

// finished reads the chunks of table that earlier runs committed, by the
// key they start after.
func (r *run) finished(ctx context.Context, table string) (map[string]doneChunk, error) {
	done := map[string]doneChunk{}
	rows, err := r.dst.DB.QueryContext(ctx, "SELECT after_key, last_key, rows_read, rows_written, rows_quarantined, rows_skipped, zero_dates, orphans FROM "+
		ChunksTable+" WHERE transfer = "+r.dst.ph(1)+" AND tbl = "+r.dst.ph(2), r.spec.Name, table)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ChunksTable, err)
	}
	defer rows.Close()
	for rows.Next() {
		var after string
		var d doneChunk
		if err := rows.Scan(&after, &d.last, &d.read, &d.written, &d.quar, &d.skipped, &d.zeroDts, &d.orphans); err != nil {
			return nil, fmt.Errorf("read %s: %w", ChunksTable, err)
		}
		done[after] = d
	}
	return done, rows.Err()
}

// record writes a chunk's quarantined rows and its checkpoint in the
// chunk's transaction.
func (r *run) record(ctx context.Context, tx wtx, table string, c *chunk, d doneChunk, bad []quarantined) error {
	for _, b := range bad {
		if err := tx.exec(ctx, "INSERT INTO "+QuarantineTable+" (transfer, tbl, source_key, error, row_data) VALUES ("+r.dst.phs(1, 5)+")",
			r.spec.Name, table, b.key, b.err, b.row); err != nil {
			return fmt.Errorf("quarantine: %w", err)
		}
	}
	if err := tx.exec(ctx, "INSERT INTO "+ChunksTable+" (transfer, tbl, chunk_id, after_key, last_key, rows_read, rows_written, rows_quarantined, rows_skipped, zero_dates, orphans) VALUES ("+r.dst.phs(1, 11)+")",
		r.spec.Name, table, chunkID(c.after), c.after, c.last, d.read, d.written, d.quar, d.skipped, d.zeroDts, d.orphans); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func chunkID(after string) string {
	h := sha256.Sum256([]byte(after))
	return hex.EncodeToString(h[:])
}
