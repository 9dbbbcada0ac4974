package dialect

import (
	"context"
	"database/sql"
)

// IdentityAdvancer moves an identity column's counter past the values the
// column holds. Rows written with their own numbers (a copy between
// databases, a restore) leave a PostgreSQL sequence where it was, so the
// next row the database numbers would collide with one of them; MySQL and
// SQLite move their counters past such rows by themselves.
//
// It is not part of [Dialect], so that an engine without counters need not
// answer it: callers ask for it with a type assertion.
type IdentityAdvancer interface {
	// AdvanceIdentity makes the next number the engine gives column of t
	// greater than the highest value the column holds, and never moves the
	// counter back. It returns that highest value (0 for an empty table).
	// A column the engine does not number is an error.
	AdvanceIdentity(ctx context.Context, db *sql.DB, t Table, column string) (int64, error)
}
