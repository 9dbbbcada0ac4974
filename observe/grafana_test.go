package observe_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
	"github.com/strata-db/strata/serve"
)

// exported returns the names of every metric family strata exports, from a
// run's metrics and from strata serve, histograms with their series.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	m := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
	bus := observe.NewBus(observe.BusOptions{})
	m.WatchBus(bus)
	bus.Add("metrics", m)
	now := time.Now()
	for _, e := range []migrate.Event{
		{Kind: migrate.EventLockAcquired, Duration: time.Second},
		{Kind: migrate.EventMigrationStarted, Version: "1", Name: "a"},
		{Kind: migrate.EventBatchDone, Version: "1", Name: "a", Table: "t", Rows: 10, RowsTotal: 100, Time: now},
		{Kind: migrate.EventRetry, Version: "1", Name: "a"},
		{Kind: migrate.EventMigrationFinished, Version: "1", Name: "a", Duration: time.Second},
	} {
		bus.OnEvent(context.Background(), e)
	}
	_ = bus.Close(context.Background())
	m.SetReplicationLag("s", time.Second)
	m.CountAlert(observe.RuleThroughput)
	names := map[string]bool{}
	collect := func(g prometheus.Gatherer) {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			names[mf.GetName()] = true
			if mf.GetType().String() == "HISTOGRAM" {
				for _, s := range []string{"_bucket", "_sum", "_count"} {
					names[mf.GetName()+s] = true
				}
			}
		}
	}
	collect(m.Registry())
	// strata serve exports from its poll.
	reg := prometheus.NewRegistry()
	s := serve.New([]serve.Target{{Name: "app", Source: oneApplied{}}}, serve.Options{})
	s.Poll(context.Background())
	reg.MustRegister(serve.Collector(s))
	collect(reg)
	return names
}

func TestEveryGrafanaPanelQueriesAMetricStrataExports(t *testing.T) {
	t.Parallel()
	b, err := observe.GrafanaDashboard()
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	names := exported(t)
	metric := regexp.MustCompile(`strata_[a-z0-9_]+`)
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			ms := metric.FindAllString(q.Expr, -1)
			if len(ms) == 0 {
				t.Errorf("panel %q: query %q names no strata metric", p.Title, q.Expr)
			}
			for _, m := range ms {
				used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_sum"), "_count")] = true
				if !names[m] {
					t.Errorf("panel %q: query %q names %s, which strata does not export", p.Title, q.Expr, m)
				}
			}
		}
	}
	// The metrics and progress all have a panel.
	for _, m := range []string{"strata_backfill_rows", "strata_backfill_rows_per_second", "strata_migration_errors_total",
		"strata_replication_lag_seconds", "strata_lock_wait_seconds", "strata_active_migrations", "strata_rows_migrated_total", "strata_migration_duration_seconds"} {
		if !used[m] {
			t.Errorf("no panel shows %s", m)
		}
	}
}

type oneApplied struct{}

func (oneApplied) Status(context.Context) ([]migrate.MigrationStatus, error) {
	return []migrate.MigrationStatus{{Version: "1", Name: "a", State: migrate.StateApplied}}, nil
}
