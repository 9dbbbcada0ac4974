package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// DescribeSession implements [dialect.Sessions] from DATABASE() and
// CURRENT_USER().
func (Dialect) DescribeSession(ctx context.Context, q dialect.Querier) (dialect.SessionInfo, error) {
	var si dialect.SessionInfo
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(DATABASE(), ''), CURRENT_USER()").Scan(&si.Schema, &si.User); err != nil {
		return si, fmt.Errorf("read the session's database and user: %w", err)
	}
	return si, nil
}

// IndexTable implements [dialect.Describer] from
// information_schema.statistics. MySQL names indexes per table, so a name
// two tables use (PRIMARY, say) is an error that lists them.
func (Dialect) IndexTable(ctx context.Context, q dialect.Querier, schema, index string) (dialect.Table, error) {
	what := dialect.Table{Schema: schema, Name: index}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT table_schema, table_name FROM information_schema.statistics
WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND index_name = ?
ORDER BY table_name`, schema, index)
	if err != nil {
		return dialect.Table{}, fmt.Errorf("find the table of index %s: %w", what, err)
	}
	defer rows.Close()
	var found []dialect.Table
	for rows.Next() {
		var t dialect.Table
		if err := rows.Scan(&t.Schema, &t.Name); err != nil {
			return dialect.Table{}, fmt.Errorf("find the table of index %s: %w", what, err)
		}
		found = append(found, t)
	}
	if err := rows.Err(); err != nil {
		return dialect.Table{}, fmt.Errorf("find the table of index %s: %w", what, err)
	}
	switch len(found) {
	case 0:
		return dialect.Table{}, &dialect.NotFoundError{Kind: "index", Schema: schema, Name: index}
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, t := range found {
		names[i] = t.Name
	}
	return dialect.Table{}, fmt.Errorf("find the table of index %s: tables %s each have an index of that name; name the table instead", what, strings.Join(names, ", "))
}
