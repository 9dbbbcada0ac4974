package check_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/testenv"
)

func TestRestorePointPutsTheRowsBack(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		fsys := fstest.MapFS{
			"1_base.sql": {Data: []byte("CREATE TABLE items (id int PRIMARY KEY, name varchar(20), qty int);\nINSERT INTO items VALUES (1, 'a', 10), (2, 'b', NULL), (3, 'c', 30);\n")},
			"2_bad.sql":  {Data: []byte("-- strata:no-transaction\n-- strata:restore-point items\nUPDATE items SET qty = 0;\nDELETE FROM items WHERE id = 3;\n")},
		}
		var reports []*check.Report
		const q = "SELECT id, name, qty FROM items ORDER BY id"
		if err := up(t, e, fsys, &reports); err != nil {
			t.Fatal(err)
		}
		// up ran both: migration 1's rows are what 2 copied... so
		// compare with a fresh expectation.
		if got := dump(t, e.DB, q); got == "" {
			t.Fatal("no rows")
		}
		rp, err := check.NewRestorePoints(e.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		cps, err := rp.List(ctx, e.DB, "2")
		if err != nil || len(cps) != 1 || cps[0].Rows != 3 || cps[0].CopyName != "strata_rp_2_items" {
			t.Fatalf("restore points: %+v, %v", cps, err)
		}
		if _, err := rp.Restore(ctx, e.DB, "2"); err != nil {
			t.Fatal(err)
		}
		want := "[{1 true} {a true} {10 true}]\n[{2 true} {b true} { false}]\n[{3 true} {c true} {30 true}]\n"
		if got := dump(t, e.DB, q); got != want {
			t.Fatalf("after restore:\n%swant\n%s", got, want)
		}
		if _, err := rp.Restore(ctx, e.DB, "7"); err == nil {
			t.Fatal("restore of a version without a restore point succeeded")
		}
		// Prune keeps the newest unless told otherwise.
		if gone, err := rp.Prune(ctx, e.DB, time.Now().Add(time.Hour), 1); err != nil || len(gone) != 0 {
			t.Fatalf("prune keep 1: %v %v", gone, err)
		}
		if gone, err := rp.Prune(ctx, e.DB, time.Now().Add(time.Hour), 0); err != nil || len(gone) != 1 {
			t.Fatalf("prune keep 0: %v %v", gone, err)
		}
		if n := dump(t, e.DB, "SELECT count(*) FROM strata_restore_points"); n != "[{0 true}]\n" {
			t.Fatalf("catalog after prune: %s", n)
		}
	})
}
