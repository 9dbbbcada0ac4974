// Command observe measures what strata's event bus and sinks cost an online
// backfill: the same add_column backfill over a PostgreSQL table, run
// alternately with no observer and with the bus and every sink `strata up`
// attaches (progress, alerts, Prometheus metrics) plus a JSON log sink.
// See README.md for the method; figures are in docs/benchmarks.md.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
	"github.com/strata-db/strata/online"
)

var (
	adminDSN   = flag.String("dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "administrative DSN (creates and drops the bench databases)")
	rows       = flag.Int("rows", 1_000_000, "rows in the table")
	runs       = flag.Int("runs", 5, "runs of each configuration, alternating")
	batchTimes = flag.String("batch-times", "100ms,5ms", "backfill target batch times to measure (the default, and a small one that makes many events)")
)

const tplDB, runDB = "strata_obsbench_tpl", "strata_obsbench_run"

const migration = `operations:
  - add_column:
      table: t
      column: {name: b, type: bigint}
      up: a * 2
`

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	ctx := context.Background()
	admin, err := sql.Open("pgx", *adminDSN)
	if err != nil {
		log.Fatal(err)
	}
	defer admin.Close()
	must(exec(ctx, admin, "DROP DATABASE IF EXISTS "+tplDB+" WITH (FORCE)"))
	must(exec(ctx, admin, "CREATE DATABASE "+tplDB))
	tpl, err := sql.Open("pgx", withDB(*adminDSN, tplDB))
	must(err)
	log.Printf("filling %d rows", *rows)
	must(exec(ctx, tpl, "CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL)"))
	must(exec(ctx, tpl, fmt.Sprintf("INSERT INTO t SELECT g, g %% 1000 FROM generate_series(1, %d) g", *rows)))
	must(exec(ctx, tpl, "VACUUM ANALYZE t"))
	tpl.Close()
	defer exec(ctx, admin, "DROP DATABASE IF EXISTS "+tplDB+" WITH (FORCE)")

	fmt.Printf("| batch time | sinks | runs | median rows/s | min–max rows/s | events | dropped |\n|---|---|---|---|---|---|---|\n")
	for _, bt := range strings.Split(*batchTimes, ",") {
		d, err := time.ParseDuration(bt)
		must(err)
		res := map[bool][]float64{}
		var events, dropped map[bool]int64 = map[bool]int64{}, map[bool]int64{}
		for i := 0; i < 2**runs; i++ {
			withSinks := i%2 == 1
			rps, ev, dr := run(ctx, admin, d, withSinks)
			res[withSinks] = append(res[withSinks], rps)
			events[withSinks], dropped[withSinks] = ev, dr
			log.Printf("batch %s sinks=%v: %.0f rows/s (%d events, %d dropped)", d, withSinks, rps, ev, dr)
		}
		for _, ws := range []bool{false, true} {
			r := res[ws]
			sort.Float64s(r)
			name := "none"
			if ws {
				name = "bus + progress, alerts, metrics, JSON log"
			}
			fmt.Printf("| %s | %s | %d | %.0f | %.0f–%.0f | %d | %d |\n", d, name, len(r), median(r), r[0], r[len(r)-1], events[ws], dropped[ws])
		}
		fmt.Printf("| %s | difference of the medians | | %+.2f%% | | | |\n", d, 100*(median(res[false])-median(res[true]))/median(res[false]))
		fmt.Printf("| %s | time in OnEvent on the runner's goroutine, median share of the run | | %.4f%% | | | |\n", d, 100*median(share.bus))
		fmt.Printf("| %s | CPU in the sinks (their own goroutines), median share of the run | | %.4f%% | | | |\n", d, 100*median(share.sinks))
		share.bus, share.sinks = nil, nil
	}
}

// run copies the template and backfills it once, returning rows/s, the
// events the sinks saw and the events they dropped.
func run(ctx context.Context, admin *sql.DB, batch time.Duration, withSinks bool) (float64, int64, int64) {
	must(exec(ctx, admin, "DROP DATABASE IF EXISTS "+runDB+" WITH (FORCE)"))
	must(exec(ctx, admin, "CREATE DATABASE "+runDB+" TEMPLATE "+tplDB))
	db, err := sql.Open("pgx", withDB(*adminDSN, runDB))
	must(err)
	defer db.Close()
	step := &online.Step{Runner: online.Runner{BatchTime: batch}}
	opts := []migrate.Option{migrate.WithDialect(postgres.Dialect{}), migrate.WithStepRunner(migrate.KindOnline, step)}
	var bus *observe.Bus
	var counted int64
	var inBus time.Duration // on the runner's goroutine
	var sinkNS atomic.Int64 // in the sinks, on their goroutines
	timed := func(s observe.Sink) observe.Sink {
		return observe.SinkFunc(func(e migrate.Event) {
			t := time.Now()
			s.Handle(e)
			sinkNS.Add(int64(time.Since(t)))
		})
	}
	if withSinks {
		bus = observe.NewBus(observe.BusOptions{})
		metrics := observe.NewMetrics(observe.MetricsOptions{Target: "bench"})
		metrics.WatchBus(bus)
		discard := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
		bus.Add("progress", timed(observe.NewProgress(observe.ProgressOptions{Logger: discard})))
		bus.Add("metrics", timed(metrics))
		bus.Add("alerts", timed(observe.NewAlerter(observe.AlerterOptions{Logger: discard, Metrics: metrics})))
		bus.Add("log", timed(observe.NewLog(discard)))
		bus.Add("count", observe.SinkFunc(func(migrate.Event) { counted++ }))
		opts = append(opts, migrate.WithObserver(migrate.ObserverFunc(func(ctx context.Context, e migrate.Event) {
			t := time.Now()
			bus.OnEvent(ctx, e)
			inBus += time.Since(t)
		})))
	}
	fsys := fstest.MapFS{"0001_add_b.yaml": {Data: []byte(migration)}}
	p, err := migrate.NewProvider(db, fsys, opts...)
	must(err)
	start := time.Now()
	_, err = p.Run(ctx, migrate.Request{Direction: migrate.Up})
	el := time.Since(start)
	must(err)
	var dropped int64
	if bus != nil {
		must(bus.Close(ctx))
		for _, n := range bus.Dropped() {
			dropped += int64(n)
		}
	}
	var filled int
	must(db.QueryRowContext(ctx, "SELECT count(*) FROM t WHERE b IS NOT NULL").Scan(&filled))
	if filled != *rows {
		log.Fatalf("backfill wrote %d rows of %d", filled, *rows)
	}
	inSinks := time.Duration(sinkNS.Load())
	if withSinks {
		log.Printf("  runner path: %s in OnEvent (%.4f%% of %s); sinks: %s of CPU (%.4f%%)",
			inBus, 100*inBus.Seconds()/el.Seconds(), el.Round(time.Millisecond), inSinks, 100*inSinks.Seconds()/el.Seconds())
		share.bus = append(share.bus, inBus.Seconds()/el.Seconds())
		share.sinks = append(share.sinks, inSinks.Seconds()/el.Seconds())
	}
	return float64(*rows) / el.Seconds(), counted, dropped
}

// share collects, per run with sinks, the fraction of the backfill's time
// spent on the runner's path in the bus and in the sinks.
var share struct{ bus, sinks []float64 }

func median(s []float64) float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func exec(ctx context.Context, db *sql.DB, q string) error {
	_, err := db.ExecContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	must(err)
	u.Path = "/" + name
	return u.String()
}

func must(err error) {
	if err != nil {
		log.Print(err)
		os.Exit(1)
	}
}
