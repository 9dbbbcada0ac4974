package check

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"sync"
)

// Integer keys are cut into ranges by arithmetic: top-level chunks of
// about ChunkRows rows, each split into Fanout sub-ranges while hashes
// differ, down to ranges of LeafWidth keys read row by row.

// bounds is a side's row estimate and key range.
type bounds struct {
	n        int64
	min, max sql.NullInt64
}

// chunk is the key range [lo, hi).
type chunk struct{ lo, hi int64 }

// run compares an integer key: it cuts the key span of both sides into
// chunks and compares them with Parallel workers when both sides allow.
func (c *comparer) run(ctx context.Context) error {
	sb, tb, err := bothRead(c, func(p *sidePlan) (bounds, error) { return c.bounds(ctx, p) })
	if err != nil {
		return err
	}
	if !sb.min.Valid && !tb.min.Valid {
		return nil
	}
	lo, hi := span(sb, tb)
	chunks, err := c.chunks(lo, hi, max(sb.n, tb.n, 1))
	if err != nil {
		return err
	}
	c.d.Chunks = int64(len(chunks))
	workers := 1
	if c.par {
		workers = c.o.Parallel
	}
	return c.work(ctx, chunks, workers)
}

// bounds reads a side's key range and its row estimate.
func (c *comparer) bounds(ctx context.Context, p *sidePlan) (bounds, error) {
	var b bounds
	q := "SELECT min(" + p.key + "), max(" + p.key + ") FROM " + p.s.from()
	if err := p.s.DB.QueryRowContext(ctx, q).Scan(&b.min, &b.max); err != nil {
		return b, fmt.Errorf("%s: %w", p.s.name(), err)
	}
	var err error
	b.n, err = estimateRows(ctx, p.s)
	return b, err
}

// chunks cuts [lo, hi] into ranges of about ChunkRows of rows rows.
func (c *comparer) chunks(lo, hi, rows int64) ([]chunk, error) {
	span := float64(hi) - float64(lo) + 1
	width := max(int64(span*float64(c.o.ChunkRows)/float64(rows)), 1)
	if span/float64(width) > 1e7 {
		return nil, fmt.Errorf("compare: key %s spans %.0f values over %d rows; too sparse for key ranges", c.o.Key, span, rows)
	}
	var chunks []chunk
	for a := lo; ; a += width {
		b := a + width
		if b > hi || b < a { // last chunk, or overflow
			if hi == 1<<63-1 {
				return nil, fmt.Errorf("compare: key %s reaches the largest bigint; not supported", c.o.Key)
			}
			return append(chunks, chunk{a, hi + 1}), nil
		}
		chunks = append(chunks, chunk{a, b})
	}
}

