package observe

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-db/strata/migrate"
)

// Alert rules.
const (
	RuleThroughput = "throughput"
	RuleErrorRate  = "error_rate"
	RuleMemory     = "memory"
	RuleLockWait   = "lock_wait"
)

// Alert is one anomaly, as logged and as posted to a webhook.
type Alert struct {
	Rule      string    `json:"rule"`
	Severity  string    `json:"severity"`
	Summary   string    `json:"summary"`
	Target    string    `json:"target,omitempty"`
	Migration string    `json:"migration,omitempty"`
	Table     string    `json:"table,omitempty"`
	Value     float64   `json:"value"`
	Threshold float64   `json:"threshold"`
	Time      time.Time `json:"time"`
}

// AlertConfig holds the thresholds of the anomaly rules. Zero fields take
// the defaults; a negative threshold turns its rule off.
type AlertConfig struct {
	// ThroughputDrop: alert when a backfill's rows/s stays below this
	// fraction of its own moving average (default 0.5) ...
	ThroughputDrop float64 `yaml:"throughput_drop" json:"throughput_drop"`
	// ... for this long (default 1m).
	ThroughputFor time.Duration `yaml:"throughput_for" json:"throughput_for"`
	// ThroughputAverage is the span of the moving average (default 5m).
	ThroughputAverage time.Duration `yaml:"throughput_average" json:"throughput_average"`
	// ErrorRate: alert when more than this fraction of batches fail or are
	// retried (default 0.01), judged over the last ErrorWindow (default
	// 5m) once at least ErrorMinBatches (default 50) ran.
	ErrorRate       float64       `yaml:"error_rate" json:"error_rate"`
	ErrorWindow     time.Duration `yaml:"error_window" json:"error_window"`
	ErrorMinBatches int           `yaml:"error_min_batches" json:"error_min_batches"`
	// Memory: alert when the process uses more than this fraction of its
	// memory limit (default 0.8). MemoryLimit is that limit in bytes; when
	// zero it is GOMEMLIMIT, else the cgroup's memory.max, else the rule is
	// off.
	Memory      float64 `yaml:"memory" json:"memory"`
	MemoryLimit int64   `yaml:"memory_limit" json:"memory_limit"`
	// LockWait: alert when the runner waits longer than this for its lock
	// (default 30s).
	LockWait time.Duration `yaml:"lock_wait" json:"lock_wait"`
	// Tick is how often the time-based rules are judged (default 5s).
	Tick time.Duration `yaml:"tick" json:"tick"`
	// Webhook receives every alert when its URL is set.
	Webhook WebhookConfig `yaml:"webhook" json:"webhook"`
}

func (c AlertConfig) withDefaults() AlertConfig {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ThroughputDrop, 0.5)
	def(&c.ErrorRate, 0.01)
	def(&c.Memory, 0.8)
	defD(&c.ThroughputFor, time.Minute)
	defD(&c.ThroughputAverage, 5*time.Minute)
	defD(&c.ErrorWindow, 5*time.Minute)
	defD(&c.LockWait, 30*time.Second)
	defD(&c.Tick, 5*time.Second)
	if c.ErrorMinBatches == 0 {
		c.ErrorMinBatches = 50
	}
	return c
}

// Notifier delivers alerts.
type Notifier interface {
	Notify(ctx context.Context, a Alert) error
}

// AlerterOptions configure [NewAlerter].
type AlerterOptions struct {
	Config AlertConfig
	// Target names the database in alerts.
	Target string
	// Logger receives every alert (at Warn) and delivery failures.
	Logger *slog.Logger
	// Notifiers receive every alert, each on its own goroutine; a
	// [Webhook] is added when Config.Webhook.URL is set.
	Notifiers []Notifier
	// Metrics, when set, counts alerts.
	Metrics *Metrics
	// MemoryUsage reports the process's memory use in bytes (default: the
	// resident set size).
	MemoryUsage func() int64
}

// Alerter is a [Sink] that watches the runner's events for anomalies: a
// backfill slower than half its own moving average for a minute, more than
// 1% of batches failing, memory above 80% of the limit, a long lock wait.
// Its time-based rules run on a ticker, so a backfill that stops reporting
// (blocked by another transaction) still raises an alert. Close stops it.
type Alerter struct {
	o      AlerterOptions
	c      AlertConfig
	queue  chan Alert
	stop   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once

	mu       sync.Mutex
	passes   map[passKey]*ratePass
	outcomes []outcome // per second, oldest first
	total    int       // batches in outcomes
	failed   int       // of which failed or retried
	errFired bool
	memFired bool
	lockWait lockWaitState
}

type ratePass struct {
	rows      int64 // latest cumulative rows
	sampled   int64 // rows at the last tick
	lastTick  time.Time
	samples   []rateSample
	lowSince  time.Time
	fired     bool
	startedAt time.Time
}

