package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.IdentityAdvancer = Dialect{}

// AdvanceIdentity implements [dialect.IdentityAdvancer] with setval on the
// sequence behind an identity or serial column, when the sequence's next
// value is not already past the column's highest value.
func (d Dialect) AdvanceIdentity(ctx context.Context, db *sql.DB, t dialect.Table, column string) (int64, error) {
	var seq sql.NullString
	// pg_get_serial_sequence parses its first argument as SQL (so it is
	// quoted) and takes the column's name literally.
	if err := db.QueryRowContext(ctx, "SELECT pg_get_serial_sequence($1, $2)", t.Qualified(d), column).Scan(&seq); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	if !seq.Valid {
		return 0, fmt.Errorf("advance the identity of %s.%s: the column has no sequence (it is not an identity or serial column)", t, column)
	}
	var highest sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max("+d.Quote(column)+")::bigint FROM "+t.Qualified(d)).Scan(&highest); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	if !highest.Valid {
		return 0, nil
	}
	// The next value is last_value + increment once the sequence was used
	// (pg_sequence_last_value is NULL before), its start otherwise.
	var next, increment int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(pg_sequence_last_value(s.seqrelid) + s.seqincrement, s.seqstart), s.seqincrement
FROM pg_catalog.pg_sequence s WHERE s.seqrelid = $1::regclass`, seq.String).Scan(&next, &increment); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: read sequence %s: %w", t, column, seq.String, err)
	}
	if increment < 0 || next > highest.Int64 {
		return highest.Int64, nil // a descending sequence, or one already past the rows
	}
	if _, err := db.ExecContext(ctx, "SELECT setval($1::regclass, $2)", seq.String, highest.Int64); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: setval %s: %w", t, column, seq.String, err)
	}
	return highest.Int64, nil
}
