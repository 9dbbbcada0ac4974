package check

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
)

// Keys that are not integers (text, uuid, dates) cannot be cut into ranges
// by arithmetic. Their chunk boundaries are found by walking the source's
// key index (one key read per chunk), and a mismatching range is split at
// sampled keys (one key read per sub-range). Both engines must order the
// keys alike: integers always do; text keys do across engines only when
// the collations agree (for example C / utf8mb4_bin), uuids do.

// bound is one end of a key range; an unset bound is open.
type bound struct {
	v  string
	ok bool
}

// where renders lo <= key < hi with its arguments.
func (p *sidePlan) where(lo, hi bound) (string, []any) {
	w, args := " WHERE "+p.key+" IS NOT NULL", []any{}
	if lo.ok {
		args = append(args, lo.v)
		w += " AND " + p.key + " >= " + p.s.Dialect.Placeholder(len(args))
	}
	if hi.ok {
		args = append(args, hi.v)
		w += " AND " + p.key + " < " + p.s.Dialect.Placeholder(len(args))
	}
	return w, args
}

// runKeyed compares a key that is not an integer, chunk after chunk.
func (c *comparer) runKeyed(ctx context.Context) error {
	cuts, err := c.chunkCuts(ctx)
	if err != nil {
		return err
	}
	c.d.Chunks = int64(len(cuts) + 1)
	lo := bound{}
	for _, b := range append(cuts, bound{}) {
		if err := c.compareKeyed(ctx, lo, b, true); err != nil {
			return err
		}
		lo = b
	}
	return nil
}

// chunkCuts reads a boundary every ChunkRows keys of the source.
func (c *comparer) chunkCuts(ctx context.Context) ([]bound, error) {
	var cuts []bound
	prev := bound{}
	for {
		w, args := c.src.where(prev, bound{})
		q := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT 1 OFFSET %d", c.src.rs.keyText(c.src.key), c.src.s.from(), w, c.src.key, c.o.ChunkRows)
		var v sql.NullString
		err := c.src.s.DB.QueryRowContext(ctx, q, args...).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return cuts, nil
		}
		if err != nil {
			return nil, fmt.Errorf("chunk %s by %s: %w", c.src.s.name(), c.o.Key, err)
		}
		prev = bound{v: v.String, ok: true}
		cuts = append(cuts, prev)
	}
}

func (c *comparer) aggKeyed(ctx context.Context, p *sidePlan, lo, hi bound) (agg, error) {
	w, args := p.where(lo, hi)
	var a agg
	var sum sql.NullString
	err := p.s.DB.QueryRowContext(ctx, "SELECT count(*), sum("+p.hash+") FROM "+p.s.from()+w, args...).Scan(&a.n, &sum)
	if err != nil {
		return a, fmt.Errorf("hash %s: %w", p.s.name(), err)
	}
	a.sum = sum.String
	c.hashes.Add(1)
	return a, nil
}

// compareKeyed compares the keys in [lo, hi): a hash on each side, then,
// when they differ, the rows of a narrow range or the sub-ranges between
// keys sampled from the side with more rows.
func (c *comparer) compareKeyed(ctx context.Context, lo, hi bound, top bool) error {
	sa, ta, err := bothRead(c, func(p *sidePlan) (agg, error) { return c.aggKeyed(ctx, p, lo, hi) })
	if err != nil {
		return err
	}
	if top {
		c.addRows(sa.n, ta.n)
	}
	if sa == ta {
		return nil
	}
	if max(sa.n, ta.n) <= c.o.LeafWidth {
		return c.rowsKeyed(ctx, lo, hi)
	}
	p, n := c.src, sa.n
	if ta.n > sa.n {
		p, n = c.tgt, ta.n
	}
	cuts, err := c.sampleCuts(ctx, p, n, lo, hi)
	if err != nil {
		return err
	}
	if len(cuts) == 0 {
		return c.rowsKeyed(ctx, lo, hi)
	}
	a := lo
	for _, b := range append(cuts, hi) {
		if err := c.compareKeyed(ctx, a, b, false); err != nil {
			return err
		}
		a = b
	}
	return nil
}

// sampleCuts reads the keys that split [lo, hi), n rows on p, into about
// Fanout sub-ranges of at least LeafWidth rows: narrower ones cost more
// queries than reading their rows.
func (c *comparer) sampleCuts(ctx context.Context, p *sidePlan, n int64, lo, hi bound) ([]bound, error) {
	step := max((n+c.o.Fanout-1)/c.o.Fanout, c.o.LeafWidth)
	w, args := p.where(lo, hi)
	q := fmt.Sprintf("SELECT kt FROM (SELECT %s AS kt, row_number() OVER (ORDER BY %s) AS rn FROM %s%s) s WHERE rn %% %d = 0 ORDER BY rn",
		p.rs.keyText(p.key), p.key, p.s.from(), w, step)
	rows, err := p.s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("split %s: %w", p.s.name(), err)
	}
	defer rows.Close()
	var cuts []bound
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		cuts = append(cuts, bound{v: v, ok: true})
	}
	return cuts, rows.Err()
}

// rowsKeyed reads the keys and row hashes of [lo, hi) from both sides and
// records every key that differs, in key order.
func (c *comparer) rowsKeyed(ctx context.Context, lo, hi bound) error {
	sr, tr, err := bothRead(c, func(p *sidePlan) (map[string]string, error) {
		w, args := p.where(lo, hi)
		m, err := readRowHashes[string](ctx, c, p, "SELECT "+p.keyText+", "+p.hash+" FROM "+p.s.from()+w, args...)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p.s.name(), err)
		}
		return m, nil
	})
	if err != nil {
		return err
	}
	found := diffRowHashes(sr, tr, func(k string, kind string) KeyDiff { return KeyDiff{Key: k, Kind: kind} })
	sort.Slice(found, func(i, j int) bool { return found[i].Key < found[j].Key })
	c.record(found, true)
	return nil
}