// work compares chunks with workers goroutines; the first error stops
// the others.
func (c *comparer) work(ctx context.Context, chunks []chunk, workers int) error {
	ch := make(chan chunk)
	errs := make(chan error, workers)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				if err := c.compareRange(cctx, k.lo, k.hi, true); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for _, k := range chunks {
		select {
		case ch <- k:
		case <-cctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// span is the key range that covers both sides' (a side without rows
// has none).
func span(s, t bounds) (lo, hi int64) {
	switch {
	case !s.min.Valid:
		return t.min.Int64, t.max.Int64
	case !t.min.Valid:
		return s.min.Int64, s.max.Int64
	}
	return min(s.min.Int64, t.min.Int64), max(s.max.Int64, t.max.Int64)
}

// compareRange compares keys in [lo, hi): one hash per sub-range on each
// side, then recursion into the sub-ranges that differ. A top-level chunk
// is always hashed first, however narrow, so identical tables read no rows.
func (c *comparer) compareRange(ctx context.Context, lo, hi int64, top bool) error {
	if top {
		// One aggregate per chunk: no grouping, so the server streams the
		// key range through an index scan without sorting it.
		sa, ta, err := bothRead(c, func(p *sidePlan) (map[int64]agg, error) { return c.hashRanges(ctx, p, lo, hi, 0) })
		if err != nil {
			return err
		}
		c.addRows(sa[0].n, ta[0].n)
		if sa[0] == ta[0] {
			return nil
		}
	}
	if hi-lo <= c.o.LeafWidth {
		return c.compareRows(ctx, lo, hi)
	}
	bw := max((hi-lo+c.o.Fanout-1)/c.o.Fanout, 1)
	sa, ta, err := bothRead(c, func(p *sidePlan) (map[int64]agg, error) { return c.hashRanges(ctx, p, lo, hi, bw) })
	if err != nil {
		return err
	}
	for _, b := range differingBuckets(sa, ta) {
		a := lo + b*bw
		if err := c.compareRange(ctx, a, min(a+bw, hi), false); err != nil {
			return err
		}
	}
	return nil
}

// differingBuckets lists, in order, the sub-ranges whose count or hash
// differ or that one side lacks.
func differingBuckets(sa, ta map[int64]agg) []int64 {
	var bad []int64
	for b, x := range sa {
		if y, ok := ta[b]; !ok || x != y {
			bad = append(bad, b)
		}
	}
	for b := range ta {
		if _, ok := sa[b]; !ok {
			bad = append(bad, b)
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i] < bad[j] })
	return bad
}

// hashRanges sums the row hashes of [lo, hi) on one side: in one bucket
// (0) when bw is 0, else per sub-range of bw keys.
func (c *comparer) hashRanges(ctx context.Context, p *sidePlan, lo, hi, bw int64) (map[int64]agg, error) {
	q := fmt.Sprintf("SELECT 0, count(*), sum(%s) FROM %s WHERE %s >= %d AND %s < %d", p.hash, p.s.from(), p.key, lo, p.key, hi)
	if bw > 0 {
		div := p.rs.div()
		q = fmt.Sprintf("SELECT (%s - %d)%s%d AS b, count(*), sum(%s) FROM %s WHERE %s >= %d AND %s < %d GROUP BY (%s - %d)%s%d",
			p.key, lo, div, bw, p.hash, p.s.from(), p.key, lo, p.key, hi, p.key, lo, div, bw)
	}
	rows, err := p.s.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("hash %s keys %d to %d: %w", p.s.name(), lo, hi-1, err)
	}
	defer rows.Close()
	m := map[int64]agg{}
	for rows.Next() {
		var b int64
		var a agg
		var sum sql.NullString
		if err := rows.Scan(&b, &a.n, &sum); err != nil {
			return nil, err
		}
		a.sum = sum.String
		m[b] = a
	}
	c.hashes.Add(int64(len(m)))
	return m, rows.Err()
}

// compareRows reads the keys and row hashes of [lo, hi) from both sides
// and records every key that differs.
func (c *comparer) compareRows(ctx context.Context, lo, hi int64) error {
	sr, tr, err := bothRead(c, func(p *sidePlan) (map[int64]string, error) {
		q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s >= %d AND %s < %d", p.key, p.hash, p.s.from(), p.key, lo, p.key, hi)
		m, err := readRowHashes[int64](ctx, c, p, q)
		if err != nil {
			return nil, fmt.Errorf("read %s keys %d to %d: %w", p.s.name(), lo, hi-1, err)
		}
		return m, nil
	})
	if err != nil {
		return err
	}
	c.record(diffRowHashes(sr, tr, func(k int64, kind string) KeyDiff {
		return KeyDiff{Key: strconv.FormatInt(k, 10), Kind: kind, k: k}
	}), false)
	return nil
}

// estimateRows returns the engine's row estimate of a table (the exact
// count is the sum of the chunks' counts, known at the end), or counts the
// rows of a query or of a table without statistics.
func estimateRows(ctx context.Context, s *Side) (int64, error) {
	if s.Table != "" {
		if n, err := s.Dialect.EstimateRows(ctx, s.DB, tableOf(s.Table)); err == nil && n > 0 {
			return n, nil
		}
	}
	var n int64
	if err := s.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+s.from()).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", s.name(), err)
	}
	return n, nil
}
