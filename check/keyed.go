package check

import (
	"context"
	"database/sql"
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

func (p *sidePlan) keyCast() string {
	if p.s.Engine == Postgres {
		return p.key + "::text"
	}
	return "CAST(" + p.key + " AS CHAR)"
}

func (p *sidePlan) ph(n int) string {
	if p.s.Engine == Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// where renders lo <= key < hi with its arguments.
func (p *sidePlan) where(lo, hi bound) (string, []any) {
	w, args := " WHERE "+p.key+" IS NOT NULL", []any{}
	if lo.ok {
		args = append(args, lo.v)
		w += " AND " + p.key + " >= " + p.ph(len(args))
	}
	if hi.ok {
		args = append(args, hi.v)
		w += " AND " + p.key + " < " + p.ph(len(args))
	}
	return w, args
}

func (c *comparer) runKeyed(ctx context.Context) error {
	// Boundaries every ChunkRows keys of the source.
	var cuts []bound
	prev := bound{}
	for {
		w, args := c.src.where(prev, bound{})
		q := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT 1 OFFSET %d", c.src.keyCast(), c.src.s.from(), w, c.src.key, c.o.ChunkRows)
		var v sql.NullString
		err := c.src.s.DB.QueryRowContext(ctx, q, args...).Scan(&v)
		if err == sql.ErrNoRows {
			break
		}
		if err != nil {
			return fmt.Errorf("chunk %s by %s: %w", c.src.s.name(), c.o.Key, err)
		}
		prev = bound{v: v.String, ok: true}
		cuts = append(cuts, prev)
	}
	ranges := make([][2]bound, 0, len(cuts)+1)
	lo := bound{}
	for _, b := range cuts {
		ranges = append(ranges, [2]bound{lo, b})
		lo = b
	}
	ranges = append(ranges, [2]bound{lo, {}})
	c.d.Chunks = int64(len(ranges))
	for _, r := range ranges {
		if err := c.compareKeyed(ctx, r[0], r[1], true); err != nil {
			return err
		}
	}
	return nil
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

func (c *comparer) compareKeyed(ctx context.Context, lo, hi bound, top bool) error {
	var sa, ta agg
	err := c.both(func(p *sidePlan) error {
		a, err := c.aggKeyed(ctx, p, lo, hi)
		if p == c.src {
			sa = a
		} else {
			ta = a
		}
		return err
	})
	if err != nil {
		return err
	}
	if top {
		c.mu.Lock()
		c.d.SourceRows += sa.n
		c.d.TargetRows += ta.n
		c.mu.Unlock()
	}
	if sa == ta {
		return nil
	}
	if max(sa.n, ta.n) <= c.o.LeafWidth {
		return c.rowsKeyed(ctx, lo, hi)
	}
	// Split at keys sampled from the side with more rows in the range.
	p, n := c.src, sa.n
	if ta.n > sa.n {
		p, n = c.tgt, ta.n
	}
	// Sub-ranges of at least LeafWidth rows: narrower ones cost more
	// queries than reading their rows.
	step := max((n+c.o.Fanout-1)/c.o.Fanout, c.o.LeafWidth)
	w, args := p.where(lo, hi)
	q := fmt.Sprintf("SELECT kt FROM (SELECT %s AS kt, row_number() OVER (ORDER BY %s) AS rn FROM %s%s) s WHERE rn %% %d = 0 ORDER BY rn",
		p.keyCast(), p.key, p.s.from(), w, step)
	rows, err := p.s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("split %s: %w", p.s.name(), err)
	}
	var cuts []bound
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		cuts = append(cuts, bound{v: v, ok: true})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cuts) == 0 {
		return c.rowsKeyed(ctx, lo, hi)
	}
	a := lo
	for _, b := range cuts {
		if err := c.compareKeyed(ctx, a, b, false); err != nil {
			return err
		}
		a = b
	}
	return c.compareKeyed(ctx, a, hi, false)
}

func (c *comparer) rowsKeyed(ctx context.Context, lo, hi bound) error {
	var sr, tr map[string]string
	err := c.both(func(p *sidePlan) error {
		w, args := p.where(lo, hi)
		rows, err := p.s.DB.QueryContext(ctx, "SELECT "+p.keyText+", "+p.hash+" FROM "+p.s.from()+w, args...)
		if err != nil {
			return fmt.Errorf("read %s: %w", p.s.name(), err)
		}
		defer rows.Close()
		m := map[string]string{}
		for rows.Next() {
			var k, h string
			if err := rows.Scan(&k, &h); err != nil {
				return err
			}
			m[k] = h
		}
		c.rowsRead.Add(int64(len(m)))
		if p == c.src {
			sr = m
		} else {
			tr = m
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	found := diffRowHashes(sr, tr, func(k string, kind string) KeyDiff { return KeyDiff{Key: k, Kind: kind} })
	sort.Slice(found, func(i, j int) bool { return found[i].Key < found[j].Key })
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range found {
		f.Key = c.o.Key + "=" + f.Key
		switch f.Kind {
		case Changed:
			c.d.Changed++
		case MissingOnTarget:
			c.d.Missing++
		default:
			c.d.Extra++
		}
		f.k = int64(len(c.d.Keys))
		c.d.Keys = append(c.d.Keys, f)
	}
	return nil
}
