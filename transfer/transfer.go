package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

// Checkpoint and quarantine tables, created in the target.
const (
	ChunksTable     = "strata_transfer_chunks"
	QuarantineTable = "strata_transfer_quarantine"
)

// Defaults.
const (
	DefaultWorkers   = 2
	DefaultChunkRows = 20_000
)

// Options tune [Run]. The zero value runs a fresh transfer.
type Options struct {
	// Resume continues an interrupted run from its last finished chunks.
	Resume bool
	// Restart forgets an interrupted run's checkpoints and empties the
	// tables it creates, then starts over.
	Restart bool
	// Workers overrides the spec's workers.
	Workers int
	// Observer receives a batch_done event per chunk (rows, rows/s in
	// Message) and migration_finished per table.
	Observer migrate.Observer
	Logger   *slog.Logger
	// NoVerify skips the comparison after the copy.
	NoVerify bool
}

// TableResult accounts for every row of one table mapping.
type TableResult struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Read = Written + Quarantined + Skipped when the table is complete.
	Read        int64 `json:"read"`
	Written     int64 `json:"written"`
	Quarantined int64 `json:"quarantined"`
	Skipped     int64 `json:"skipped"`
	// ZeroDates counts MySQL zero dates stored as NULL.
	ZeroDates int64 `json:"zero_dates"`
	// Orphans counts rows whose reference had no parent (then skipped,
	// quarantined or set NULL as references: orphans: says).
	Orphans int64 `json:"orphans"`
	// Chunks counts finished chunks; Resumed those a previous run finished.
	Chunks  int64   `json:"chunks"`
	Resumed int64   `json:"resumed_chunks"`
	Created bool    `json:"created"`
	Notes   []Note  `json:"notes,omitempty"`
	Verify  *Verify `json:"verify,omitempty"`
	Elapsed float64 `json:"elapsed_seconds"`
	// RowsPerSecond is rows read in this run per second of this run.
	RowsPerSecond float64 `json:"rows_per_second"`
	Complete      bool    `json:"complete"`
	Error         string  `json:"error,omitempty"`
}

// Balanced reports whether every read row is accounted for.
func (r *TableResult) Balanced() bool { return r.Read == r.Written+r.Quarantined+r.Skipped }

// Result is a whole run.
type Result struct {
	Transfer   string         `json:"transfer"`
	Tables     []*TableResult `json:"tables"`
	Quarantine string         `json:"quarantine_table"`
}

// ErrInterrupted is returned when checkpoints of an earlier run exist and
// neither resume nor restart was asked for.
var ErrInterrupted = errors.New("an earlier run of this transfer did not finish")

// ErrTooManyErrors is returned (wrapped) when quarantined rows exceed max_errors.
var ErrTooManyErrors = errors.New("too many bad rows")

// Run copies every table of spec from src to dst. It always returns a
// Result with what was done, also with an error.
func Run(ctx context.Context, src, dst *connect.Target, spec *Spec, o Options) (*Result, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	res := &Result{Transfer: spec.Name, Quarantine: QuarantineTable}
	r := &run{spec: spec, src: src, dst: dst, o: o, res: res, se: src.Dialect.Name(), te: dst.Dialect.Name()}
	r.loc = time.UTC
	if spec.Timezone != "" {
		loc, err := time.LoadLocation(spec.Timezone)
		if err != nil {
			return res, &SpecError{File: spec.File, Line: spec.line, Msg: fmt.Sprintf("timezone %q: %v", spec.Timezone, err)}
		}
		r.loc = loc
	}
	r.workers = spec.Workers
	if o.Workers > 0 {
		r.workers = o.Workers
	}
	if r.workers == 0 {
		r.workers = DefaultWorkers
	}
	if r.te == "sqlite" {
		r.workers = 1 // one writer at a time
	}
	r.chunk = spec.ChunkRows
	if r.chunk == 0 {
		r.chunk = DefaultChunkRows
	}
	if err := r.ensureTables(ctx); err != nil {
		return res, err
	}
	var prior int
	if err := dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+ChunksTable+" WHERE transfer = "+r.ph(1), spec.Name).Scan(&prior); err != nil {
		return res, err
	}
	switch {
	case prior > 0 && o.Restart:
		if _, err := dst.DB.ExecContext(ctx, "DELETE FROM "+ChunksTable+" WHERE transfer = "+r.ph(1), spec.Name); err != nil {
			return res, err
		}
		if _, err := dst.DB.ExecContext(ctx, "DELETE FROM "+QuarantineTable+" WHERE transfer = "+r.ph(1), spec.Name); err != nil {
			return res, err
		}
		r.restart = true
	case prior > 0 && !o.Resume:
		return res, fmt.Errorf("%w: %d chunks of %q are recorded in %s; run again with --resume to continue it, or --restart to start over", ErrInterrupted, prior, spec.Name, ChunksTable)
	}
	for _, t := range spec.Tables {
		tr := &TableResult{From: t.From, To: t.To}
		res.Tables = append(res.Tables, tr)
		if err := r.table(ctx, t, tr); err != nil {
			tr.Error = err.Error()
			return res, fmt.Errorf("table %s: %w", t.To, err)
		}
	}
	return res, nil
}

