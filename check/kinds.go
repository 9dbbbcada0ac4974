package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

func (r *runner) notNull(ctx context.Context, s *Spec, res *Result) error {
	t := r.table(s.Table)
	conds := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		conds[i] = r.d.Quote(c) + " IS NULL"
	}
	where := "(" + strings.Join(conds, " OR ") + ")"
	if s.Where != "" {
		where += " AND (" + s.Where + ")"
	}
	n, err := r.count(ctx, "SELECT count(*) FROM "+t+" WHERE "+where)
	if err != nil {
		return err
	}
	res.Count, res.Passed = n, n == 0
	if n == 0 {
		res.Detail = fmt.Sprintf("no NULL in %s", strings.Join(s.Columns, ", "))
		return nil
	}
	res.Detail = fmt.Sprintf("%s with NULL in %s", rowsText(n), strings.Join(s.Columns, ", "))
	key, err := r.keyColumns(ctx, s)
	if err != nil {
		return err
	}
	if len(key) == 0 {
		// No key to name the rows by: show them whole.
		res.Keys, err = r.keys(ctx, nil, true, "SELECT * FROM "+t+" WHERE "+where+r.limit())
		return err
	}
	res.Keys, err = r.keys(ctx, key, false, "SELECT "+r.list("", key)+" FROM "+t+" WHERE "+where+" ORDER BY "+r.list("", key)+r.limit())
	return err
}

func (r *runner) unique(ctx context.Context, s *Spec, res *Result) error {
	t := r.table(s.Table)
	cols := r.list("", s.Columns)
	conds := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		conds[i] = r.d.Quote(c) + " IS NOT NULL"
	}
	// Rows with a NULL never violate a unique constraint.
	groups := "SELECT " + cols + ", count(*) AS n FROM " + t + " WHERE " + strings.Join(conds, " AND ") + " GROUP BY " + cols + " HAVING count(*) > 1"
	var n, rows int64
	if err := r.q.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(n), 0) FROM ("+groups+") d").Scan(&n, &rows); err != nil {
		return err
	}
	res.Count, res.Passed = n, n == 0
	if n == 0 {
		res.Detail = fmt.Sprintf("%s is unique", strings.Join(s.Columns, ", "))
		return nil
	}
	res.Detail = fmt.Sprintf("%s of %s %s more than once (%s)", plural(n, "value", "values"), strings.Join(s.Columns, ", "), pick(n, "appears", "appear"), rowsText(rows))
	dups, err := r.keys(ctx, append(append([]string{}, s.Columns...), "rows"), false, groups+" ORDER BY n DESC, "+cols+r.limit())
	if err != nil {
		return err
	}
	res.Keys = dups
	// Name the rows too, when there is a key to name them by.
	key, err := r.keyColumns(ctx, s)
	if err != nil || len(key) == 0 {
		return err
	}
	on := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		on[i] = "t." + r.d.Quote(c) + " = d." + r.d.Quote(c)
	}
	tk := r.list("t.", key)
	rowKeys, err := r.keys(ctx, key, false, "SELECT "+tk+" FROM "+t+" t JOIN ("+groups+") d ON "+strings.Join(on, " AND ")+" ORDER BY "+tk+r.limit())
	if err != nil {
		return err
	}
	res.Detail += "; rows: " + strings.Join(rowKeys, "; ")
	return nil
}

// pick is one's or many's form for n.
func pick(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *runner) orphans(ctx context.Context, s *Spec, res *Result) error {
	t, p := r.table(s.Table), r.table(s.RefTable)
	c, pc := r.d.Quote(s.Column), r.d.Quote(s.RefColumn)
	where := " WHERE c." + c + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + p + " p WHERE p." + pc + " = c." + c + ")"
	n, err := r.count(ctx, "SELECT count(*) FROM "+t+" c"+where)
	if err != nil {
		return err
	}
	res.Count, res.Passed = n, n == 0
	if n == 0 {
		res.Detail = fmt.Sprintf("every %s.%s has a parent in %s.%s", s.Table, s.Column, s.RefTable, s.RefColumn)
		return nil
	}
	res.Detail = fmt.Sprintf("%s of %s whose %s has no parent in %s.%s", rowsText(n), s.Table, s.Column, s.RefTable, s.RefColumn)
	key, err := r.keyColumns(ctx, s)
	if err != nil {
		return err
	}
	var names []string
	for _, k := range key {
		if k != s.Column {
			names = append(names, k)
		}
	}
	names = append(names, s.Column)
	sel := r.list("c.", names)
	res.Keys, err = r.keys(ctx, names, false, "SELECT "+sel+" FROM "+t+" c"+where+" ORDER BY "+sel+r.limit())
	return err
}

