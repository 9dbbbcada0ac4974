package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.IdentityAdvancer = Dialect{}

// reAutoIncrement finds the counter in SHOW CREATE TABLE, which (unlike
// information_schema.TABLES on MySQL 8) is never a cached statistic.
var reAutoIncrement = regexp.MustCompile(`\bAUTO_INCREMENT=(\d+)`)

// AdvanceIdentity implements [dialect.IdentityAdvancer]. Writing a number
// into an AUTO_INCREMENT column moves the counter past it already, so this
// sets AUTO_INCREMENT only when the counter is behind the rows (a table
// whose rows were loaded another way).
func (d Dialect) AdvanceIdentity(ctx context.Context, db *sql.DB, t dialect.Table, column string) (int64, error) {
	schema, err := schemaOf(ctx, db, t.Schema)
	if err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	var extra string
	err = db.QueryRowContext(ctx, `SELECT EXTRA FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`, schema, t.Name, column).Scan(&extra)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, &dialect.NotFoundError{Kind: "column", Schema: t.Schema, Name: t.Name + "." + column})
	}
	if err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	if !strings.Contains(strings.ToLower(extra), "auto_increment") {
		return 0, fmt.Errorf("advance the identity of %s.%s: the column is not AUTO_INCREMENT", t, column)
	}
	var highest sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT CAST(MAX("+d.Quote(column)+") AS SIGNED) FROM "+t.Qualified(d)).Scan(&highest); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	if !highest.Valid {
		return 0, nil
	}
	var name, create string
	if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE "+t.Qualified(d)).Scan(&name, &create); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	next := int64(1)
	if m := reAutoIncrement.FindStringSubmatch(create); m != nil {
		next, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if next > highest.Int64 {
		return highest.Int64, nil
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s AUTO_INCREMENT = %d", t.Qualified(d), highest.Int64+1)); err != nil {
		return 0, fmt.Errorf("advance the identity of %s.%s: %w", t, column, err)
	}
	return highest.Int64, nil
}
