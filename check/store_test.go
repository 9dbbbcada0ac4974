package check_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/testenv"
)

// A report written on a whole second and one 100ms later: as RFC 3339
// text with trimmed fractions, "…:00Z" sorts after "…:00.1Z".
var (
	onTheSecond = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	aTenthLater = onTheSecond.Add(100 * time.Millisecond)
)

func TestStoredReportsComeInTimeOrder(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		for _, r := range []*check.Report{{Version: "1", Phase: check.PhasePre, At: onTheSecond}, {Version: "2", Phase: check.PhasePre, At: aTenthLater}} {
			if err := check.Store(ctx, e.DB, e.Dialect, r); err != nil {
				t.Fatal(err)
			}
		}
		// A report stored by an earlier strata, in the text it wrote.
		ph := e.Dialect.Placeholder
		if _, err := e.DB.ExecContext(ctx, fmt.Sprintf("INSERT INTO strata_check_reports (version, name, phase, passed, created_at, report) VALUES (%s, %s, %s, %s, %s, %s)", ph(1), ph(2), ph(3), ph(4), ph(5), ph(6)),
			"0", "", "pre", 1, onTheSecond.Add(-time.Second).Format(time.RFC3339Nano), fmt.Sprintf(`{"version":"0","results":[],"at":%q}`, onTheSecond.Add(-time.Second).Format(time.RFC3339Nano))); err != nil {
			t.Fatal(err)
		}
		reps, err := check.Stored(ctx, e.DB, e.Dialect, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range reps {
			got = append(got, r.Version)
		}
		if fmt.Sprint(got) != "[0 1 2]" {
			t.Errorf("Stored = versions %v, want [0 1 2] (oldest first)", got)
		}
	})
}

func TestRestorePointsAreListedInTimeOrder(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		rp, err := check.NewRestorePoints(e.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rp.List(ctx, e.DB, ""); err != nil { // creates the catalog
			t.Fatal(err)
		}
		ph := e.Dialect.Placeholder
		for _, c := range []struct {
			version string
			at      time.Time
		}{{"2", aTenthLater}, {"1", onTheSecond}} {
			if _, err := e.DB.ExecContext(ctx, fmt.Sprintf("INSERT INTO strata_restore_points (version, table_name, copy_name, row_count, created_at) VALUES (%s, %s, %s, %s, %s)", ph(1), ph(2), ph(3), ph(4), ph(5)),
				c.version, "t", "strata_rp_"+c.version+"_t", 0, c.at.Format(time.RFC3339Nano)); err != nil {
				t.Fatal(err)
			}
		}
		cps, err := rp.List(ctx, e.DB, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) != 2 || cps[0].Version != "1" || cps[1].Version != "2" {
			t.Errorf("List = %+v, want version 1 (%s) before version 2 (%s)", cps, onTheSecond, aTenthLater)
		}
	})
}
