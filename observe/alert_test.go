package observe_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

// recorder is a Notifier that keeps what it gets.
type recorder struct {
	mu     sync.Mutex
	alerts []observe.Alert
}

func (r *recorder) Notify(_ context.Context, a observe.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
	return nil
}

func (r *recorder) rules() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.alerts {
		out = append(out, a.Rule)
	}
	return out
}

// quiet turns every rule off but the ones a test sets.
func quiet() observe.AlertConfig {
	return observe.AlertConfig{ThroughputDrop: -1, ErrorRate: -1, Memory: -1, LockWait: -1, Tick: time.Hour}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAStalledBackfillRaisesTheThroughputAlert(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	cfg := quiet()
	cfg.ThroughputDrop = 0 // default: half
	a := observe.NewAlerter(observe.AlerterOptions{Config: cfg, Notifiers: []observe.Notifier{rec}})
	defer a.Close()
	t0 := time.Now()
	rows := int64(0)
	tick := 5 * time.Second
	now := t0
	// Two minutes at 10,000 rows/s, a batch a second.
	for range 24 {
		for range 5 {
			now = now.Add(time.Second)
			rows += 10000
			a.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Name: "fill", Table: "big", Rows: rows, RowsTotal: 5_000_000, Time: now})
		}
		a.Tick(now)
	}
	if r := rec.rules(); len(r) != 0 {
		t.Fatalf("steady throughput raised %v", r)
	}
	// Then an open transaction blocks it: no batch comes back.
	stall := now
	for now.Sub(stall) < 90*time.Second {
		now = now.Add(tick)
		a.Tick(now)
	}
	waitFor(t, "the throughput alert", func() bool { return len(rec.rules()) > 0 })
	al := rec.alerts[0]
	if al.Rule != observe.RuleThroughput || al.Table != "big" || al.Migration != "3_fill" {
		t.Errorf("alert = %+v", al)
	}
	if after := al.Time.Sub(stall); after > 75*time.Second {
		t.Errorf("alert came %s after the stall began, want at most 75s", after)
	}
	if len(rec.rules()) != 1 {
		t.Errorf("raised %v, want one alert for one stall", rec.rules())
	}
}

func TestAThroughputDipShorterThanAMinuteIsNotAnAlert(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	cfg := quiet()
	cfg.ThroughputDrop = 0.5
	a := observe.NewAlerter(observe.AlerterOptions{Config: cfg, Notifiers: []observe.Notifier{rec}})
	defer a.Close()
	now, rows := time.Now(), int64(0)
	step := func(rate int64) {
		now = now.Add(5 * time.Second)
		rows += rate * 5
		a.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "3", Name: "fill", Table: "big", Rows: rows, Time: now})
		a.Tick(now)
	}
	for range 20 {
		step(1000)
	}
	for range 8 { // 40 s slow
		step(100)
	}
	for range 20 {
		step(1000)
	}
	a.Close()
	if r := rec.rules(); len(r) != 0 {
		t.Errorf("a 40 s dip raised %v", r)
	}
}

func TestErrorRateOverOnePercentOfBatches(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	cfg := quiet()
	cfg.ErrorRate = 0.01
	a := observe.NewAlerter(observe.AlerterOptions{Config: cfg, Notifiers: []observe.Notifier{rec}})
	now := time.Now()
	for i := range 200 {
		now = now.Add(100 * time.Millisecond)
		a.Handle(migrate.Event{Kind: migrate.EventBatchDone, Version: "1", Table: "t", Rows: int64(i * 100), Time: now})
	}
	a.Handle(migrate.Event{Kind: migrate.EventRetry, Version: "1", Table: "t", Time: now})
	if r := rec.rules(); len(r) != 0 {
		t.Fatalf("1 retry in 201 batches (0.5%%) raised %v", r)
	}
	for range 3 {
		a.Handle(migrate.Event{Kind: migrate.EventRetry, Version: "1", Table: "t", Time: now})
	}
	a.Close()
	if r := rec.rules(); len(r) != 1 || r[0] != observe.RuleErrorRate {
		t.Errorf("4 retries in 204 batches raised %v, want one error_rate alert", r)
	}
}

