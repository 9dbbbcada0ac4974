package check

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Querier is what checks run their queries on: a *sql.DB, *sql.Conn or
// *sql.Tx. It is the same set of methods as [migrate.Querier].
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DefaultMaxKeys is how many offending keys a result lists by default.
const DefaultMaxKeys = 10

// Run runs one check on q, whose engine is "postgres", "mysql" or
// "sqlite". It never returns a passing result for a check that could not
// run: the error is in [Result.Error].
func Run(ctx context.Context, q Querier, engine string, s *Spec) Result {
	return runSpec(ctx, q, engine, s, DefaultMaxKeys)
}

func runSpec(ctx context.Context, q Querier, engine string, s *Spec, maxKeys int) Result {
	t0 := time.Now()
	res := Result{Name: s.Label(), Kind: s.Kind, Severity: s.Severity, File: s.File, Line: s.Line}
	r := &runner{q: q, e: engine, max: maxKeys}
	var err error
	if err = validEngine(engine); err == nil {
		switch s.Kind {
		case "not_null":
			err = r.notNull(ctx, s, &res)
		case "unique":
			err = r.unique(ctx, s, &res)
		case "orphans":
			err = r.orphans(ctx, s, &res)
		case "row_count":
			err = r.rowCount(ctx, s, &res)
		case "sql":
			err = r.sqlCheck(ctx, s, &res)
		case "checksum":
			err = r.checksum(ctx, s, &res)
		default:
			err = fmt.Errorf("unknown check kind %q", s.Kind)
		}
	}
	if err != nil {
		res.Passed = false
		res.Error = err.Error()
	}
	res.DurationMS = time.Since(t0).Milliseconds()
	res.State = res.Status()
	return res
}

type runner struct {
	q   Querier
	e   string
	max int
}

func (r *runner) ph(n int) string {
	if r.e == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// primaryKey returns the primary key columns of table, or nil.
func (r *runner) primaryKey(ctx context.Context, table string) ([]string, error) {
	var query string
	var args []any
	switch r.e {
	case Postgres:
		query = `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`
		args = []any{quoteName(r.e, table)}
	case MySQL:
		schema, name, ok := strings.Cut(table, ".")
		if !ok {
			schema, name = "", table
		}
		query = `SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`
		args = []any{schema, name}
	case SQLite:
		query = `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`
		args = []any{table}
	}
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// keyColumns returns the declared key, the primary key, or nil.
func (r *runner) keyColumns(ctx context.Context, s *Spec) ([]string, error) {
	if len(s.Key) > 0 {
		return s.Key, nil
	}
	return r.primaryKey(ctx, s.Table)
}

func (r *runner) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	if err := r.q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

// keys runs query and renders each row as col=value, col=value.
func (r *runner) keys(ctx context.Context, names []string, query string, args ...any) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := scanAny(rows)
		if err != nil {
			return nil, err
		}
		parts := make([]string, 0, len(vals))
		for i, v := range vals {
			n := ""
			if i < len(names) {
				n = names[i] + "="
			}
			parts = append(parts, n+v)
		}
		out = append(out, strings.Join(parts, ", "))
	}
	return out, rows.Err()
}

// scanAny reads one row as text.
func scanAny(rows *sql.Rows) ([]string, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	raw := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]string, len(cols))
	for i, v := range raw {
		if v.Valid {
			out[i] = v.String
		} else {
			out[i] = nullText
		}
	}
	return out, nil
}

func (r *runner) limit() string { return fmt.Sprintf(" LIMIT %d", r.max) }

func (r *runner) notNull(ctx context.Context, s *Spec, res *Result) error {
	t := quoteName(r.e, s.Table)
	conds := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		conds[i] = quoteIdent(r.e, c) + " IS NULL"
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
		res.Keys, err = r.rowsWhole(ctx, "SELECT * FROM "+t+" WHERE "+where+r.limit())
		return err
	}
	res.Keys, err = r.keys(ctx, key, "SELECT "+quoteList(r.e, key)+" FROM "+t+" WHERE "+where+" ORDER BY "+quoteList(r.e, key)+r.limit())
	return err
}

