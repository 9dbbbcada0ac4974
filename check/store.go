package check

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/strata-db/strata/dialect"
)

// ReportTable keeps the reports of the checks that ran around migrations,
// passed or not, so that they can be attached to a change ticket later
// (`strata check --history`). The history table has no column for them
// yet; see the package documentation.
const ReportTable = "strata_check_reports"

// Store appends rep to [ReportTable] on db, a database of dialect d,
// creating the table when missing. Use a connection outside the
// migration's transaction, or a rolled-back migration takes its report
// with it.
func Store(ctx context.Context, db Querier, d dialect.Dialect, rep *Report) error {
	if d == nil {
		return errNoDialect
	}
	t := dialect.Table{Name: ReportTable}.Qualified(d)
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+t+
		" (version varchar(64) NOT NULL, name varchar(255) NOT NULL, phase varchar(8) NOT NULL, passed int NOT NULL, created_at varchar(40) NOT NULL, report text NOT NULL)"); err != nil {
		return fmt.Errorf("create %s: %w", ReportTable, err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	passed := 0
	if rep.Passed() {
		passed = 1
	}
	_, err = db.ExecContext(ctx, "INSERT INTO "+t+" (version, name, phase, passed, created_at, report) VALUES ("+placeholders(d, 6)+")",
		rep.Version, rep.Name, string(rep.Phase), passed, formatTime(rep.At), string(b))
	if err != nil {
		return fmt.Errorf("store check report of %s: %w", rep.Version, err)
	}
	return nil
}

// Stored returns the stored reports of db, a database of dialect d, oldest
// first; version "" returns all. A database without [ReportTable] has
// none.
func Stored(ctx context.Context, db Querier, d dialect.Dialect, version string) ([]*Report, error) {
	if d == nil {
		return nil, errNoDialect
	}
	table := dialect.Table{Name: ReportTable}
	ok, err := dialect.TableExists(ctx, db, d, table)
	if err != nil || !ok {
		return nil, err
	}
	q := "SELECT report FROM " + table.Qualified(d)
	var args []any
	if version != "" {
		q += " WHERE version = " + d.Placeholder(1)
		args = append(args, version)
	}
	rows, err := db.QueryContext(ctx, q+" ORDER BY created_at", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		rep := &Report{}
		if err := json.Unmarshal([]byte(s), rep); err != nil {
			return nil, fmt.Errorf("%s: %w", ReportTable, err)
		}
		out = append(out, rep)
	}
	// Rows written before created_at had a fixed width sort wrongly as
	// text ("…:00Z" after "…:00.1Z"): order by the time itself.
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, rows.Err()
}