func (r *runner) rowCount(ctx context.Context, s *Spec, res *Result) error {
	q := "SELECT count(*) FROM " + r.table(s.Table)
	if s.Where != "" {
		q += " WHERE " + s.Where
	}
	n, err := r.count(ctx, q)
	if err != nil {
		return err
	}
	want, from, err := r.expectedCount(ctx, s)
	if err != nil {
		return err
	}
	tol := s.Tolerance
	if s.TolerancePct {
		tol = float64(want) * s.Tolerance / 100
	}
	res.Count, res.Passed = n, math.Abs(float64(n-want)) <= tol
	tolText := ""
	if tol > 0 {
		tolText = " ± " + strconv.FormatFloat(tol, 'f', -1, 64)
	}
	res.Detail = fmt.Sprintf("%s, expected %d%s%s", rowsText(n), want, tolText, from)
	if !res.Passed {
		res.Detail += fmt.Sprintf(": off by %d", n-want)
	}
	return nil
}

// expectedCount is a row_count's expected count, and where it came from
// for the report.
func (r *runner) expectedCount(ctx context.Context, s *Spec) (want int64, from string, err error) {
	switch {
	case s.Equals != nil:
		return *s.Equals, "", nil
	case s.EqualsTable != "":
		if want, err = r.count(ctx, "SELECT count(*) FROM "+r.table(s.EqualsTable)); err != nil {
			return 0, "", fmt.Errorf("equals %s: %w", s.EqualsTable, err)
		}
		return want, " (rows in " + s.EqualsTable + ")", nil
	}
	if err := r.q.QueryRowContext(ctx, s.EqualsQuery).Scan(&want); err != nil {
		return 0, "", fmt.Errorf("equals query: %w", err)
	}
	return want, " (from the equals query)", nil
}

func (r *runner) sqlCheck(ctx context.Context, s *Spec, res *Result) error {
	rows, err := r.q.QueryContext(ctx, s.Query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var n int64
	var first []string
	for rows.Next() {
		vals, err := scanAny(rows)
		if err != nil {
			return err
		}
		if n == 0 {
			first = vals
		}
		if n < int64(r.max) && s.ExpectRows != nil {
			res.Keys = append(res.Keys, namedValues(cols, vals))
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	res.Count = n
	if s.ExpectRows != nil {
		res.Passed = n == *s.ExpectRows
		res.Detail = fmt.Sprintf("%s, expected %d", rowsText(n), *s.ExpectRows)
		if res.Passed {
			res.Keys = nil
		}
		return nil
	}
	got := "no rows"
	if n > 0 {
		got = first[0]
	}
	res.Passed = n > 0 && valueEqual(got, *s.ExpectValue)
	res.Detail = fmt.Sprintf("value %s, expected %s", got, *s.ExpectValue)
	return nil
}

// valueEqual compares a query's value with the expected one: as numbers
// when both are numbers (so 1.50 equals 1.5), else as text.
func valueEqual(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	if err1 == nil && err2 == nil {
		return g == w
	}
	if b, err := strconv.ParseBool(want); err == nil {
		if gb, err := strconv.ParseBool(got); err == nil {
			return b == gb
		}
	}
	return false
}

// checksum compares two tables or queries of the migration's own database.
func (r *runner) checksum(ctx context.Context, s *Spec, res *Result) error {
	if len(s.Key) != 1 {
		return errors.New("checksum: key must be one column")
	}
	src := Side{DB: r.q, Dialect: r.d, Table: s.Source.Table, Query: s.Source.Query}
	tgt := Side{DB: r.q, Dialect: r.d, Table: s.Target.Table, Query: s.Target.Query}
	d, err := Compare(ctx, src, tgt, CompareOptions{Key: s.Key[0], Columns: s.Columns, MaxKeys: r.max})
	if err != nil {
		return err
	}
	res.Diff = d
	res.Count, res.Passed = d.Differing(), d.Equal()
	for _, k := range d.Keys {
		res.Keys = append(res.Keys, k.Key+" ("+k.Kind+")")
	}
	if res.Passed {
		res.Detail = rowsText(d.SourceRows) + " identical"
	} else {
		res.Detail = fmt.Sprintf("%s: %d changed, %d missing on target, %d extra on target", plural(d.Differing(), "key differs", "keys differ"), d.Changed, d.Missing, d.Extra)
	}
	return nil
}
