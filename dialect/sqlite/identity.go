package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.IdentityAdvancer = Dialect{}

// AdvanceIdentity implements [dialect.IdentityAdvancer]. SQLite numbers a
// row after the highest rowid (and, with AUTOINCREMENT, records every
// number written in sqlite_sequence), so there is nothing to move: it
// checks that the column is the table's INTEGER PRIMARY KEY and returns
// its highest value.
func (d Dialect) AdvanceIdentity(ctx context.Context, db *sql.DB, t dialect.Table, column string) (int64, error) {
	ti, err := d.DescribeTable(ctx, db, t)
	if err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	c, ok := ti.Column(column)
	if !ok {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, &dialect.NotFoundError{Kind: "column", Schema: t.Schema, Name: t.Name + "." + column})
	}
	if c.Identity == nil {
		return 0, errors.New("advance the identity of " + t.String() + "." + column + ": the column is not the table's INTEGER PRIMARY KEY")
	}
	var highest sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max("+d.Quote(column)+") FROM "+t.Qualified(d)).Scan(&highest); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	return highest.Int64, nil
}