func (r *runner) unique(ctx context.Context, s *Spec, res *Result) error {
	t := quoteName(r.e, s.Table)
	cols := quoteList(r.e, s.Columns)
	conds := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		conds[i] = quoteIdent(r.e, c) + " IS NOT NULL"
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
	res.Detail = fmt.Sprintf("%d values of %s appear more than once (%d rows)", n, strings.Join(s.Columns, ", "), rows)
	dups, err := r.keys(ctx, append(append([]string{}, s.Columns...), "rows"), groups+" ORDER BY n DESC, "+cols+r.limit())
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
		on[i] = "t." + quoteIdent(r.e, c) + " = d." + quoteIdent(r.e, c)
	}
	tk := make([]string, len(key))
	for i, k := range key {
		tk[i] = "t." + quoteIdent(r.e, k)
	}
	rowKeys, err := r.keys(ctx, key, "SELECT "+strings.Join(tk, ", ")+" FROM "+t+" t JOIN ("+groups+") d ON "+strings.Join(on, " AND ")+" ORDER BY "+strings.Join(tk, ", ")+r.limit())
	if err != nil {
		return err
	}
	res.Detail += "; rows: " + strings.Join(rowKeys, "; ")
	return nil
}

func (r *runner) orphans(ctx context.Context, s *Spec, res *Result) error {
	t, p := quoteName(r.e, s.Table), quoteName(r.e, s.RefTable)
	c, pc := quoteIdent(r.e, s.Column), quoteIdent(r.e, s.RefColumn)
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
	sel, names := []string{}, []string{}
	for _, k := range key {
		if k != s.Column {
			sel, names = append(sel, "c."+quoteIdent(r.e, k)), append(names, k)
		}
	}
	sel, names = append(sel, "c."+c), append(names, s.Column)
	res.Keys, err = r.keys(ctx, names, "SELECT "+strings.Join(sel, ", ")+" FROM "+t+" c"+where+" ORDER BY "+strings.Join(sel, ", ")+r.limit())
	return err
}

func (r *runner) rowCount(ctx context.Context, s *Spec, res *Result) error {
	q := "SELECT count(*) FROM " + quoteName(r.e, s.Table)
	if s.Where != "" {
		q += " WHERE " + s.Where
	}
	n, err := r.count(ctx, q)
	if err != nil {
		return err
	}
	var want int64
	var from string
	switch {
	case s.Equals != nil:
		want, from = *s.Equals, ""
	case s.EqualsTable != "":
		if want, err = r.count(ctx, "SELECT count(*) FROM "+quoteName(r.e, s.EqualsTable)); err != nil {
			return fmt.Errorf("equals %s: %w", s.EqualsTable, err)
		}
		from = " (rows in " + s.EqualsTable + ")"
	default:
		if err := r.q.QueryRowContext(ctx, s.EqualsQuery).Scan(&want); err != nil {
			return fmt.Errorf("equals query: %w", err)
		}
		from = " (from the equals query)"
	}
	tol := s.Tolerance
	if s.TolerancePct {
		tol = float64(want) * s.Tolerance / 100
	}
	diff := math.Abs(float64(n - want))
	res.Count, res.Passed = n, diff <= tol
	tolText := ""
	if tol > 0 {
		tolText = fmt.Sprintf(" ± %s", strconv.FormatFloat(tol, 'f', -1, 64))
	}
	if res.Passed {
		res.Detail = fmt.Sprintf("%d rows, expected %d%s%s", n, want, tolText, from)
	} else {
		res.Detail = fmt.Sprintf("%d rows, expected %d%s%s: off by %d", n, want, tolText, from, n-want)
	}
	return nil
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
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = cols[i] + "=" + v
			}
			res.Keys = append(res.Keys, strings.Join(parts, ", "))
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	res.Count = n
	if s.ExpectRows != nil {
		res.Passed = n == *s.ExpectRows
		res.Detail = fmt.Sprintf("%d rows, expected %d", n, *s.ExpectRows)
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

func rowsText(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return strconv.FormatInt(n, 10) + " rows"
}

// rowsWhole renders each row of query as (col=value, ...), for tables
// without a key.
func (r *runner) rowsWhole(ctx context.Context, query string) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals, err := scanAny(rows)
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = cols[i] + "=" + v
		}
		out = append(out, "("+strings.Join(parts, ", ")+")")
	}
	return out, rows.Err()
}
