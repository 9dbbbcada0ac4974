package cli

import (
	"testing"

	"github.com/strata-db/strata/online"
)

func TestBackfillSummaryCountsOneRowAsOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rows, total int64
		done        bool
		want        string
	}{
		{1, 1, true, "backfill: items 1 of ~1 row (done)"},
		{0, 0, false, "backfill: items 0 of ~0 rows (running)"},
		{420000, 1000000, false, "backfill: items 420000 of ~1000000 rows (running)"},
	}
	for _, c := range cases {
		st := online.State{Format: online.StateVersion, Version: "2", Phase: online.PhaseExpanded,
			Backfills: []*online.Backfill{{Key: "columns:items", Table: "items", Rows: c.rows, Total: c.total, Done: c.done}}}
		b, err := st.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if got := backfillSummary(string(b)); got != c.want {
			t.Errorf("%d of %d: %q, want %q", c.rows, c.total, got, c.want)
		}
	}
	if got := backfillSummary(""); got != "no backfill" {
		t.Errorf("no state: %q", got)
	}
}
