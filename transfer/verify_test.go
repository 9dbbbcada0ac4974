package transfer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/transfer"
)

// verify says which columns its checksum compared and why it left the
// others out; when it can only count rows, it says why for every column.
// Issue 11: verify reported ok after silently leaving columns out.
func TestVerifySaysWhichColumnsItComparedAndWhy(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, te testenv.Engine) {
		t.Parallel()
		se := testenv.Open(t, "mysql", testenv.MySQL(t))
		src, dst := target(se), target(te)
		exec(t, src, "CREATE TABLE m (id int PRIMARY KEY, name varchar(20), flag tinyint(1), ratio float, data blob, price decimal(8,2))",
			`INSERT INTO m VALUES (1, 'a', 1, 0.5, 'x', 1.25), (2, 'b', 0, 1.5, 'y', 2.5)`)
		sp := spec(t, "source: "+se.URL+"\ntarget: "+te.URL+"\ntables:\n  - from: m\n    key: id\n    create: true\n    rules:\n      - upper: [name]\n")
		res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v := res.Tables[0].Verify
		leftOut := map[string]string{}
		for _, l := range v.LeftOut {
			leftOut[l.Column] = l.Reason
		}
		if te.Name == "sqlite" {
			if v.Method != "count" || len(v.Columns) != 0 || len(leftOut) != 6 || !strings.Contains(leftOut["price"], "SQLite cannot hash rows on the server") {
				t.Fatalf("verify %+v", v)
			}
			return
		}
		if v.Method != "checksum" || strings.Join(v.Columns, ",") != "price" {
			t.Fatalf("compared %s %v, want the checksum of price", v.Method, v.Columns)
		}
		for col, want := range map[string]string{
			"name":  "computed on the way",
			"flag":  "booleans print",
			"ratio": "single-precision floats",
			"data":  "bytes",
		} {
			if !strings.Contains(leftOut[col], want) {
				t.Errorf("%s left out because %q, want %q", col, leftOut[col], want)
			}
		}
		if _, ok := leftOut["id"]; ok {
			t.Error("the key is compared as the key, not left out")
		}
	})
}
