package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrOrphans is returned (wrapped) for a row whose reference has no parent
// when references: orphans: is fail.
var ErrOrphans = errors.New("orphan rows")

type resolvedRef struct {
	ref *Reference
	col int // index in the target columns
}

// orphans checks the chunk's references against the parent tables in the
// target, one query per reference and chunk, and applies each reference's
// orphans policy. It returns the rows to write.
func (r *run) orphans(ctx context.Context, m *mapping, pend []pending, d *doneChunk, bad *[]quarantined) ([]pending, error) {
	dq := r.dst.Dialect.Quote
	for _, rr := range m.refs {
		distinct := map[string]any{}
		for _, p := range pend {
			if v := p.tv[rr.col]; v != nil {
				distinct[text(v)] = v
			}
		}
		found := map[string]bool{}
		vals := make([]any, 0, len(distinct))
		for _, v := range distinct {
			vals = append(vals, v)
		}
		for start := 0; start < len(vals); start += 1000 {
			part := vals[start:min(start+1000, len(vals))]
			phs := make([]string, len(part))
			args := make([]any, len(part))
			for i, v := range part {
				phs[i] = r.ph(i + 1)
				args[i] = sqlArg(r.te, m.tgtCols[rr.col], v)
			}
			rows, err := r.dst.DB.QueryContext(ctx, "SELECT "+dq(rr.ref.Key)+" FROM "+qualify(rr.ref.Table, dq)+" WHERE "+dq(rr.ref.Key)+" IN ("+strings.Join(phs, ", ")+")", args...)
			if err != nil {
				return nil, fmt.Errorf("references %s(%s): %w", rr.ref.Table, rr.ref.Key, err)
			}
			for rows.Next() {
				var k any
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return nil, err
				}
				found[text(k)] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		kept := pend[:0]
		for _, p := range pend {
			v := p.tv[rr.col]
			if v == nil || found[text(v)] {
				kept = append(kept, p)
				continue
			}
			d.orphans++
			reason := fmt.Sprintf("orphan: %s = %s has no row in %s(%s)", m.tgtCols[rr.col].Name, text(v), rr.ref.Table, rr.ref.Key)
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
		db, q, ph := r.dst, r.dst.Dialect.Quote, r.ph
		if l.In == "source" {
			db, q = r.src, r.src.Dialect.Quote
			ph = func(n int) string {
				if r.se == "postgres" {
					return fmt.Sprintf("$%d", n)
				}
				return "?"
			}
		}
		from := index(m.prog.out, l.From)
		slot := len(m.prog.out) + 1 + j
		distinct := map[string]any{}
		for _, rr := range rows {
			if v := rr.vals[from]; v != nil {
				distinct[text(v)] = v
			}
		}
		vals := make([]any, 0, len(distinct))
		for _, v := range distinct {
			vals = append(vals, v)
		}
		found := map[string]any{}
		for start := 0; start < len(vals); start += 1000 {
			part := vals[start:min(start+1000, len(vals))]
			phs := make([]string, len(part))
			args := make([]any, len(part))
			for i, v := range part {
				phs[i] = ph(i + 1)
				if dv, ok := v.(Decimal); ok {
					v = string(dv)
				}
				args[i] = v
			}
			rs, err := db.DB.QueryContext(ctx, "SELECT "+q(l.Key)+", "+q(l.Value)+" FROM "+qualify(l.Table, q)+" WHERE "+q(l.Key)+" IN ("+strings.Join(phs, ", ")+")", args...)
			if err != nil {
				return nil, fmt.Errorf("lookup %s.%s: %w", l.Table, l.Value, err)
			}
			for rs.Next() {
				var k, v any
				if err := rs.Scan(&k, &v); err != nil {
					rs.Close()
					return nil, err
				}
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				found[text(k)] = v
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return nil, err
			}
		}
		kept := rows[:0]
		for _, rr := range rows {
			v := rr.vals[from]
			if v == nil {
				kept = append(kept, rr)
				continue
			}
			if got, ok := found[text(v)]; ok {
				rr.vals[slot] = got
				kept = append(kept, rr)
				continue
			}
			reason := fmt.Sprintf("lookup: no %s in %s where %s = %s", l.Value, l.Table, l.Key, text(v))
			switch l.OnMissing {
			case "null":
				kept = append(kept, rr)
			case "skip":
				d.skipped++
			default:
				*bad = append(*bad, quarantined{rr.key, reason, rowJSON(m.prog.out, rr.vals)})
			}
		}
		rows = kept
	}
	return rows, nil
}