type rateSample struct {
	at   time.Time
	rate float64
}

type outcome struct {
	sec           int64
	total, failed int
}

type lockWaitState struct {
	since time.Time
	fired bool
}

var _ Sink = (*Alerter)(nil)

// NewAlerter starts an alerter.
func NewAlerter(o AlerterOptions) *Alerter {
	a := &Alerter{o: o, c: o.Config.withDefaults(), queue: make(chan Alert, 64), stop: make(chan struct{}), passes: map[passKey]*ratePass{}}
	if a.o.Logger == nil {
		a.o.Logger = slog.New(slog.DiscardHandler)
	}
	if a.o.MemoryUsage == nil {
		a.o.MemoryUsage = residentBytes
	}
	if a.c.Webhook.URL != "" {
		a.o.Notifiers = append(a.o.Notifiers, NewWebhook(a.c.Webhook))
	}
	a.wg.Add(2)
	go a.tickLoop()
	go a.deliverLoop()
	return a
}

// Close stops the ticker and waits for queued alerts to be delivered (each
// webhook bounded by its retries).
func (a *Alerter) Close() {
	a.closed.Do(func() {
		close(a.stop)
		a.wg.Wait()
	})
}

// Handle implements [Sink].
func (a *Alerter) Handle(e migrate.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := e.Time
	switch e.Kind {
	case migrate.EventBatchDone:
		k := passKey{Label(e), e.Table}
		p := a.passes[k]
		if p == nil {
			p = &ratePass{lastTick: now.Add(-e.Duration), startedAt: now.Add(-e.Duration)}
			a.passes[k] = p
		}
		if e.Rows < p.rows {
			p.sampled = 0
		}
		p.rows = e.Rows
		a.outcome(now, false)
	case migrate.EventRetry:
		a.outcome(now, true)
	case migrate.EventMigrationFailed:
		a.outcome(now, true)
		a.endPasses(Label(e))
	case migrate.EventMigrationFinished:
		a.endPasses(Label(e))
	case migrate.EventLockWaiting:
		if a.lockWait.since.IsZero() {
			a.lockWait.since = now.Add(-e.Duration)
		}
		a.checkLockWait(now, e.Duration, e.Message)
	case migrate.EventLockAcquired:
		a.checkLockWait(now, e.Duration, "")
		a.lockWait = lockWaitState{}
	}
}

func (a *Alerter) endPasses(mig string) {
	for k := range a.passes {
		if k.migration == mig {
			delete(a.passes, k)
		}
	}
}

func (a *Alerter) outcome(now time.Time, failed bool) {
	// Outcomes are counted per second, so the window costs at most one
	// bucket per second of it whatever the batch rate.
	sec := now.Unix()
	if n := len(a.outcomes); n == 0 || a.outcomes[n-1].sec != sec {
		a.outcomes = append(a.outcomes, outcome{sec: sec})
	}
	b := &a.outcomes[len(a.outcomes)-1]
	b.total++
	a.total++
	if failed {
		b.failed++
		a.failed++
	}
	cut := 0
	for cut < len(a.outcomes) && time.Duration(sec-a.outcomes[cut].sec)*time.Second > a.c.ErrorWindow {
		a.total -= a.outcomes[cut].total
		a.failed -= a.outcomes[cut].failed
		cut++
	}
	if cut > 0 {
		a.outcomes = append(a.outcomes[:0], a.outcomes[cut:]...)
	}
	if a.c.ErrorRate < 0 || a.total < a.c.ErrorMinBatches {
		return
	}
	rate := float64(a.failed) / float64(a.total)
	switch {
	case rate > a.c.ErrorRate && !a.errFired:
		a.errFired = true
		a.raise(Alert{Rule: RuleErrorRate, Severity: "critical", Value: rate, Threshold: a.c.ErrorRate, Time: now,
			Summary: fmt.Sprintf("%.1f%% of the last %d batches failed or were retried (threshold %.1f%%)", 100*rate, a.total, 100*a.c.ErrorRate)})
	case rate <= a.c.ErrorRate:
		a.errFired = false
	}
}

func (a *Alerter) checkLockWait(now time.Time, waited time.Duration, holder string) {
	if a.c.LockWait < 0 || a.lockWait.fired || waited <= a.c.LockWait {
		return
	}
	a.lockWait.fired = true
	s := fmt.Sprintf("waited %s for the runner lock (threshold %s)", waited.Round(time.Second), a.c.LockWait)
	if holder != "" {
		s += ": " + holder
	}
	a.raise(Alert{Rule: RuleLockWait, Severity: "warning", Value: waited.Seconds(), Threshold: a.c.LockWait.Seconds(), Time: now, Summary: s})
}

