package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// DescribeSession implements [dialect.Sessions]: SQLite has no users and
// no search path to describe.
func (Dialect) DescribeSession(context.Context, dialect.Querier) (dialect.SessionInfo, error) {
	return dialect.SessionInfo{}, fmt.Errorf("describe the session: SQLite has no users or search path: %w", errors.ErrUnsupported)
}

// IndexTable implements [dialect.Describer] from sqlite_schema. An empty
// schema means "main".
func (d Dialect) IndexTable(ctx context.Context, q dialect.Querier, schema, index string) (dialect.Table, error) {
	t := dialect.Table{Schema: schema}
	if t.Schema == "" {
		t.Schema = "main"
	}
	err := q.QueryRowContext(ctx, `SELECT tbl_name FROM `+d.Quote(t.Schema)+`.sqlite_master
WHERE type = 'index' AND name = ? COLLATE NOCASE`, index).Scan(&t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return dialect.Table{}, &dialect.NotFoundError{Kind: "index", Schema: schema, Name: index}
	}
	if err != nil {
		return dialect.Table{}, fmt.Errorf("find the table of index %s: %w", dialect.Table{Schema: schema, Name: index}, err)
	}
	return t, nil
}
