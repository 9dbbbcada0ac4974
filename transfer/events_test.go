package transfer_test

import (
	"context"
	"sync"
	"testing"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/transfer"
)

// Progress events carry their counts in typed fields (rows read, chunks,
// rows quarantined), not in the message text. Issue 13.
func TestProgressEventsCarryCounts(t *testing.T) {
	fromInto(t, "sqlite", func(t *testing.T, src, dst *connect.Target, se, te testenv.Engine) {
		exec(t, src, "CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO kv VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')")
		sp := spec(t, "source: "+se.URL+"\ntarget: "+te.URL+"\nchunk_rows: 2\ntables:\n  - {from: kv, key: id, create: true}\n")
		var mu sync.Mutex
		var rows, chunks, quarantined, events int64
		var messages []string
		obs := migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
			if e.Kind != migrate.EventBatchDone {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			events++
			rows, chunks, quarantined = max(rows, e.Rows), max(chunks, e.Chunks), max(quarantined, e.Quarantined)
			if e.Message != "" {
				messages = append(messages, e.Message)
			}
		})
		if _, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{Observer: obs}); err != nil {
			t.Fatal(err)
		}
		if events != 3 || rows != 5 || chunks != 3 || quarantined != 0 || len(messages) != 0 {
			t.Errorf("progress events: %d events, rows %d, chunks %d, quarantined %d, messages %q; want 3 events, 5 rows, 3 chunks, none quarantined, no message",
				events, rows, chunks, quarantined, messages)
		}
	})
}
