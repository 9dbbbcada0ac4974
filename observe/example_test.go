package observe_test

import (
	"context"
	"database/sql"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

func Example() {
	db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:5432/app")
	if err != nil {
		log.Fatal(err)
	}
	metrics := observe.NewMetrics(observe.MetricsOptions{Target: "app"})
	bus := observe.NewBus(observe.BusOptions{})
	bus.Add("log", observe.NewLog(slog.New(slog.NewJSONHandler(os.Stderr, nil))))
	bus.Add("metrics", metrics)
	bus.Add("alerts", observe.NewAlerter(observe.AlerterOptions{
		Config: observe.AlertConfig{Webhook: observe.WebhookConfig{URL: "https://hooks.slack.com/services/T000/B000/XXXX", Format: "slack"}},
		Target: "app",
	}))
	defer bus.Close(context.Background()) // drains the sinks

	http.Handle("/metrics", metrics.Handler())
	go http.ListenAndServe("127.0.0.1:9466", nil)

	p, err := migrate.NewProvider(db, os.DirFS("migrations"), migrate.WithObserver(bus))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := p.Run(context.Background(), migrate.Request{Direction: migrate.Up}); err != nil {
		log.Fatal(err)
	}
}
