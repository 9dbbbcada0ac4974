package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

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

// chunkWork takes one chunk's rows to the target, a step at a time: read
// values, rules, lookups, explode, target types, references, encoding;
// then writes them with the chunk's checkpoint in one transaction. A row
// that fails a step is quarantined (or counted skipped) and leaves the
// chunk.
type chunkWork struct {
	*run
	m     *mapping
	c     *chunk
	d     doneChunk
	bad   []quarantined
	ruled []ruledRow
	pend  []pending
	out   []outRow
}

// writeChunk maps a chunk's rows and writes them with the chunk's
// checkpoint in one transaction.
func (r *run) writeChunk(ctx context.Context, m *mapping, c *chunk) (doneChunk, error) {
	w := &chunkWork{run: r, m: m, c: c, d: doneChunk{last: c.last, read: c.read}, out: make([]outRow, 0, len(c.rows)+len(c.lines))}
	for _, l := range c.lines {
		w.out = append(w.out, outRow{key: m.lineKeyText(l), line: l})
	}
	w.applyRules()
	var err error
	if len(m.t.Lookups) > 0 {
		if w.ruled, err = r.lookups(ctx, m, w.ruled, &w.d, &w.bad); err != nil {
			return w.d, err
		}
	}
	w.explode()
	if len(m.refs) > 0 {
		if w.pend, err = r.orphans(ctx, m, w.pend, &w.d, &w.bad); err != nil {
			return w.d, err
		}
	}
	w.encode()
	return w.d, w.write(ctx)
}

func (w *chunkWork) quarantine(key, err string, names []string, vals []any) {
	w.bad = append(w.bad, quarantined{key, err, rowJSON(names, vals)})
}

// applyRules reads each row's values and runs the rules on them.
func (w *chunkWork) applyRules() {
rows:
	for _, raw := range w.c.rows {
		key := w.m.keyText(raw)
		vals := make([]any, len(raw), len(w.m.prog.out)+1)
		for i, col := range w.m.srcCols {
			v, err := canonical(col, raw[i], w.loc)
			if err == errZeroDate {
				w.d.zeroDts++
				v, err = nil, nil
			}
			if err != nil {
				w.quarantine(key, "read: "+err.Error(), w.m.srcNames, raw)
				continue rows
			}
			vals[i] = v
		}
		vals, err := w.m.prog.run(vals)
		var sk *errSkip
		switch {
		case errors.As(err, &sk):
			w.d.skipped++
		case err != nil:
			w.quarantine(key, "rule: "+err.Error(), w.m.prog.out, raw)
		default:
			w.ruled = append(w.ruled, ruledRow{key, grow(vals, w.m.width)})
		}
	}
}

// explode turns each row into one row per element of its list (or keeps
// it as it is), with values of the target's types.
func (w *chunkWork) explode() {
	for _, rr := range w.ruled {
		variants := [][]any{rr.vals}
		if e := w.m.t.Explode; e != nil {
			vals := grow(rr.vals, len(w.m.prog.out))
			elems, err := explodeValue(vals[w.m.explodeSlot], e.Sep)
			if err != nil {
				w.quarantine(rr.key, "explode "+e.Column+": "+err.Error(), w.m.prog.out, vals)
				continue
			}
			if len(elems) == 0 {
				w.d.skipped++ // nothing to explode: no junction row
				continue
			}
			variants = variants[:0]
			for _, el := range elems {
				v2 := make([]any, len(vals))
				copy(v2, vals)
				v2[len(w.m.prog.out)] = el
				variants = append(variants, v2)
			}
		}
		w.coerce(rr.key, variants)
	}
}

// coerce gives the variants of one source row the target's types; when
// one fails, the source row is quarantined whole.
func (w *chunkWork) coerce(key string, variants [][]any) {
	batch := make([]pending, 0, len(variants))
	for _, vals := range variants {
		tv := make([]any, len(w.m.tgtCols))
		for i, tc := range w.m.tgtCols {
			v, err := coerce(tc, vals[w.m.outIdx[i]])
			if err != nil {
				w.quarantine(key, fmt.Sprintf("column %s: %v", tc.Name, err), w.m.prog.out, vals)
				return
			}
			tv[i] = v
		}
		batch = append(batch, pending{key: key, tv: tv, vals: vals})
	}
	w.pend = append(w.pend, batch...)
}

// encode renders the rows as the target's writer takes them.
func (w *chunkWork) encode() {
	var buf []byte
	for _, p := range w.pend {
		o, b, err := w.dst.eng.encode(w.m.tgtCols, p.tv, buf)
		buf = b
		if err != nil {
			w.quarantine(p.key, err.Error(), w.m.prog.out, p.vals)
			continue
		}
		o.key = p.key
		w.out = append(w.out, o)
	}
}

// write inserts the rows, isolating those the target refuses, and
// commits them with the chunk's quarantined rows and checkpoint.
func (w *chunkWork) write(ctx context.Context) error {
	sw := &sqlWriter{dst: w.dst, db: w.dst.DB, table: w.dst.quote(w.m.t.To), cols: w.m.tgtCols, key: w.m.tgtKey, onConflict: w.m.t.OnConflict}
	tx, err := sw.begin(ctx)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tx.rollback()
		}
	}()
	if w.dst.eng.traits().nonTransactional && (w.o.Resume || w.restart) && w.c.after != "null" {
		// A killed run may have left rows of this chunk in a table outside
		// the transaction (MyISAM): remove the chunk's key range first.
		if err := w.deleteRange(ctx, tx); err != nil {
			return err
		}
	}
	written, refused, err := insertIsolating(ctx, tx, w.out, w.retryable)
	if err != nil {
		return fmt.Errorf("write %s: %w", w.m.t.To, err)
	}
	for _, b := range refused {
		w.bad = append(w.bad, quarantined{b.row.key, "target refused the row: " + b.err.Error(), b.row.keyJSON()})
	}
	w.tally(written, len(refused))
	if err := w.record(ctx, tx, w.m.t.To, w.c, w.d, w.bad); err != nil {
		return err
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("commit chunk of %s: %w", w.m.t.To, err)
	}
	committed = true
	return nil
}

// tally fills the chunk's counts once the target took what it took.
func (w *chunkWork) tally(written int64, refused int) {
	w.d.written = written
	w.d.quar = int64(len(w.bad))
	// Rows on_conflict: skip left out.
	w.d.skipped += int64(len(w.out)-refused) - written
	if w.m.t.Explode != nil {
		// Count source rows: a row is quarantined when any of its
		// elements was, written otherwise.
		failed := map[string]bool{}
		for _, b := range w.bad {
			failed[b.key] = true
		}
		w.d.quar = int64(len(failed))
		w.d.written = w.d.read - w.d.skipped - w.d.quar
	}
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
func (w *chunkWork) deleteRange(ctx context.Context, tx wtx) error {
	if len(w.m.tgtKey) != 1 {
		return nil
	}
	var a, l []any
	if json.Unmarshal([]byte(w.c.after), &a) != nil || json.Unmarshal([]byte(w.c.last), &l) != nil || len(a) != 1 || len(l) != 1 {
		return nil
	}
	k := w.dst.Dialect.Quote(w.m.tgtKey[0])
	return tx.exec(ctx, "DELETE FROM "+w.dst.quote(w.m.t.To)+" WHERE "+k+" > "+w.dst.ph(1)+" AND "+k+" <= "+w.dst.ph(2), a[0], l[0])
}
