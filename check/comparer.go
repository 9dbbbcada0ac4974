package check

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// comparer walks the key ranges of one [Compare].
type comparer struct {
	o        CompareOptions
	d        *Diff
	src, tgt *sidePlan
	par      bool // the sides and chunks may be queried concurrently

	mu       sync.Mutex // guards d
	rowsRead atomic.Int64
	hashes   atomic.Int64
}

// both runs f on the source and the target, at once when allowed.
func (c *comparer) both(f func(p *sidePlan) error) error {
	if !c.par {
		if err := f(c.src); err != nil {
			return err
		}
		return f(c.tgt)
	}
	var wg sync.WaitGroup
	var errT error
	wg.Add(1)
	go func() { defer wg.Done(); errT = f(c.tgt) }()
	errS := f(c.src)
	wg.Wait()
	return errors.Join(errS, errT)
}

// bothRead runs read on the source and the target (at once when allowed)
// and returns their results.
func bothRead[T any](c *comparer, read func(p *sidePlan) (T, error)) (src, tgt T, err error) {
	err = c.both(func(p *sidePlan) error {
		v, err := read(p)
		if p == c.src {
			src = v
		} else {
			tgt = v
		}
		return err
	})
	return src, tgt, err
}

// agg is one range's row count and hash sum on one side.
type agg struct {
	n   int64
	sum string
}

// addRows counts the rows of a top-level chunk.
func (c *comparer) addRows(src, tgt int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d.SourceRows += src
	c.d.TargetRows += tgt
}

// record adds the differing keys found in one range, each named
// key=value. Diff.Keys are sorted by KeyDiff.k at the end: an integer key
// is its own order; other keys are ordered as recorded (ordinal), which is
// key order since their ranges are walked one after another.
func (c *comparer) record(found []KeyDiff, ordinal bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range found {
		f.Key = c.o.Key + "=" + f.Key
		if ordinal {
			f.k = int64(len(c.d.Keys))
		}
		switch f.Kind {
		case Changed:
			c.d.Changed++
		case MissingOnTarget:
			c.d.Missing++
		default:
			c.d.Extra++
		}
		c.d.Keys = append(c.d.Keys, f)
	}
}

// diffRowHashes compares the row hashes of one key range on both sides:
// keys only on the source are missing on the target, keys only on the
// target are extra, keys on both with different hashes changed.
func diffRowHashes[K comparable](sr, tr map[K]string, diff func(k K, kind string) KeyDiff) []KeyDiff {
	var found []KeyDiff
	for k, h := range sr {
		if th, ok := tr[k]; !ok {
			found = append(found, diff(k, MissingOnTarget))
		} else if th != h {
			found = append(found, diff(k, Changed))
		}
	}
	for k := range tr {
		if _, ok := sr[k]; !ok {
			found = append(found, diff(k, ExtraOnTarget))
		}
	}
	return found
}

// readRowHashes reads the key and row hash of every row query returns.
func readRowHashes[K comparable](ctx context.Context, c *comparer, p *sidePlan, query string, args ...any) (map[K]string, error) {
	rows, err := p.s.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[K]string{}
	for rows.Next() {
		var k K
		var h string
		if err := rows.Scan(&k, &h); err != nil {
			return nil, err
		}
		m[k] = h
	}
	c.rowsRead.Add(int64(len(m)))
	return m, rows.Err()
}
