package guard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/strata-db/strata/migrate"
)

// ErrSchemaTooOld is returned (wrapped) by [Ready] when the database's
// schema is older than the application needs.
var ErrSchemaTooOld = errors.New("database schema is older than this application needs")

// Ready returns nil when the highest applied (or expanded) migration of db
// is at least minVersion, and an error wrapping [ErrSchemaTooOld] naming
// both versions otherwise; also when no migration has run. Call it when the
// application starts. opts may give the history table and the engine
// (zero or one); a database whose engine cannot be told is an error.
func Ready(ctx context.Context, db *sql.DB, minVersion string, opts ...Options) error {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	want, err := migrate.ParseVersion(minVersion)
	if err != nil {
		return fmt.Errorf("guard: minimum version: %w", err)
	}
	p := NewProbe(db, o)
	d, err := p.dialect(ctx)
	if err != nil {
		return fmt.Errorf("guard: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT version FROM "+p.table.Qualified(d)+" WHERE state IN ('applied', 'expanded')")
	if err != nil {
		if d.IsMissingObject(err) {
			return fmt.Errorf("%w: no migration has run (history table %s does not exist), need %s: run `strata up`", ErrSchemaTooOld, p.table, want)
		}
		return fmt.Errorf("guard: read history table %s: %w", p.table, err)
	}
	defer rows.Close()
	have := migrate.Version("0")
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("guard: read history table %s: %w", p.table, err)
		}
		pv, err := migrate.ParseVersion(v)
		if err != nil {
			continue // a repeatable migration (R__name)
		}
		if pv.Compare(have) > 0 {
			have = pv
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("guard: read history table %s: %w", p.table, err)
	}
	if have.Compare(want) < 0 {
		return fmt.Errorf("%w: database is at %s, need %s: run `strata up`", ErrSchemaTooOld, have, want)
	}
	return nil
}
