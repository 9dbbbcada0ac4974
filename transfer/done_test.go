package transfer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/transfer"
)

// A transfer that finished is done: run again, it copies nothing and
// returns the finished run's results; --resume walks the finished chunks
// again (and verifies); --restart copies again. An interrupted one still
// refuses without either. Issue 11: a finished transfer was refused as
// if it had been interrupted.
func TestAFinishedTransferIsDone(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, te testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		se := testenv.Open(t, "sqlite", testenv.SQLite(t))
		src, dst := target(se), target(te)
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
		if got := scalar(t, dst, "SELECT count(*) FROM kv"); got != "2" {
			t.Fatalf("the done run copied: %s rows", got)
		}

		resumed, err := transfer.Run(ctx, src, dst, sp, transfer.Options{Resume: true, NoVerify: true})
		if err != nil || resumed.AlreadyDone || resumed.Tables[0].Resumed != 2 || resumed.Tables[0].Read != 3 {
			t.Fatalf("--resume over a finished run: %v, %+v", err, resumed.Tables[0])
		}

		restarted, err := transfer.Run(ctx, src, dst, sp, transfer.Options{Restart: true})
		if err != nil || restarted.AlreadyDone || restarted.Tables[0].Resumed != 0 || restarted.Tables[0].Written != 3 {
			t.Fatalf("--restart: %v, %+v", err, restarted.Tables[0])
		}
		if got := scalar(t, dst, "SELECT count(*) FROM kv"); got != "3" {
			t.Fatalf("--restart did not copy again: %s rows", got)
		}

		// Checkpoints without a finished run: interrupted, as before.
		exec(t, dst, "DELETE FROM strata_transfer_completed")
		_, err = transfer.Run(ctx, src, dst, sp, transfer.Options{})
		if !errors.Is(err, transfer.ErrInterrupted) {
			t.Fatalf("an interrupted run: %v", err)
		}
	})
}
