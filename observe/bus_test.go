package observe_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

func TestBusDeliversEveryEventInOrder(t *testing.T) {
	t.Parallel()
	bus := observe.NewBus(observe.BusOptions{})
	var got []int64
	bus.Add("record", observe.SinkFunc(func(e migrate.Event) { got = append(got, e.Rows) }))
	for i := range 1000 {
		bus.OnEvent(context.Background(), migrate.Event{Kind: migrate.EventBatchDone, Rows: int64(i)})
	}
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 {
		t.Fatalf("sink got %d events, want 1000", len(got))
	}
	for i, r := range got {
		if r != int64(i) {
			t.Fatalf("event %d has rows %d: out of order", i, r)
		}
	}
	if d := bus.Dropped()["record"]; d != 0 {
		t.Errorf("dropped %d", d)
	}
}

func TestASlowSinkDoesNotSlowTheRunner(t *testing.T) {
	t.Parallel()
	bus := observe.NewBus(observe.BusOptions{Buffer: 16})
	release := make(chan struct{})
	var slowGot, fastGot atomic.Int64
	bus.Add("slow", observe.SinkFunc(func(migrate.Event) {
		<-release
		slowGot.Add(1)
	}))
	bus.Add("fast", observe.SinkFunc(func(migrate.Event) { fastGot.Add(1) }))
	const n = 10000
	start := time.Now()
	for range n {
		bus.OnEvent(context.Background(), migrate.Event{Kind: migrate.EventBatchDone})
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("%d events took %s with a blocked sink: the runner waited", n, el)
	}
	close(release)
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	dropped := bus.Dropped()
	if dropped["slow"] == 0 || dropped["slow"]+uint64(slowGot.Load()) != n {
		t.Errorf("slow sink: handled %d + dropped %d, want %d in all with some dropped", slowGot.Load(), dropped["slow"], n)
	}
	if fastGot.Load()+int64(dropped["fast"]) != n {
		t.Errorf("fast sink: handled %d + dropped %d, want %d", fastGot.Load(), dropped["fast"], n)
	}
}

func TestAPanickingSinkIsCountedAndTheOthersGoOn(t *testing.T) {
	t.Parallel()
	bus := observe.NewBus(observe.BusOptions{})
	var ok atomic.Int64
	bus.Add("broken", observe.SinkFunc(func(migrate.Event) { panic("boom") }))
	bus.Add("ok", observe.SinkFunc(func(migrate.Event) { ok.Add(1) }))
	for range 10 {
		bus.OnEvent(context.Background(), migrate.Event{Kind: migrate.EventMigrationStarted})
	}
	_ = bus.Close(context.Background())
	if ok.Load() != 10 || bus.Dropped()["broken"] != 10 {
		t.Errorf("ok got %d, broken dropped %d; want 10 and 10", ok.Load(), bus.Dropped()["broken"])
	}
	// Events after Close are ignored, not a panic.
	bus.OnEvent(context.Background(), migrate.Event{})
}

func BenchmarkBusOnEvent(b *testing.B) {
	for _, sinks := range []int{0, 1, 4} {
		b.Run(map[int]string{0: "no sinks", 1: "one sink", 4: "four sinks"}[sinks], func(b *testing.B) {
			bus := observe.NewBus(observe.BusOptions{})
			for i := range sinks {
				bus.Add(string(rune('a'+i)), observe.SinkFunc(func(migrate.Event) {}))
			}
			e := migrate.Event{Kind: migrate.EventBatchDone, Version: "1", Name: "x", Table: "t", Rows: 1, Time: time.Now()}
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				bus.OnEvent(ctx, e)
			}
			b.StopTimer()
			_ = bus.Close(ctx)
		})
	}
}

// BenchmarkSinkHandle measures the CPU each sink spends on one batch event,
// on its own goroutine (the runner only pays BenchmarkBusOnEvent).
func BenchmarkSinkHandle(b *testing.B) {
	discard := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	alerter := observe.NewAlerter(observe.AlerterOptions{Logger: discard})
	defer alerter.Close()
	sinks := []struct {
		name string
		s    observe.Sink
	}{
		{"metrics", observe.NewMetrics(observe.MetricsOptions{Target: "bench"})},
		{"alerts", alerter},
		{"progress", observe.NewProgress(observe.ProgressOptions{Logger: discard})},
		{"json log", observe.NewLog(discard)},
	}
	for _, s := range sinks {
		b.Run(s.name, func(b *testing.B) {
			t0 := time.Now()
			for i := range b.N {
				s.s.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "1", Name: "x", Table: "t", Rows: int64(i) * 1000, RowsTotal: 1 << 40, Duration: time.Millisecond, Time: t0.Add(time.Duration(i) * time.Millisecond)})
			}
		})
	}
}
