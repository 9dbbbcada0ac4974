// Package observe is the event bus the migration runner reports to, and its
// sinks: structured logs ([NewLog]), terminal progress ([NewProgress]),
// Prometheus metrics ([NewMetrics]) and anomaly alerts ([NewAlerter]) with
// webhooks ([Webhook]).
//
// The runner calls its [migrate.Observer] synchronously, on the goroutine
// that runs the migration. A [Bus] is that observer: it copies each event
// into one bounded buffer per sink and returns at once. Each sink drains its
// buffer on its own goroutine; when a sink falls behind, its buffer fills and
// further events for that sink are dropped and counted ([Bus.Dropped]), so
// no sink can slow or break a migration. A sink that panics is recovered
// and counted the same way.
//
//	metrics := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
//	bus := observe.NewBus(observe.BusOptions{})
//	bus.Add("log", observe.NewLog(logger))
//	bus.Add("metrics", metrics)
//	defer bus.Close(context.Background())
//	p, err := migrate.NewProvider(db, fsys, migrate.WithObserver(bus))
//	http.Handle("/metrics", metrics.Handler())
package observe