type run struct {
	spec     *Spec
	src, dst *connect.Target
	se, te   string
	o        Options
	res      *Result
	loc      *time.Location
	workers  int
	chunk    int
	restart  bool
}

func (r *run) ph(n int) string {
	if r.te == "postgres" {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

func (r *run) ensureTables(ctx context.Context) error {
	var stmts []string
	switch r.te {
	case "postgres":
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS ` + ChunksTable + ` (transfer text NOT NULL, tbl text NOT NULL, chunk_id text NOT NULL, after_key text NOT NULL, last_key text NOT NULL, rows_read bigint NOT NULL, rows_written bigint NOT NULL, rows_quarantined bigint NOT NULL, rows_skipped bigint NOT NULL, zero_dates bigint NOT NULL, orphans bigint NOT NULL DEFAULT 0, finished_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (transfer, tbl, chunk_id))`,
			`CREATE TABLE IF NOT EXISTS ` + QuarantineTable + ` (id bigserial PRIMARY KEY, transfer text NOT NULL, tbl text NOT NULL, source_key text NOT NULL, error text NOT NULL, row_data text, created_at timestamptz NOT NULL DEFAULT now())`,
		}
	case "mysql":
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS ` + ChunksTable + ` (transfer varchar(191) NOT NULL, tbl varchar(191) NOT NULL, chunk_id char(64) NOT NULL, after_key text NOT NULL, last_key text NOT NULL, rows_read bigint NOT NULL, rows_written bigint NOT NULL, rows_quarantined bigint NOT NULL, rows_skipped bigint NOT NULL, zero_dates bigint NOT NULL, orphans bigint NOT NULL DEFAULT 0, finished_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (transfer, tbl, chunk_id)) ENGINE=InnoDB`,
			`CREATE TABLE IF NOT EXISTS ` + QuarantineTable + ` (id bigint AUTO_INCREMENT PRIMARY KEY, transfer varchar(191) NOT NULL, tbl varchar(191) NOT NULL, source_key text NOT NULL, error text NOT NULL, row_data longtext, created_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
		}
	default:
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS ` + ChunksTable + ` (transfer TEXT NOT NULL, tbl TEXT NOT NULL, chunk_id TEXT NOT NULL, after_key TEXT NOT NULL, last_key TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_written INTEGER NOT NULL, rows_quarantined INTEGER NOT NULL, rows_skipped INTEGER NOT NULL, zero_dates INTEGER NOT NULL, orphans INTEGER NOT NULL DEFAULT 0, finished_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (transfer, tbl, chunk_id))`,
			`CREATE TABLE IF NOT EXISTS ` + QuarantineTable + ` (id INTEGER PRIMARY KEY AUTOINCREMENT, transfer TEXT NOT NULL, tbl TEXT NOT NULL, source_key TEXT NOT NULL, error TEXT NOT NULL, row_data TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
		}
	}
	for _, s := range stmts {
		if _, err := r.dst.DB.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create %s: %w", ChunksTable, err)
		}
	}
	return nil
}

// doneChunk is a chunk a run finished.
type doneChunk struct {
	last                                           string
	read, written, quar, skipped, zeroDts, orphans int64
}

// chunk is a page of source rows on its way to the target.
type chunk struct {
	after, last string // JSON of the keys around the chunk
	rows        [][]any
	lines       [][]byte // COPY text, on the PostgreSQL to PostgreSQL path
	read        int64
	t0          time.Time
}

// mapping is a table mapping resolved against both schemas.
type mapping struct {
	t        *Table
	srcCols  []Column
	keyIdx   []int
	prog     *program
	outIdx   []int    // program output slot of each target column
	tgtCols  []Column // target columns written, in order
	tgtKey   []string // target key columns
	from     string
	srcNames []string
	// copyText: rows move as COPY text lines (see passthrough.go).
	copyText bool
	refs     []resolvedRef
	// explodeSlot is the program output slot of the exploded column; the
	// element goes in the slot after the program's last.
	explodeSlot int
	// width is the slots of a row: the program's, the explode slot, and
	// one per lookup.
	width int
}

func (r *run) table(ctx context.Context, t *Table, tr *TableResult) error {
	t0 := time.Now()
	m, err := r.resolve(ctx, t, tr)
	if err != nil {
		return err
	}
	m.copyText = r.canPassthrough(m)
	if t.DeferIndexes {
		if r.te != "postgres" {
			tr.Notes = append(tr.Notes, Note{Table: t.To, Note: "defer_indexes works on PostgreSQL targets; the indexes stay and are maintained during the load"})
		} else {
			note, err := r.deferIndexes(ctx, m)
			if err != nil {
				return err
			}
			tr.Notes = append(tr.Notes, Note{Table: t.To, Note: note})
		}
	}
	// Chunks an earlier run finished.
	done := map[string]doneChunk{}
	rows, err := r.dst.DB.QueryContext(ctx, "SELECT after_key, last_key, rows_read, rows_written, rows_quarantined, rows_skipped, zero_dates, orphans FROM "+ChunksTable+" WHERE transfer = "+r.ph(1)+" AND tbl = "+r.ph(2), r.spec.Name, t.To)
	if err != nil {
		return err
	}
	for rows.Next() {
		var after string
		var d doneChunk
		if err := rows.Scan(&after, &d.last, &d.read, &d.written, &d.quar, &d.skipped, &d.zeroDts, &d.orphans); err != nil {
			rows.Close()
			return err
		}
		done[after] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var total int64 = -1
	if r.o.Observer != nil {
		_ = r.src.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+m.from+r.whereClause(t, false)).Scan(&total)
	}
	var readNow atomic.Int64
	var mu sync.Mutex
	count := func(d doneChunk, resumed bool) error {
		mu.Lock()
		defer mu.Unlock()
		tr.Read += d.read
		tr.Written += d.written
		tr.Quarantined += d.quar
		tr.Skipped += d.skipped
		tr.ZeroDates += d.zeroDts
		tr.Orphans += d.orphans
		tr.Chunks++
		if resumed {
			tr.Resumed++
		}
		lim := t.MaxErrors
		if !lim.Set {
			lim = r.spec.MaxErrors
		}
		if lim.Exceeded(tr.Quarantined, tr.Read) {
			return fmt.Errorf("%w: %d rows quarantined of %d read, above max_errors %s (see %s)", ErrTooManyErrors, tr.Quarantined, tr.Read, lim, QuarantineTable)
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	ch := make(chan *chunk, r.workers)
	g.Go(func() error {
		defer close(ch)
		after := "null"
		for {
			for {
				d, ok := done[after]
				if !ok {
					break
				}
				if err := count(d, true); err != nil {
					return err
				}
				after = d.last
			}
			read := r.readChunk
			if m.copyText {
				read = r.readLines
			}
			c, err := read(gctx, m, after)
			if err != nil {
				return err
			}
			if c == nil {
				return nil
			}
			readNow.Add(c.read)
			select {
			case ch <- c:
			case <-gctx.Done():
				return gctx.Err()
			}
			after = c.last
		}
	})
	for range r.workers {
		g.Go(func() error {
			for c := range ch {
				d, err := r.writeChunk(gctx, m, c)
				for attempt := 1; err != nil && retryable(err) && attempt < 6; attempt++ {
					// Deadlocks between workers (MySQL gap locks): the
					// chunk's transaction was rolled back whole, run it again.
					time.Sleep(time.Duration(attempt*attempt) * 50 * time.Millisecond)
					d, err = r.writeChunk(gctx, m, c)
				}
				if err != nil {
					return err
				}
				if err := count(d, false); err != nil {
					return err
				}
				if r.o.Observer != nil {
					mu.Lock()
					ev := migrate.Event{Kind: migrate.EventBatchDone, Time: time.Now(), Table: t.To, Rows: tr.Read, RowsTotal: total, Duration: time.Since(t0),
						Message: fmt.Sprintf("%d chunks, %d quarantined", tr.Chunks, tr.Quarantined)}
					mu.Unlock()
					r.o.Observer.OnEvent(gctx, ev)
				}
			}
			return nil
		})
	}
	err = g.Wait()
	tr.Elapsed = time.Since(t0).Seconds()
	if tr.Elapsed > 0 {
		tr.RowsPerSecond = float64(readNow.Load()) / tr.Elapsed
	}
	if err != nil {
		return err
	}
	if t.DeferIndexes && r.te == "postgres" {
		if err := r.rebuildIndexes(ctx, m); err != nil {
			return err
		}
	}
	tr.Complete = true
	if !r.o.NoVerify && (r.spec.Verify == nil || *r.spec.Verify) {
		v, err := r.verify(ctx, m, tr)
		tr.Verify = v
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *run) whereClause(t *Table, and bool) string {
	if t.Where == "" {
		if and {
			return " WHERE "
		}
		return ""
	}
	if and {
		return " WHERE (" + t.Where + ") AND "
	}
	return " WHERE (" + t.Where + ")"
}

// retryable reports a deadlock or serialization failure: the transaction
// was rolled back whole and can run again.
func retryable(err error) bool {
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return my.Number == 1213 || my.Number == 1205
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	return false
}

func chunkID(after string) string {
	h := sha256.Sum256([]byte(after))
	return hex.EncodeToString(h[:])
}

// readChunk reads the next page after the key in after (JSON; "null" for
// the start). It returns nil at the end of the table.
func (r *run) readChunk(ctx context.Context, m *mapping, after string) (*chunk, error) {
	sq := r.src.Dialect.Quote
	var sel []string
	for _, c := range m.srcCols {
		if r.se == "mysql" && c.isDateish() {
			sel = append(sel, "CAST("+sq(c.Name)+" AS CHAR) AS "+sq(c.Name))
		} else {
			sel = append(sel, sq(c.Name))
		}
	}
	var keys []string
	for _, k := range m.t.Key {
		keys = append(keys, sq(k))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + m.from
	var args []any
	if after == "null" {
		q += r.whereClause(m.t, false)
	} else {
		var vals []any
		dec := json.NewDecoder(strings.NewReader(after))
		dec.UseNumber()
		if err := dec.Decode(&vals); err != nil {
			return nil, fmt.Errorf("checkpoint key %s: %w", after, err)
		}
		for i, v := range vals {
			if n, ok := v.(json.Number); ok {
				if iv, err := n.Int64(); err == nil {
					vals[i] = iv
				} else {
					vals[i] = n.String()
				}
			}
		}
		ph := func(n int) string {
			if r.se == "postgres" {
				return fmt.Sprintf("$%d", n)
			}
			return "?"
		}
		q += r.whereClause(m.t, true)
		if len(keys) == 1 || r.se == "mysql" {
			// k1 > a OR (k1 = a AND k2 > b) ...: index-friendly everywhere.
			var ors []string
			for i := range keys {
				var ands []string
				for j := 0; j < i; j++ {
					args = append(args, vals[j])
					ands = append(ands, keys[j]+" = "+ph(len(args)))
				}
				args = append(args, vals[i])
				ands = append(ands, keys[i]+" > "+ph(len(args)))
				ors = append(ors, "("+strings.Join(ands, " AND ")+")")
			}
			q += "(" + strings.Join(ors, " OR ") + ")"
		} else {
			var phs []string
			for _, v := range vals {
				args = append(args, v)
				phs = append(phs, ph(len(args)))
			}
			q += "(" + strings.Join(keys, ", ") + ") > (" + strings.Join(phs, ", ") + ")"
		}
	}
	q += " ORDER BY " + strings.Join(keys, ", ") + fmt.Sprintf(" LIMIT %d", r.chunk)
	rows, err := r.src.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", m.t.From, err)
	}
	defer rows.Close()
	c := &chunk{after: after, t0: time.Now()}
	n := len(m.srcCols)
	for rows.Next() {
		vals := make([]any, n, n+len(m.prog.out)-n+1)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", m.t.From, err)
		}
		c.rows = append(c.rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", m.t.From, err)
	}
	if len(c.rows) == 0 {
		return nil, nil
	}
	c.read = int64(len(c.rows))
	lastRow := c.rows[len(c.rows)-1]
	var kv []any
	for _, i := range m.keyIdx {
		v, err := canonical(m.srcCols[i], lastRow[i], r.loc)
		if err != nil {
			v = text(lastRow[i])
		}
		if t, ok := v.(time.Time); ok {
			v = t.Format("2006-01-02 15:04:05.999999")
		}
		if d, ok := v.(Decimal); ok {
			v = string(d)
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		kv = append(kv, v)
	}
	b, _ := json.Marshal(kv)
	c.last = string(b)
	return c, nil
}

func (m *mapping) keyText(vals []any) string {
	var parts []string
	for _, i := range m.keyIdx {
		parts = append(parts, m.srcCols[i].Name+"="+text(vals[i]))
	}
	return strings.Join(parts, ",")
}

func rowJSON(names []string, vals []any) string {
	o := make(map[string]any, len(names))
	for i, n := range names {
		if i < len(vals) && !strings.HasPrefix(n, "\x00") {
			v := vals[i]
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case Decimal:
				v = string(x)
			}
			o[n] = v
		}
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// ruledRow is a row after the rules: its values by program slot, then the
// explode slot, then one slot per lookup.
type ruledRow struct {
	key  string
	vals []any
}

// pending is a mapped row before it is encoded for the target.
type pending struct {
	key  string
	tv   []any // target values
	vals []any // values after the rules, for quarantine
}

type quarantined struct {
	key, err, row string
}

// writeChunk maps a chunk's rows and writes them with the chunk's
// checkpoint in one transaction.
func (r *run) writeChunk(ctx context.Context, m *mapping, c *chunk) (doneChunk, error) {
	d := doneChunk{last: c.last, read: c.read}
	var bad []quarantined
	out := make([]outRow, 0, len(c.rows))
	isPG := r.te == "postgres"
	var line []byte
	var pend []pending
	var ruled []ruledRow
	for _, l := range c.lines {
		out = append(out, outRow{key: m.lineKeyText(l), line: l})
	}
rows:
	for _, raw := range c.rows {
		key := m.keyText(raw)
		vals := make([]any, len(raw), len(m.prog.out)+1)
		for i, col := range m.srcCols {
			v, err := canonical(col, raw[i], r.loc)
			if err == errZeroDate {
				d.zeroDts++
				v, err = nil, nil
			}
			if err != nil {
				bad = append(bad, quarantined{key, "read: " + err.Error(), rowJSON(m.srcNames, raw)})
				continue rows
			}
			vals[i] = v
		}
		vals, err := m.prog.run(vals)
		if err != nil {
			var sk *errSkip
			if errors.As(err, &sk) {
				d.skipped++
				continue
			}
			bad = append(bad, quarantined{key, "rule: " + err.Error(), rowJSON(m.prog.out, raw)})
			continue
		}
		ruled = append(ruled, ruledRow{key, grow(vals, m.width)})
	}
	if len(m.t.Lookups) > 0 {
		var err error
		if ruled, err = r.lookups(ctx, m, ruled, &d, &bad); err != nil {
			return d, err
		}
	}
explode:
	for _, rr := range ruled {
		key, vals := rr.key, rr.vals
		variants := [][]any{vals}
		if e := m.t.Explode; e != nil {
			vals = grow(vals, len(m.prog.out))
			elems, err := explodeValue(vals[m.explodeSlot], e.Sep)
			if err != nil {
				bad = append(bad, quarantined{key, "explode " + e.Column + ": " + err.Error(), rowJSON(m.prog.out, vals)})
				continue
			}
			if len(elems) == 0 {
				d.skipped++ // nothing to explode: no junction row
				continue
			}
			variants = variants[:0]
			for _, el := range elems {
				v2 := make([]any, len(vals))
				copy(v2, vals)
				v2[len(m.prog.out)] = el
				variants = append(variants, v2)
			}
		}
		var batch []pending
		for _, vals := range variants {
			tv := make([]any, len(m.tgtCols))
			for i, tc := range m.tgtCols {
				v, err := coerce(tc, vals[m.outIdx[i]])
				if err != nil {
					bad = append(bad, quarantined{key, fmt.Sprintf("column %s: %v", tc.Name, err), rowJSON(m.prog.out, vals)})
					continue explode
				}
				tv[i] = v
			}
			batch = append(batch, pending{key: key, tv: tv, vals: vals})
		}
		pend = append(pend, batch...)
	}
	if len(m.refs) > 0 {
		var err error
		if pend, err = r.orphans(ctx, m, pend, &d, &bad); err != nil {
			return d, err
		}
	}
encode:
	for _, p := range pend {
		o := outRow{key: p.key, vals: make([]any, len(m.tgtCols))}
		if isPG {
			line = line[:0]
		}
		for i, tc := range m.tgtCols {
			v := p.tv[i]
			if isPG {
				var err error
				if i > 0 {
					line = append(line, '\t')
				}
				if line, err = appendCopyText(line, tc, v); err != nil {
					bad = append(bad, quarantined{p.key, fmt.Sprintf("column %s: %v", tc.Name, err), rowJSON(m.prog.out, p.vals)})
					continue encode
				}
			} else {
				o.vals[i] = sqlArg(r.te, tc, v)
			}
		}
		if isPG {
			o.line = append(append(make([]byte, 0, len(line)+1), line...), '\n')
			o.vals = nil
		}
		out = append(out, o)
	}
	w := &sqlWriter{engine: r.te, db: r.dst.DB, table: qualify(m.t.To, r.dst.Dialect.Quote), cols: m.tgtCols, key: m.tgtKey, onConflict: m.t.OnConflict, q: r.dst.Dialect.Quote}
	tx, err := w.begin(ctx)
	if err != nil {
		return d, err
	}
	committed := false
	defer func() {
		if !committed {
			tx.rollback()
		}
	}()
	if r.te == "mysql" && (r.o.Resume || r.restart) && c.after != "null" {
		// MySQL may hold rows of a chunk a killed run wrote outside a
		// transaction (MyISAM): remove the chunk's key range first.
		if err := r.deleteRange(ctx, tx, m, c); err != nil {
			return d, err
		}
	}
	written, refused, err := insertIsolating(ctx, tx, out)
	if err != nil {
		return d, fmt.Errorf("write %s: %w", m.t.To, err)
	}
	for _, b := range refused {
		bad = append(bad, quarantined{b.row.key, "target refused the row: " + b.err.Error(), b.row.keyJSON()})
	}
	d.written = written
	d.quar = int64(len(bad))
	// Rows on_conflict: skip left out.
	d.skipped += int64(len(out)-len(refused)) - written
	if m.t.Explode != nil {
		// Count source rows: a row is quarantined when any of its
		// elements was, written otherwise.
		failed := map[string]bool{}
		for _, b := range bad {
			failed[b.key] = true
		}
		d.quar = int64(len(failed))
		d.written = d.read - d.skipped - d.quar
	}
	for _, b := range bad {
		if err := tx.exec(ctx, "INSERT INTO "+QuarantineTable+" (transfer, tbl, source_key, error, row_data) VALUES ("+r.ph(1)+", "+r.ph(2)+", "+r.ph(3)+", "+r.ph(4)+", "+r.ph(5)+")",
			r.spec.Name, m.t.To, b.key, b.err, b.row); err != nil {
			return d, fmt.Errorf("quarantine: %w", err)
		}
	}
	if err := tx.exec(ctx, "INSERT INTO "+ChunksTable+" (transfer, tbl, chunk_id, after_key, last_key, rows_read, rows_written, rows_quarantined, rows_skipped, zero_dates, orphans) VALUES ("+
		r.ph(1)+", "+r.ph(2)+", "+r.ph(3)+", "+r.ph(4)+", "+r.ph(5)+", "+r.ph(6)+", "+r.ph(7)+", "+r.ph(8)+", "+r.ph(9)+", "+r.ph(10)+", "+r.ph(11)+")",
		r.spec.Name, m.t.To, chunkID(c.after), c.after, c.last, d.read, d.written, d.quar, d.skipped, d.zeroDts, d.orphans); err != nil {
		return d, fmt.Errorf("checkpoint: %w", err)
	}
	if err := tx.commit(ctx); err != nil {
		return d, fmt.Errorf("commit chunk of %s: %w", m.t.To, err)
	}
	committed = true
	return d, nil
}

func (o outRow) keyJSON() string {
	if o.line != nil {
		return strings.TrimSuffix(string(o.line), "\n")
	}
	b, _ := json.Marshal(o.vals)
	return string(b)
}

// deleteRange removes target rows whose key lies in the chunk's range
// (after, last].
func (r *run) deleteRange(ctx context.Context, tx wtx, m *mapping, c *chunk) error {
	if len(m.tgtKey) != 1 {
		return nil
	}
	var a, l []any
	if json.Unmarshal([]byte(c.after), &a) != nil || json.Unmarshal([]byte(c.last), &l) != nil || len(a) != 1 || len(l) != 1 {
		return nil
	}
	k := r.dst.Dialect.Quote(m.tgtKey[0])
	return tx.exec(ctx, "DELETE FROM "+qualify(m.t.To, r.dst.Dialect.Quote)+" WHERE "+k+" > ? AND "+k+" <= ?", a[0], l[0])
}

// resolve reads both schemas, creates the target table when asked, and
// maps source columns (after the rules) onto target columns.
func (r *run) resolve(ctx context.Context, t *Table, tr *TableResult) (*mapping, error) {
	m := &mapping{t: t}
	var si *tableInfo
	var err error
	if isQuery(t.From) {
		m.from = "(" + strings.TrimRight(strings.TrimSpace(t.From), ";") + ") strata_src"
		si, err = describeQuery(ctx, r.src.DB, r.se, strings.TrimRight(strings.TrimSpace(t.From), ";"))
	} else {
		m.from = qualify(t.From, r.src.Dialect.Quote)
		si, err = describeTable(ctx, r.src.DB, r.se, t.From)
	}
	if err != nil {
		return nil, err
	}
	if si == nil {
		return nil, &SpecError{File: r.spec.File, Line: t.Line, Msg: fmt.Sprintf("source table %s does not exist", t.From)}
	}
	m.srcCols = si.Columns
	for _, c := range si.Columns {
		m.srcNames = append(m.srcNames, c.Name)
	}
	for _, k := range t.Key {
		i := index(m.srcNames, k)
		if i < 0 {
			return nil, &SpecError{File: r.spec.File, Line: t.lineOf("key"), Msg: fmt.Sprintf("key column %s is not a column of %s (have %s)", k, t.From, strings.Join(m.srcNames, ", "))}
		}
		m.keyIdx = append(m.keyIdx, i)
	}
	m.prog, err = compile(m.srcNames, t.Rules)
	if err != nil {
		return nil, &SpecError{File: r.spec.File, Line: t.lineOf("rules"), Msg: fmt.Sprintf("table %s: rules: %v", t.From, err)}
	}
	// Output columns after rules, then columns: keep/drop/rename.
	type outCol struct {
		name string
		slot int
		col  Column
	}
	var outs []outCol
	for i, n := range m.prog.out {
		if strings.HasPrefix(n, "\x00") {
			continue
		}
		var col Column
		if i < len(m.srcCols) && !m.prog.changed[n] {
			col = m.srcCols[i]
		} else {
			col = ruleColumn(t.Rules, n, m.srcCols, i)
		}
		outs = append(outs, outCol{n, i, col})
	}
	m.width = len(m.prog.out) + 1 + len(t.Lookups)
	for j, l := range t.Lookups {
		if index(m.prog.out, l.From) < 0 {
			return nil, &SpecError{File: r.spec.File, Line: t.lineOf("lookups"), Msg: fmt.Sprintf("lookups: %s is not a column of %s", l.From, t.From)}
		}
		db, eng := r.dst, r.te
		if l.In == "source" {
			db, eng = r.src, r.se
		}
		li, err := describeTable(ctx, db.DB, eng, l.Table)
		if err != nil {
			return nil, err
		}
		col := Column{Name: l.Into, Kind: KText, Raw: "text", Nullable: true}
		if li == nil {
			return nil, &SpecError{File: r.spec.File, Line: t.lineOf("lookups"), Msg: fmt.Sprintf("lookups: table %s does not exist in the %s", l.Table, l.In)}
		}
		for _, c := range li.Columns {
			if c.Name == l.Value {
				col = c
				col.Name, col.Nullable = l.Into, true
			}
		}
		outs = append(outs, outCol{l.Into, len(m.prog.out) + 1 + j, col})
	}
	if e := t.Explode; e != nil {
		m.explodeSlot = index(m.prog.out, e.Column)
		if m.explodeSlot < 0 {
			return nil, &SpecError{File: r.spec.File, Line: t.lineOf("explode"), Msg: fmt.Sprintf("explode: %s is not a column of %s", e.Column, t.From)}
		}
		for i := range outs {
			if outs[i].name == e.Column {
				outs = append(outs[:i], outs[i+1:]...)
				break
			}
		}
		outs = append(outs, outCol{e.Into, len(m.prog.out), Column{Name: e.Into, Kind: KText, Raw: "text"}})
	}
	if c := t.Columns; c != nil {
		if len(c.Keep) > 0 {
			var kept []outCol
			for _, k := range c.Keep {
				found := false
				for _, o := range outs {
					if o.name == k {
						kept = append(kept, o)
						found = true
					}
				}
				if !found {
					return nil, &SpecError{File: r.spec.File, Line: t.lineOf("columns"), Msg: fmt.Sprintf("columns: keep: %s is not a column of %s", k, t.From)}
				}
			}
			outs = kept
		}
		for _, d := range c.Drop {
			j := -1
			for i, o := range outs {
				if o.name == d {
					j = i
				}
			}
			if j < 0 {
				return nil, &SpecError{File: r.spec.File, Line: t.lineOf("columns"), Msg: fmt.Sprintf("columns: drop: %s is not a column of %s", d, t.From)}
			}
			outs = append(outs[:j], outs[j+1:]...)
		}
		for from, to := range c.Rename {
			found := false
			for i := range outs {
				if outs[i].name == from {
					outs[i].name = to
					found = true
				}
			}
			if !found {
				return nil, &SpecError{File: r.spec.File, Line: t.lineOf("columns"), Msg: fmt.Sprintf("columns: rename: %s is not a column of %s", from, t.From)}
			}
		}
	}
	rename := func(n string) string {
		if t.Columns != nil {
			if to, ok := t.Columns.Rename[n]; ok {
				return to
			}
		}
		return n
	}
	for _, k := range t.Key {
		m.tgtKey = append(m.tgtKey, rename(k))
	}
	if t.Explode != nil {
		m.tgtKey = append(m.tgtKey, rename(t.Explode.Into))
	}
	ti, err := describeTable(ctx, r.dst.DB, r.te, t.To)
	if err != nil {
		return nil, err
	}
	if ti == nil {
		if !t.Create {
			return nil, &SpecError{File: r.spec.File, Line: t.Line, Msg: fmt.Sprintf("target table %s does not exist: create it first or set create: true", t.To)}
		}
		var cols []Column
		for _, o := range outs {
			c := o.col
			c.Name = o.name
			cols = append(cols, c)
		}
		pk := m.tgtKey
		if !isQuery(t.From) && len(si.Primary) > 0 && t.Columns == nil && len(t.Rules) == 0 && t.Explode == nil {
			pk = si.Primary
		}
		ddl, notes := createTableSQL(r.te, r.se, t.To, cols, pk, r.dst.Dialect.Quote)
		if _, err := r.dst.DB.ExecContext(ctx, ddl); err != nil {
			return nil, fmt.Errorf("create %s: %w\n%s", t.To, err, ddl)
		}
		tr.Created = true
		tr.Notes = notes
		if ti, err = describeTable(ctx, r.dst.DB, r.te, t.To); err != nil || ti == nil {
			return nil, fmt.Errorf("describe created %s: %v", t.To, err)
		}
	} else if r.restart && t.Create {
		if _, err := r.dst.DB.ExecContext(ctx, "DELETE FROM "+qualify(t.To, r.dst.Dialect.Quote)); err != nil {
			return nil, err
		}
	}
	for _, o := range outs {
		found := false
		for _, tc := range ti.Columns {
			if tc.Name == o.name {
				m.tgtCols = append(m.tgtCols, tc)
				m.outIdx = append(m.outIdx, o.slot)
				found = true
			}
		}
		if !found {
			return nil, &SpecError{File: r.spec.File, Line: t.Line, Msg: fmt.Sprintf("target table %s has no column %s (drop it with columns: drop: [%s], or rename it)", t.To, o.name, o.name)}
		}
	}
	for _, ref := range t.References {
		i := -1
		for j, tc := range m.tgtCols {
			if tc.Name == ref.Column {
				i = j
			}
		}
		if i < 0 {
			return nil, &SpecError{File: r.spec.File, Line: t.lineOf("references"), Msg: fmt.Sprintf("references: %s is not a column written to %s", ref.Column, t.To)}
		}
		m.refs = append(m.refs, resolvedRef{ref: ref, col: i})
	}
	return m, nil
}

// ruleColumn guesses the type of a column a rule creates.
func ruleColumn(rules []*Rule, name string, src []Column, slot int) Column {
	c := Column{Name: name, Kind: KText, Nullable: true, Raw: "text"}
	for _, r := range rules {
		switch {
		case r.Convert != nil && (r.Convert.To == name || r.Convert.To == "" && r.Convert.Column == name):
			switch r.Convert.Type {
			case "int", "cents":
				c.Kind = KInt64
			case "float":
				c.Kind = KFloat64
			case "decimal":
				c.Kind = KDecimal
			case "bool":
				c.Kind = KBool
			case "date":
				c.Kind = KDate
			case "timestamp":
				c.Kind = KTimestampTZ
			default:
				c.Kind = KText
			}
		case r.Set == name && r.Type != "":
			c.Kind = map[string]Kind{"int": KInt64, "float": KFloat64, "decimal": KDecimal, "text": KText, "bool": KBool, "date": KDate, "timestamp": KTimestampTZ}[r.Type]
		case len(r.Trim)+len(r.Lower)+len(r.Upper) > 0 && slot < len(src):
			c = src[slot]
		}
	}
	return c
}
