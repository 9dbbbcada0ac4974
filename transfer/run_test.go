package transfer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/transfer"
)

// A transfer that finished is done: run again, it copies nothing and
// returns the finished run's results; --resume walks the finished chunks
// again (and verifies); --restart copies again. An interrupted one still
// refuses without either. Issue 11: a finished transfer was refused as
// if it had been interrupted.
func TestAFinishedTransferIsDone(t *testing.T) {
	fromInto(t, "sqlite", func(t *testing.T, src, dst *connect.Target, se, te testenv.Engine) {
		ctx := context.Background()
		exec(t, src, "CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO kv VALUES (1, 'a'), (2, 'b'), (3, 'c')")
		sp := spec(t, "source: "+se.URL+"\ntarget: "+te.URL+"\nchunk_rows: 2\ntables:\n  - {from: kv, key: id, create: true}\n")
		first, err := transfer.Run(ctx, src, dst, sp, transfer.Options{})
		if err != nil || first.AlreadyDone {
			t.Fatalf("first run: %v, %+v", err, first)
		}
		exec(t, dst, "DELETE FROM kv WHERE id = 3") // a copy would bring it back

		again, err := transfer.Run(ctx, src, dst, sp, transfer.Options{})
		if err != nil {
			t.Fatalf("a finished transfer run again: %v", err)
		}
		if !again.AlreadyDone || again.CompletedAt == nil || len(again.Tables) != 1 || again.Tables[0].Written != 3 || !again.Tables[0].Complete {
			t.Fatalf("run again: %+v (tables %+v)", again, again.Tables)
		}
		expect(t, dst, "SELECT count(*) FROM kv", "2")

		resumed, err := transfer.Run(ctx, src, dst, sp, transfer.Options{Resume: true, NoVerify: true})
		if err != nil || resumed.AlreadyDone || resumed.Tables[0].Resumed != 2 || resumed.Tables[0].Read != 3 {
			t.Fatalf("--resume over a finished run: %v, %+v", err, resumed.Tables[0])
		}

		restarted, err := transfer.Run(ctx, src, dst, sp, transfer.Options{Restart: true})
		if err != nil || restarted.AlreadyDone || restarted.Tables[0].Resumed != 0 || restarted.Tables[0].Written != 3 {
			t.Fatalf("--restart: %v, %+v", err, restarted.Tables[0])
		}
		expect(t, dst, "SELECT count(*) FROM kv", "3")

		// Checkpoints without a finished run: interrupted, as before.
		exec(t, dst, "DELETE FROM strata_transfer_completed")
		_, err = transfer.Run(ctx, src, dst, sp, transfer.Options{})
		if !errors.Is(err, transfer.ErrInterrupted) {
			t.Fatalf("an interrupted run: %v", err)
		}
	})
}

// verify says which columns its checksum compared and why it left the
// others out; when it can only count rows, it says why for every column.
// Issue 11: verify reported ok after silently leaving columns out.
func TestVerifySaysWhichColumnsItComparedAndWhy(t *testing.T) {
	fromInto(t, "mysql", func(t *testing.T, src, dst *connect.Target, se, te testenv.Engine) {
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
