package check

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
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

// errNoDialect is the mistake of a nil dialect.Dialect.
var errNoDialect = errors.New("check: no dialect (pass the database's dialect.Dialect, such as connect.Target.Dialect)")

// Run runs one check on q, a database of dialect d. It never returns a
// passing result for a check that could not run: the error is in
// [Result.Error].
func Run(ctx context.Context, q Querier, d dialect.Dialect, s *Spec) Result {
	return runSpec(ctx, q, d, s, DefaultMaxKeys)
}

func runSpec(ctx context.Context, q Querier, d dialect.Dialect, s *Spec, maxKeys int) Result {
	t0 := time.Now()
	res := Result{Name: s.Label(), Kind: s.Kind, Severity: s.Severity, File: s.File, Line: s.Line}
	r := &runner{q: q, d: d, max: maxKeys}
	err := errNoDialect
	if d != nil {
		err = r.run(ctx, s, &res)
	}
	if err != nil {
		res.Passed = false
		res.Error = err.Error()
	}
	res.DurationMS = time.Since(t0).Milliseconds()
	res.State = res.Status()
	return res
}

// runner runs the checks of one database.
type runner struct {
	q   Querier
	d   dialect.Dialect
	max int
}

// run runs one check of its kind: it fills in the result, or returns why
// the check could not run.
func (r *runner) run(ctx context.Context, s *Spec, res *Result) error {
	switch s.Kind {
	case "not_null":
		return r.notNull(ctx, s, res)
	case "unique":
		return r.unique(ctx, s, res)
	case "orphans":
		return r.orphans(ctx, s, res)
	case "row_count":
		return r.rowCount(ctx, s, res)
	case "sql":
		return r.sqlCheck(ctx, s, res)
	case "checksum":
		return r.checksum(ctx, s, res)
	}
	return fmt.Errorf("unknown check kind %q", s.Kind)
}

// table quotes a table name of a checks file.
func (r *runner) table(name string) string { return tableOf(name).Qualified(r.d) }

// list quotes identifiers, prefixed (with an alias and a dot) when prefix
// is set, and joins them with ", ".
func (r *runner) list(prefix string, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = prefix + r.d.Quote(n)
	}
	return strings.Join(q, ", ")
}

// primaryKey returns the primary key columns of table, or nil.
func (r *runner) primaryKey(ctx context.Context, table string) ([]string, error) {
	ti, err := r.d.DescribeTable(ctx, r.q, tableOf(table))
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	return ti.PrimaryKey, nil
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

// keys runs query and renders each row as col=value, col=value, naming
// the columns names (or the query's own column names when names is nil);
// whole wraps each row in parentheses, for rows shown whole.
func (r *runner) keys(ctx context.Context, names []string, whole bool, query string, args ...any) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if names == nil {
		if names, err = rows.Columns(); err != nil {
			return nil, err
		}
	}
	var out []string
	for rows.Next() {
		vals, err := scanAny(rows)
		if err != nil {
			return nil, err
		}
		row := namedValues(names, vals)
		if whole {
			row = "(" + row + ")"
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// namedValues renders values as name=value, name=value; a value past the
// names is shown bare.
func namedValues(names, vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if i < len(names) {
			v = names[i] + "=" + v
		}
		parts[i] = v
	}
	return strings.Join(parts, ", ")
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

// plural writes n with the form of a noun (or noun and verb) for it:
// "1 row", "2 rows".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

func rowsText(n int64) string { return plural(n, "row", "rows") }
