// Package observe is the event bus the migration runner reports to, and its
// sinks: structured logs ([NewLog]), terminal progress ([NewProgress]),
// Prometheus metrics ([NewMetrics]) and anomaly alerts ([NewAlerter]) with
// webhooks ([Webhook]).
//
// The runner calls its [migrate.Observer] synchronously, on the goroutine
// that runs the migration. A [Bus] is that observer: OnEvent puts the event
// in a bounded buffer and returns at once (one channel send, no goroutine
// woken). A dispatcher collects the buffer every [DispatchEvery] and copies
// each event into one bounded buffer per sink; each sink drains its buffer
// on its own goroutine. When a sink falls behind, its buffer fills and
// further events for that sink are dropped and counted ([Bus.Dropped],
// exported as strata_observe_events_dropped_total), so no sink can slow or
// break a migration. A sink that panics is recovered and counted the same
// way.
//
// Metric names are the Metric* constants; [GrafanaDashboard] charts them.
// Alert thresholds are an [AlertConfig], read from the observe section of
// strata.yaml by [ParseConfig].
//
//	metrics := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
//	bus := observe.NewBus(observe.BusOptions{})
//	bus.Add("log", observe.NewLog(logger))
//	bus.Add("metrics", metrics)
//	defer bus.Close(context.Background())
//	p, err := migrate.NewProvider(db, fsys, migrate.WithObserver(bus))
//	http.Handle("/metrics", metrics.Handler())
package observe