func (a *Alerter) tickLoop() {
	defer a.wg.Done()
	t := time.NewTicker(a.c.Tick)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case now := <-t.C:
			a.Tick(now)
		}
	}
}

// Tick judges the time-based rules at now. The alerter calls it every
// Config.Tick; tests may call it directly.
func (a *Alerter) Tick(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, p := range a.passes {
		a.judgeThroughput(now, k, p)
	}
	if !a.lockWait.since.IsZero() {
		a.checkLockWait(now, now.Sub(a.lockWait.since), "")
	}
	a.judgeMemory(now)
}

func (a *Alerter) judgeThroughput(now time.Time, k passKey, p *ratePass) {
	span := now.Sub(p.lastTick)
	if span <= 0 {
		return
	}
	cur := float64(p.rows-p.sampled) / span.Seconds()
	p.sampled, p.lastTick = p.rows, now
	// The moving average is of the samples before this one.
	var sum float64
	n := 0
	for _, s := range p.samples {
		if now.Sub(s.at) <= a.c.ThroughputAverage {
			sum += s.rate
			n++
		}
	}
	p.samples = append(p.samples, rateSample{at: now, rate: cur})
	for len(p.samples) > 0 && now.Sub(p.samples[0].at) > a.c.ThroughputAverage {
		p.samples = p.samples[1:]
	}
	if a.c.ThroughputDrop < 0 || n < 3 {
		return
	}
	avg := sum / float64(n)
	if avg <= 0 || cur >= a.c.ThroughputDrop*avg {
		p.lowSince, p.fired = time.Time{}, false
		return
	}
	if p.lowSince.IsZero() {
		p.lowSince = now.Add(-span)
	}
	if !p.fired && now.Sub(p.lowSince) >= a.c.ThroughputFor {
		p.fired = true
		a.raise(Alert{Rule: RuleThroughput, Severity: "warning", Migration: k.migration, Table: k.table, Value: cur, Threshold: a.c.ThroughputDrop * avg, Time: now,
			Summary: fmt.Sprintf("backfill of %s (%s) runs at %.0f rows/s, below %.0f%% of its moving average %.0f rows/s for %s: is something blocking it?",
				k.table, k.migration, cur, 100*a.c.ThroughputDrop, avg, now.Sub(p.lowSince).Round(time.Second))})
	}
}

func (a *Alerter) judgeMemory(now time.Time) {
	if a.c.Memory < 0 {
		return
	}
	limit := a.c.MemoryLimit
	if limit <= 0 {
		limit = memoryLimit()
	}
	if limit <= 0 {
		return
	}
	used := a.o.MemoryUsage()
	frac := float64(used) / float64(limit)
	switch {
	case frac > a.c.Memory && !a.memFired:
		a.memFired = true
		a.raise(Alert{Rule: RuleMemory, Severity: "critical", Value: frac, Threshold: a.c.Memory, Time: now,
			Summary: fmt.Sprintf("strata uses %d MiB, %.0f%% of its %d MiB limit (threshold %.0f%%)", used>>20, 100*frac, limit>>20, 100*a.c.Memory)})
	case frac <= a.c.Memory:
		a.memFired = false
	}
}

// raise is called with a.mu held; delivery happens on another goroutine.
func (a *Alerter) raise(al Alert) {
	al.Target = a.o.Target
	a.o.Logger.LogAttrs(context.Background(), slog.LevelWarn, "alert: "+al.Summary,
		slog.String("rule", al.Rule), slog.String("severity", al.Severity), slog.String("migration", al.Migration), slog.String("table", al.Table))
	if a.o.Metrics != nil {
		a.o.Metrics.CountAlert(al.Rule)
	}
	select {
	case a.queue <- al:
	default:
		a.o.Logger.Warn("alert not delivered: delivery queue full", "rule", al.Rule)
	}
}

func (a *Alerter) deliverLoop() {
	defer a.wg.Done()
	for {
		select {
		case al := <-a.queue:
			a.deliver(al)
		case <-a.stop:
			for {
				select {
				case al := <-a.queue:
					a.deliver(al)
				default:
					return
				}
			}
		}
	}
}

func (a *Alerter) deliver(al Alert) {
	for _, n := range a.o.Notifiers {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := n.Notify(ctx, al); err != nil {
			a.o.Logger.Error("alert not delivered", "rule", al.Rule, "error", err)
		}
		cancel()
	}
}

// memoryLimit is GOMEMLIMIT when set, else the cgroup v2 memory.max, else 0.
func memoryLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l > 0 && l < 1<<62 {
		return l
	}
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// residentBytes is the process's resident set size (Linux), or the memory
// the Go runtime holds from the OS elsewhere.
func residentBytes() int64 {
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			if pages, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return pages * int64(os.Getpagesize())
			}
		}
	}
	return int64(goHeldBytes())
}
