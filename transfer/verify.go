package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-db/strata/check"
)

// Verify is the comparison after a table's copy.
type Verify struct {
	// SourceRows and TargetRows are counted after the copy.
	SourceRows int64 `json:"source_rows"`
	TargetRows int64 `json:"target_rows"`
	// Method is "checksum" (check.Compare over the columns copied as
	// they are) or "count" (row counts only: SQLite, composite or
	// non-integer keys).
	Method  string   `json:"method"`
	Columns []string `json:"columns,omitempty"`
	// Changed, Missing and Extra count differing keys beyond those
	// quarantined or skipped.
	Changed int64    `json:"changed"`
	Missing int64    `json:"missing"`
	Extra   int64    `json:"extra"`
	Keys    []string `json:"keys,omitempty"`
	OK      bool     `json:"ok"`
}

// ErrVerify is returned (wrapped) when the target does not match the source.
var ErrVerify = fmt.Errorf("verify failed")

func (r *run) verify(ctx context.Context, m *mapping, tr *TableResult) (*Verify, error) {
	v := &Verify{Method: "count"}
	if err := r.src.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+m.from+r.whereClause(m.t, false)).Scan(&v.SourceRows); err != nil {
		return v, fmt.Errorf("verify: count source: %w", err)
	}
	if err := r.dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+qualify(m.t.To, r.dst.Dialect.Quote)).Scan(&v.TargetRows); err != nil {
		return v, fmt.Errorf("verify: count target: %w", err)
	}
	if v.SourceRows != tr.Read {
		return v, fmt.Errorf("%w: %s has %d rows but %d were read (did the source change during the copy?)", ErrVerify, m.t.From, v.SourceRows, tr.Read)
	}
	// The target may hold rows that were there before (on_conflict), so
	// the count only has to cover what was written.
	if v.TargetRows < tr.Written {
		return v, fmt.Errorf("%w: %s has %d rows but %d were written", ErrVerify, m.t.To, v.TargetRows, tr.Written)
	}
	kk := m.srcCols[m.keyIdx[0]].Kind
	int1 := len(m.keyIdx) == 1 && (isIntKind(kk) || kk == KUint64)
	if m.t.Explode != nil {
		v.OK = true // one source row is many target rows: counts of read rows only
		return v, nil
	}
	if r.se == "sqlite" || r.te == "sqlite" || !int1 || m.t.OnConflict != "error" {
		v.OK = v.TargetRows == tr.Written || m.t.OnConflict != "error"
		if !v.OK {
			return v, fmt.Errorf("%w: %s has %d rows, %d were written (rows that were there before?)", ErrVerify, m.t.To, v.TargetRows, tr.Written)
		}
		return v, nil
	}
	// Columns copied as they are: not computed by a rule, not a MySQL date
	// that may have become NULL.
	sq := r.src.Dialect.Quote
	key := m.srcCols[m.keyIdx[0]].Name
	tkey := m.tgtKey[0]
	sel := []string{sq(key) + " AS " + sq(tkey)}
	var cols []string
	for i, tc := range m.tgtCols {
		slot := m.outIdx[i]
		if tc.Name == tkey || slot >= len(m.srcCols) || m.prog.changed[m.prog.out[slot]] {
			continue
		}
		sc := m.srcCols[slot]
		if r.se == "mysql" && sc.isDateish() && tr.ZeroDates > 0 {
			continue
		}
		if sc.Kind == KBool || sc.Kind == KFloat32 || sc.Kind == KJSON || sc.Kind == KBytes || sc.Kind == KTime {
			continue // engines render these differently (0/1 vs t/f, float precision, JSON spacing)
		}
		sel = append(sel, sq(sc.Name)+" AS "+sq(tc.Name))
		cols = append(cols, tc.Name)
	}
	srcQuery := "SELECT " + strings.Join(sel, ", ") + " FROM " + m.from + r.whereClause(m.t, false)
	d, err := check.Compare(ctx,
		check.Side{DB: r.src.DB, Engine: r.se, Query: srcQuery, Label: m.t.From},
		check.Side{DB: r.dst.DB, Engine: r.te, Table: m.t.To},
		check.CompareOptions{Key: tkey, Columns: cols, MaxKeys: 20, Parallel: 2})
	if err != nil {
		return v, fmt.Errorf("verify: %w", err)
	}
	v.Method, v.Columns = "checksum", cols
	v.Changed, v.Extra = d.Changed, d.Extra
	// Rows quarantined or skipped are missing on purpose.
	v.Missing = d.Missing - (tr.Quarantined + tr.Skipped)
	if v.Missing < 0 {
		v.Missing = 0
	}
	v.OK = v.Changed == 0 && v.Extra == 0 && v.Missing == 0
	if !v.OK {
		for _, k := range d.Keys {
			if k.Kind != check.MissingOnTarget {
				v.Keys = append(v.Keys, k.Kind+" "+k.Key)
			}
		}
		if len(v.Keys) == 0 {
			for _, k := range d.Keys {
				v.Keys = append(v.Keys, k.Kind+" "+k.Key)
			}
		}
		return v, fmt.Errorf("%w: %s: %d changed, %d missing, %d extra rows; keys: %s", ErrVerify, m.t.To, v.Changed, v.Missing, v.Extra, strings.Join(v.Keys, "; "))
	}
	return v, nil
}

func isIntKind(k Kind) bool { return k == KInt16 || k == KInt32 || k == KInt64 }
