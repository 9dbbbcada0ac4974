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
	Method string `json:"method"`
	// Columns are the columns the checksum compared, besides the key.
	Columns []string `json:"columns,omitempty"`
	// LeftOut are the target's columns the comparison did not compare,
	// each with the reason.
	LeftOut []LeftOut `json:"left_out,omitempty"`
	// Changed, Missing and Extra count differing keys beyond those
	// quarantined or skipped.
	Changed int64    `json:"changed"`
	Missing int64    `json:"missing"`
	Extra   int64    `json:"extra"`
	Keys    []string `json:"keys,omitempty"`
	OK      bool     `json:"ok"`
}

// LeftOut is a column verify did not compare, and why.
type LeftOut struct {
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (r *run) verify(ctx context.Context, m *mapping, tr *TableResult) (*Verify, error) {
	v := &Verify{Method: "count"}
	if err := r.src.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+m.from+whereClause(m.t, false)).Scan(&v.SourceRows); err != nil {
		return v, fmt.Errorf("verify: count source: %w", err)
	}
	if err := r.dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+r.dst.quote(m.t.To)).Scan(&v.TargetRows); err != nil {
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
	if reason := r.countOnly(m); reason != "" {
		for _, c := range m.tgtCols {
			v.LeftOut = append(v.LeftOut, LeftOut{c.Name, reason})
		}
		// One source row is many target rows with explode: only the rows
		// read are counted.
		v.OK = m.t.Explode != nil || v.TargetRows == tr.Written || m.t.OnConflict != "error"
		if !v.OK {
			return v, fmt.Errorf("%w: %s has %d rows, %d were written (rows that were there before?)", ErrVerify, m.t.To, v.TargetRows, tr.Written)
		}
		return v, nil
	}
	return v, r.checksum(ctx, m, tr, v)
}

// countOnly says why rows can only be counted, or "" when their columns
// can be compared by checksum.
func (r *run) countOnly(m *mapping) string {
	kk := m.srcCols[m.keyIdx[0]].Kind
	switch {
	case m.t.Explode != nil:
		return "explode writes many target rows per source row: the rows read are counted"
	case !r.src.eng.traits().checksum:
		return r.src.eng.traits().title + " cannot hash rows on the server: rows are counted"
	case !r.dst.eng.traits().checksum:
		return r.dst.eng.traits().title + " cannot hash rows on the server: rows are counted"
	case len(m.keyIdx) != 1 || !isIntKind(kk) && kk != KUint64:
		return "the checksum needs a key of one integer column: rows are counted"
	case m.t.OnConflict != "error":
		return "on_conflict: " + m.t.OnConflict + " keeps rows that were there before: rows are counted"
	}
	return ""
}

// checksum compares the columns copied as they are, range by range.
func (r *run) checksum(ctx context.Context, m *mapping, tr *TableResult, v *Verify) error {
	sq := r.src.Dialect.Quote
	key := m.srcCols[m.keyIdx[0]].Name
	tkey := m.tgtKey[0]
	sel := []string{sq(key) + " AS " + sq(tkey)}
	for i, tc := range m.tgtCols {
		if tc.Name == tkey {
			continue
		}
		if reason := r.leftOut(m, tr, i); reason != "" {
			v.LeftOut = append(v.LeftOut, LeftOut{tc.Name, reason})
			continue
		}
		sel = append(sel, sq(m.srcCols[m.outIdx[i]].Name)+" AS "+sq(tc.Name))
		v.Columns = append(v.Columns, tc.Name)
	}
	srcQuery := "SELECT " + strings.Join(sel, ", ") + " FROM " + m.from + whereClause(m.t, false)
	d, err := check.Compare(ctx,
		check.Side{DB: r.src.DB, Dialect: r.src.Dialect, Query: srcQuery, Label: m.t.From},
		check.Side{DB: r.dst.DB, Dialect: r.dst.Dialect, Table: m.t.To},
		check.CompareOptions{Key: tkey, Columns: v.Columns, MaxKeys: 20, Parallel: 2})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	v.Method = "checksum"
	v.Changed, v.Extra = d.Changed, d.Extra
	// Rows quarantined or skipped are missing on purpose.
	v.Missing = max(0, d.Missing-(tr.Quarantined+tr.Skipped))
	v.OK = v.Changed == 0 && v.Extra == 0 && v.Missing == 0
	if v.OK {
		return nil
	}
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
	return fmt.Errorf("%w: %s: %d changed, %d missing, %d extra rows; keys: %s", ErrVerify, m.t.To, v.Changed, v.Missing, v.Extra, strings.Join(v.Keys, "; "))
}

// leftOut says why the checksum cannot compare target column i, or "".
// It compares the columns copied as they are: not computed by a rule, not
// a date that held zero dates, not a type the engines print differently.
func (r *run) leftOut(m *mapping, tr *TableResult, i int) string {
	slot := m.outIdx[i]
	if slot >= len(m.srcCols) || m.prog.changed[m.prog.out[slot]] {
		return "computed on the way (a rule or a lookup), so it differs from the source on purpose"
	}
	sc := m.srcCols[slot]
	switch {
	case sc.isDateish() && tr.ZeroDates > 0:
		return "the table held zero dates, which were stored as NULL"
	case sc.Kind == KBool:
		return "booleans print as 0/1 on one engine and true/false on another"
	case sc.Kind == KFloat32:
		return "single-precision floats print with different digits on each engine"
	case sc.Kind == KJSON:
		return "engines space and order JSON differently"
	case sc.Kind == KBytes:
		return "engines hash bytes differently"
	case sc.Kind == KTime:
		return "engines print times of day differently"
	}
	return ""
}
