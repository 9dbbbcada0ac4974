package observe_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

func TestLogWritesJSONLinesWithStableKeys(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := observe.NewLog(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	s.Handle(migrate.Event{Kind: migrate.EventMigrationStarted, Version: "2", Name: "users", Direction: migrate.Up, Time: time.Now()})
	s.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "2", Name: "users", Table: "users", Rows: 10, RowsTotal: 20, Duration: time.Millisecond})
	s.Handle(migrate.Event{Kind: migrate.EventMigrationFailed, Version: "2", Name: "users", Err: errors.New("boom")})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var recs []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		recs = append(recs, m)
	}
	if recs[0]["event"] != "migration_started" || recs[0]["version"] != "2" || recs[0]["level"] != "INFO" {
		t.Errorf("start = %v", recs[0])
	}
	if recs[1]["rows"] != 10.0 || recs[1]["table"] != "users" || recs[1]["level"] != "DEBUG" {
		t.Errorf("batch = %v", recs[1])
	}
	if recs[2]["error"] != "boom" || recs[2]["level"] != "ERROR" {
		t.Errorf("failure = %v", recs[2])
	}
}

func TestProgressLinesWhenNotATerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := observe.NewProgress(observe.ProgressOptions{Logger: slog.New(slog.NewTextHandler(&buf, nil)), Every: 5 * time.Second})
	t0 := time.Now()
	for i := 1; i <= 12; i++ {
		p.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Name: "fill", Table: "big", Rows: int64(i) * 1000, RowsTotal: 12000, Duration: time.Second, Time: t0.Add(time.Duration(i) * time.Second)})
	}
	p.Handle(migrate.Event{Kind: migrate.EventMigrationFinished, Version: "3", Name: "fill"})
	out := buf.String()
	if n := strings.Count(out, "backfill progress"); n != 2 {
		t.Errorf("%d progress lines in 12 s at one per 5 s, want 2:\n%s", n, out)
	}
	for _, want := range []string{"table=big", "rows=5000", "rows_total=12000", "rows_per_second=1000", "eta=7s", "backfill done"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lines lack %q:\n%s", want, out)
		}
	}
}

func TestAShortPassLogsNothing(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := observe.NewProgress(observe.ProgressOptions{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	now := time.Now()
	p.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Table: "t", Rows: 10, Time: now})
	p.Handle(migrate.Event{Kind: migrate.EventMigrationFinished, Version: "3"})
	if buf.Len() != 0 {
		t.Errorf("a 0 s pass logged:\n%s", buf.String())
	}
}

func TestProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := observe.NewProgress(observe.ProgressOptions{Writer: &buf, TTY: true})
	t0 := time.Now()
	for i := 1; i <= 4; i++ {
		p.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Name: "fill", Table: "big", Rows: int64(i) * 2500, RowsTotal: 10000, Time: t0.Add(time.Duration(i) * time.Second)})
		time.Sleep(120 * time.Millisecond) // past the bar's redraw throttle
	}
	p.Handle(migrate.Event{Kind: migrate.EventMigrationFinished, Version: "3", Name: "fill"})
	p.Close()
	out := buf.String()
	for _, want := range []string{"3_fill big", "100%", "10000/10000", "rows/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q:\n%q", want, out)
		}
	}
}

func TestProgressBarWithoutAnEstimate(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := observe.NewProgress(observe.ProgressOptions{Writer: &buf, TTY: true})
	now := time.Now()
	p.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Table: "t", Rows: 500, Time: now})
	p.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Table: "t", Rows: 1000, RowsTotal: 4000, Time: now.Add(time.Second)})
	p.Handle(migrate.Event{Kind: migrate.EventMigrationFinished, Version: "3"})
	p.Close()
	if !strings.Contains(buf.String(), "1000/1000") {
		t.Errorf("bar output %q", buf.String())
	}
}

func TestALowEstimateDoesNotEndTheBarEarly(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := observe.NewProgress(observe.ProgressOptions{Writer: &buf, TTY: true})
	now := time.Now()
	for i, rows := range []int64{3000, 4000, 5000, 6000} {
		p.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Table: "t", Rows: rows, RowsTotal: 4000, Time: now.Add(time.Duration(i) * time.Second)})
	}
	p.Handle(migrate.Event{Kind: migrate.EventMigrationFinished, Version: "3"})
	p.Close()
	if out := buf.String(); !strings.Contains(out, "6000/6000") || strings.Contains(out, "4000/4000") {
		t.Errorf("bar output %q", out)
	}
}
