package check

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ReportTable keeps the reports of the checks that ran around migrations,
// passed or not, so that they can be attached to a change ticket later
// (`strata check --history`). The history table has no column for them
// yet; see the package documentation.
const ReportTable = "strata_check_reports"

// Store appends rep to [ReportTable] on db, creating the table when
// missing. Use a connection outside the migration's transaction, or a
// rolled-back migration takes its report with it.
func Store(ctx context.Context, db Querier, engine string, rep *Report) error {
	if err := validEngine(engine); err != nil {
		return err
	}
	t := quoteName(engine, ReportTable)
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
	r := &RestorePoints{engine: engine}
	_, err = db.ExecContext(ctx, "INSERT INTO "+t+" (version, name, phase, passed, created_at, report) VALUES ("+r.ph(1)+", "+r.ph(2)+", "+r.ph(3)+", "+r.ph(4)+", "+r.ph(5)+", "+r.ph(6)+")",
		rep.Version, rep.Name, string(rep.Phase), passed, rep.At.UTC().Format(time.RFC3339Nano), string(b))
	if err != nil {
		return fmt.Errorf("store check report of %s: %w", rep.Version, err)
	}
	return nil
}

// Stored returns the stored reports, oldest first; version "" returns all.
// A database without [ReportTable] has none.
func Stored(ctx context.Context, db Querier, engine string, version string) ([]*Report, error) {
	r := &RestorePoints{engine: engine}
	ok, err := r.exists(ctx, db, ReportTable)
	if err != nil || !ok {
		return nil, err
	}
	q := "SELECT report FROM " + quoteName(engine, ReportTable)
	var args []any
	if version != "" {
		q += " WHERE version = " + r.ph(1)
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
	return out, rows.Err()
}
