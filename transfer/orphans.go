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
