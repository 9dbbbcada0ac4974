package observe_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
	"github.com/strata-db/strata/online"
)

// TestABlockedBackfillAlertsAWebhook runs a real online backfill, blocks it
// with another transaction's lock on the table, and expects the throughput
// alert at a local webhook receiver. The rule's windows are shortened (the
// defaults, a minute below half the moving average judged every 5 s, are
// tested with a simulated clock in TestAStalledBackfillRaisesTheThroughputAlert).
func TestABlockedBackfillAlertsAWebhook(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("real backfill: skipped with -short")
	}
	dsn := testenv.Postgres(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL)",
		"INSERT INTO t SELECT g, g % 100 FROM generate_series(1, 400000) g",
		"ANALYZE t",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	alerts := make(chan observe.Alert, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a observe.Alert
		_ = json.NewDecoder(r.Body).Decode(&a)
		alerts <- a
	}))
	defer hook.Close()

	bus := observe.NewBus(observe.BusOptions{})
	batches := make(chan struct{}, 1)
	bus.Add("alerts", observe.NewAlerter(observe.AlerterOptions{Config: observe.AlertConfig{
		ThroughputFor: 1500 * time.Millisecond, Tick: 250 * time.Millisecond, ThroughputAverage: time.Minute,
		ErrorRate: -1, Memory: -1, LockWait: -1,
		Webhook: observe.WebhookConfig{URL: hook.URL},
	}}))
	bus.Add("batches", observe.SinkFunc(func(e migrate.Event) {
		if e.Kind == migrate.EventBatchDone && e.Rows > 50000 {
			select {
			case batches <- struct{}{}:
			default:
			}
		}
	}))
	defer bus.Close(ctx)
	step := &online.Step{Runner: online.Runner{BatchTime: 20 * time.Millisecond, LockTimeout: 200 * time.Millisecond}}
	fsys := fstest.MapFS{"0001_b.yaml": {Data: []byte("operations:\n  - add_column:\n      table: t\n      column: {name: b, type: bigint}\n      up: a * 2\n")}}
	p, err := migrate.NewProvider(db, fsys, migrate.WithDialect(postgres.Dialect{}), migrate.WithStepRunner(migrate.KindOnline, step), migrate.WithObserver(bus))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.Run(ctx, migrate.Request{Direction: migrate.Up})
		done <- err
	}()
	select {
	case <-batches: // the backfill runs and has a moving average
	case err := <-done:
		t.Fatalf("the backfill ended before it could be blocked: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("no backfill progress")
	}
	time.Sleep(time.Second)
	// An open transaction blocks the backfill's writes.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "LOCK TABLE t IN SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	blocked := time.Now()
	select {
	case a := <-alerts:
		if a.Rule != observe.RuleThroughput || a.Table != "t" {
			t.Errorf("alert = %+v, want a throughput alert on t", a)
		}
		t.Logf("alert %s after the block: %s", time.Since(blocked).Round(time.Millisecond), a.Summary)
	case err := <-done:
		t.Fatalf("the backfill ended while blocked: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no throughput alert 30 s after the backfill was blocked")
	}
	_ = tx.Rollback()
	if err := <-done; err != nil {
		t.Fatalf("the backfill did not finish after the block: %v", err)
	}
}
