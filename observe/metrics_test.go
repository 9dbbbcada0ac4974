package observe_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

func scrape(t *testing.T, m *observe.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestActiveMigrationsIsExportedAtZero(t *testing.T) {
	t.Parallel()
	m := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
	body := scrape(t, m)
	if !strings.Contains(body, "\nstrata_active_migrations 0\n") {
		t.Errorf("a fresh registry does not export strata_active_migrations 0:\n%s", body)
	}
}

func TestMetricsFollowARun(t *testing.T) {
	t.Parallel()
	m := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
	t0 := time.Now()
	ev := func(e migrate.Event, at time.Duration) {
		e.Version, e.Name, e.Time = "7", "split", t0.Add(at)
		m.Handle(e)
	}
	ev(migrate.Event{Kind: migrate.EventLockAcquired, Duration: 2 * time.Second}, 0)
	ev(migrate.Event{Kind: migrate.EventMigrationStarted}, 0)
	if body := scrape(t, m); !strings.Contains(body, "\nstrata_active_migrations 1\n") {
		t.Errorf("active during the run is not 1:\n%s", body)
	}
	// The runner reports rows done so far in each pass.
	for i, rows := range []int64{1000, 2000, 3000} {
		ev(migrate.Event{Kind: migrate.EventBatchDone, Table: "users", Rows: rows, RowsTotal: 5000, Duration: 100 * time.Millisecond}, time.Duration(i+1)*time.Second)
	}
	ev(migrate.Event{Kind: migrate.EventRetry, Table: "users"}, 4*time.Second)
	// A second pass over the same table starts again from zero.
	ev(migrate.Event{Kind: migrate.EventBatchDone, Table: "users", Rows: 500, RowsTotal: 5000}, 5*time.Second)
	ev(migrate.Event{Kind: migrate.EventMigrationFinished, Duration: 5 * time.Second}, 5*time.Second)
	ev(migrate.Event{Kind: migrate.EventMigrationStarted, Version: "8"}, 6*time.Second)
	m.Handle(migrate.Event{Kind: migrate.EventMigrationFailed, Version: "8", Name: "bad", Err: &migrate.StatementError{Err: errors.New("boom")}, Time: t0})
	m.Handle(migrate.Event{Kind: migrate.EventMigrationStarted, Version: "9", Name: "lost", Time: t0})
	m.Handle(migrate.Event{Kind: migrate.EventMigrationFailed, Version: "9", Name: "lost", Err: dialect.ErrLockLost, Time: t0})
	m.SetReplicationLag("orders", 1500*time.Millisecond)

	body := scrape(t, m)
	for _, want := range []string{
		`strata_rows_migrated_total{migration="7_split",table="users"} 3500`,
		`strata_backfill_rows{migration="7_split",table="users"} 500`,
		`strata_backfill_rows_estimated{migration="7_split",table="users"} 5000`,
		`strata_backfill_rows_per_second{migration="7_split",table="users"} 0`,
		`strata_migration_errors_total{kind="retry",migration="7_split"} 1`,
		`strata_migration_errors_total{kind="statement",migration="8_bad"} 1`,
		`strata_migration_errors_total{kind="lock_lost",migration="9_lost"} 1`,
		`strata_migration_duration_seconds_count{migration="7_split",target="app"} 1`,
		`strata_lock_wait_seconds_sum{target="app"} 2`,
		`strata_replication_lag_seconds{stream="orders"} 1.5`,
		"\nstrata_active_migrations 0\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

func TestRowsPerSecondFollowsBatches(t *testing.T) {
	t.Parallel()
	m := observe.NewMetrics(observe.MetricsOptions{})
	t0 := time.Now()
	for i := range 10 {
		m.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "1", Name: "b", Table: "t", Rows: int64(i+1) * 1000, Duration: time.Second, Time: t0.Add(time.Duration(i+1) * time.Second)})
	}
	body := scrape(t, m)
	if !strings.Contains(body, `strata_backfill_rows_per_second{migration="1_b",table="t"} 1000`) {
		t.Errorf("rate is not 1000 rows/s:\n%s", body)
	}
}

func TestDroppedEventsAreExported(t *testing.T) {
	t.Parallel()
	m := observe.NewMetrics(observe.MetricsOptions{})
	bus := observe.NewBus(observe.BusOptions{Buffer: 1})
	block := make(chan struct{})
	bus.Add("stuck", observe.SinkFunc(func(migrate.Event) { <-block }))
	m.WatchBus(bus)
	for range 5 {
		bus.OnEvent(context.Background(), migrate.Event{})
	}
	body := scrape(t, m)
	close(block)
	_ = bus.Close(context.Background())
	if !strings.Contains(body, `strata_observe_events_dropped_total{sink="stuck"}`) {
		t.Errorf("no drop counter:\n%s", body)
	}
}

func TestMetricsFromCheckAndLagEvents(t *testing.T) {
	t.Parallel()
	m := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
	check := func(severity, outcome string, blocking bool) {
		e := migrate.Event{Kind: migrate.EventCheckResult, Version: "3", Name: "fk", Check: &migrate.CheckResult{Name: "c", Severity: severity, Outcome: outcome}}
		if blocking {
			e.Err = errors.New("check c fail")
		}
		m.Handle(e)
	}
	check("error", "pass", false)
	check("error", "pass", false)
	check("warn", "fail", false)
	check("error", "fail", true)
	check("warn", "error", true)
	m.Handle(migrate.Event{Kind: migrate.EventReplicationLag, Version: "3", Name: "fk", Stream: "standby", Lag: 2500 * time.Millisecond})
	body := scrape(t, m)
	for _, want := range []string{
		`strata_check_results_total{migration="3_fk",outcome="pass",severity="error"} 2`,
		`strata_check_results_total{migration="3_fk",outcome="fail",severity="warn"} 1`,
		`strata_check_results_total{migration="3_fk",outcome="fail",severity="error"} 1`,
		`strata_check_results_total{migration="3_fk",outcome="error",severity="warn"} 1`,
		`strata_migration_errors_total{kind="check",migration="3_fk"} 2`,
		`strata_replication_lag_seconds{stream="standby"} 2.5`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}
