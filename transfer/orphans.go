package transfer

import (
	"context"
	"fmt"
)

type resolvedRef struct {
	ref *Reference
	col int // index in the target columns
}

// fetch reads keyCol and valCol of table on s for the distinct values vals,
// a thousand per query, into a map by the key's text.
func fetch(ctx context.Context, s *side, table, keyCol, valCol string, vals []any) (map[string]any, error) {
	q := s.Dialect.Quote
	found := map[string]any{}
	for start := 0; start < len(vals); start += 1000 {
		part := vals[start:min(start+1000, len(vals))]
		rows, err := s.DB.QueryContext(ctx, "SELECT "+q(keyCol)+", "+q(valCol)+" FROM "+s.quote(table)+" WHERE "+q(keyCol)+" IN ("+s.phs(1, len(part))+")", part...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k, v any
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return nil, err
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			found[text(k)] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// distinct returns the values of rows, once each and without NULL, as
// arg makes them query arguments.
func distinct[R any](rows []R, value func(R) any, arg func(any) any) []any {
	seen := map[string]bool{}
	var out []any
	for _, r := range rows {
		if v := value(r); v != nil && !seen[text(v)] {
			seen[text(v)] = true
			out = append(out, arg(v))
		}
	}
	return out
}

// orphans checks the chunk's references against the parent tables in the
// target, one query per reference and chunk, and applies each reference's
// orphans policy. It returns the rows to write.
func (r *run) orphans(ctx context.Context, m *mapping, pend []pending, d *doneChunk, bad *[]quarantined) ([]pending, error) {
	for _, rr := range m.refs {
		col := m.tgtCols[rr.col]
		vals := distinct(pend, func(p pending) any { return p.tv[rr.col] }, func(v any) any { return r.dst.eng.arg(col, v) })
		found, err := fetch(ctx, r.dst, rr.ref.Table, rr.ref.Key, rr.ref.Key, vals)
		if err != nil {
			return nil, fmt.Errorf("references %s(%s): %w", rr.ref.Table, rr.ref.Key, err)
		}
		kept := pend[:0]
		for _, p := range pend {
			v := p.tv[rr.col]
			if _, ok := found[text(v)]; v == nil || ok {
				kept = append(kept, p)
				continue
			}
			d.orphans++
			reason := fmt.Sprintf("orphan: %s = %s has no row in %s(%s)", col.Name, text(v), rr.ref.Table, rr.ref.Key)
			switch rr.ref.Orphans {
			case "skip":
				d.skipped++
			case "quarantine":
				*bad = append(*bad, quarantined{p.key, reason, rowJSON(m.prog.out, p.vals)})
			case "null":
				p.tv[rr.col] = nil
				kept = append(kept, p)
			default:
				return nil, fmt.Errorf("%w: row %s: %s (set references: orphans: skip, quarantine or null to go on)", ErrOrphans, p.key, reason)
			}
		}
		pend = kept
	}
	return pend, nil
}

// lookups fills each lookup's slot from its table, one query per lookup
// and chunk, and applies on_missing to rows whose value has no match.
func (r *run) lookups(ctx context.Context, m *mapping, rows []ruledRow, d *doneChunk, bad *[]quarantined) ([]ruledRow, error) {
	for j, l := range m.t.Lookups {
		from := index(m.prog.out, l.From)
		slot := len(m.prog.out) + 1 + j
		vals := distinct(rows, func(rr ruledRow) any { return rr.vals[from] }, func(v any) any {
			if dv, ok := v.(Decimal); ok {
				return string(dv)
			}
			return v
		})
		found, err := fetch(ctx, pick(l.In == "source", r.src, r.dst), l.Table, l.Key, l.Value, vals)
		if err != nil {
			return nil, fmt.Errorf("lookup %s.%s: %w", l.Table, l.Value, err)
		}
		kept := rows[:0]
		for _, rr := range rows {
			v := rr.vals[from]
			got, ok := found[text(v)]
			switch {
			case v == nil:
			case ok:
				rr.vals[slot] = got
			case l.OnMissing == "null":
			case l.OnMissing == "skip":
				d.skipped++
				continue
			default:
				*bad = append(*bad, quarantined{rr.key, fmt.Sprintf("lookup: no %s in %s where %s = %s", l.Value, l.Table, l.Key, text(v)), rowJSON(m.prog.out, rr.vals)})
				continue
			}
			kept = append(kept, rr)
		}
		rows = kept
	}
	return rows, nil
}
