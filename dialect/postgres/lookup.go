package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// DescribeSession implements [dialect.Sessions] from current_schema() and
// current_user.
func (Dialect) DescribeSession(ctx context.Context, q dialect.Querier) (dialect.SessionInfo, error) {
	var si dialect.SessionInfo
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(current_schema(), ''), current_user").Scan(&si.Schema, &si.User); err != nil {
		return si, fmt.Errorf("read the session's schema and user: %w", err)
	}
	return si, nil
}

// IndexTable implements [dialect.Describer] from pg_index; an index name
// without a schema is found along search_path, as a statement would find
// it.
func (d Dialect) IndexTable(ctx context.Context, q dialect.Querier, schema, index string) (dialect.Table, error) {
	var t dialect.Table
	err := q.QueryRowContext(ctx, `SELECT n.nspname, c.relname
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE i.indexrelid = to_regclass($1)`, dialect.QuoteQualified(d, schema, index)).Scan(&t.Schema, &t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return t, &dialect.NotFoundError{Kind: "index", Schema: schema, Name: index}
	}
	if err != nil {
		return t, fmt.Errorf("find the table of index %s: %w", dialect.Table{Schema: schema, Name: index}, err)
	}
	return t, nil
}