func TestLongLockWait(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	cfg := quiet()
	cfg.LockWait = 10 * time.Second
	a := observe.NewAlerter(observe.AlerterOptions{Config: cfg, Notifiers: []observe.Notifier{rec}})
	now := time.Now()
	a.Handle(migrate.Event{Kind: migrate.EventLockWaiting, Duration: 5 * time.Second, Time: now, Message: "held by pid 42"})
	a.Tick(now.Add(4 * time.Second))
	if r := rec.rules(); len(r) != 0 {
		t.Fatalf("9 s wait raised %v", r)
	}
	a.Tick(now.Add(6 * time.Second))
	a.Handle(migrate.Event{Kind: migrate.EventLockWaiting, Duration: 15 * time.Second, Time: now.Add(10 * time.Second)})
	a.Handle(migrate.Event{Kind: migrate.EventLockAcquired, Duration: 16 * time.Second, Time: now.Add(11 * time.Second)})
	a.Close()
	if r := rec.rules(); len(r) != 1 || r[0] != observe.RuleLockWait {
		t.Errorf("rules = %v, want one lock_wait alert", r)
	}
}

func TestMemoryOverEightyPercentOfTheLimit(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	cfg := quiet()
	cfg.Memory, cfg.MemoryLimit = 0.8, 1000
	var used atomic.Int64
	used.Store(700)
	a := observe.NewAlerter(observe.AlerterOptions{Config: cfg, Notifiers: []observe.Notifier{rec}, MemoryUsage: used.Load})
	a.Tick(time.Now())
	used.Store(850)
	a.Tick(time.Now())
	a.Tick(time.Now())
	a.Close()
	if r := rec.rules(); len(r) != 1 || r[0] != observe.RuleMemory {
		t.Errorf("rules = %v, want one memory alert", r)
	}
}

func TestWebhookRetriesAndSpeaksSlack(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		body.Store(string(b))
	}))
	defer srv.Close()
	w := observe.NewWebhook(observe.WebhookConfig{URL: srv.URL, Format: "slack", Backoff: time.Millisecond})
	err := w.Notify(context.Background(), observe.Alert{Rule: observe.RuleThroughput, Severity: "warning", Summary: "backfill of big is slow", Target: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d attempts, want 3", calls.Load())
	}
	var msg map[string]string
	if err := json.Unmarshal([]byte(body.Load().(string)), &msg); err != nil || !strings.Contains(msg["text"], "backfill of big is slow") {
		t.Errorf("slack payload %q (%v)", body.Load(), err)
	}
}

func TestWebhookGivesUpOnAClientError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer srv.Close()
	w := observe.NewWebhook(observe.WebhookConfig{URL: srv.URL, Backoff: time.Millisecond})
	err := w.Notify(context.Background(), observe.Alert{Rule: "x"})
	if err == nil || calls.Load() != 1 {
		t.Errorf("err = %v after %d calls, want an error after 1", err, calls.Load())
	}
}

func TestAlertsReachAWebhookAsJSON(t *testing.T) {
	t.Parallel()
	got := make(chan observe.Alert, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a observe.Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Error(err)
		}
		got <- a
	}))
	defer srv.Close()
	cfg := quiet()
	cfg.LockWait = time.Second
	cfg.Webhook = observe.WebhookConfig{URL: srv.URL}
	a := observe.NewAlerter(observe.AlerterOptions{Config: cfg, Target: "app"})
	defer a.Close()
	a.Handle(migrate.Event{Kind: migrate.EventLockAcquired, Duration: 3 * time.Second, Time: time.Now()})
	select {
	case al := <-got:
		if al.Rule != observe.RuleLockWait || al.Target != "app" || al.Value != 3 {
			t.Errorf("alert = %+v", al)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no POST")
	}
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	c, err := observe.ParseConfig([]byte(`
database: sqlite:x.db
observe:
  metrics_addr: 127.0.0.1:9466
  alerts:
    throughput_for: 30s
    error_rate: 0.05
    lock_wait: 1m
    webhook: {url: "http://127.0.0.1:9999/hook", format: slack, retries: 5}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9466" || c.Alerts.ThroughputFor != 30*time.Second || c.Alerts.ErrorRate != 0.05 ||
		c.Alerts.LockWait != time.Minute || c.Alerts.Webhook.Format != "slack" || c.Alerts.Webhook.Retries != 5 {
		t.Errorf("config = %+v", c)
	}
	if c, err := observe.ParseConfig([]byte("database: x\n")); err != nil || c.MetricsAddr != "" {
		t.Errorf("no section: %+v, %v", c, err)
	}
	for _, bad := range []string{"observe: {alerts: {lock_wiat: 1s}}", "observe: {alerts: {webhook: {format: teams}}}"} {
		if _, err := observe.ParseConfig([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
