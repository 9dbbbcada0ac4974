package observe

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"
	"github.com/prometheus/common/expfmt"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// Metric names strata exports. Dashboards and alert rules may rely on them.
const (
	MetricMigrationDuration = "strata_migration_duration_seconds"
	MetricRowsMigrated      = "strata_rows_migrated_total"
	MetricMigrationErrors   = "strata_migration_errors_total"
	MetricActiveMigrations  = "strata_active_migrations"
	MetricLockWait          = "strata_lock_wait_seconds"
	MetricBackfillRate      = "strata_backfill_rows_per_second"
	MetricReplicationLag    = "strata_replication_lag_seconds"
	MetricBackfillRows      = "strata_backfill_rows"
	MetricBackfillEstimated = "strata_backfill_rows_estimated"
	MetricSchemaVersion     = "strata_schema_version"
	MetricEventsDropped     = "strata_observe_events_dropped_total"
	MetricAlerts            = "strata_alerts_total"
	MetricCheckResults      = "strata_check_results_total"
)

// MetricNames lists every metric strata exports (histograms also as
// their _bucket, _sum and _count series).
var MetricNames = []string{
	MetricMigrationDuration, MetricRowsMigrated, MetricMigrationErrors, MetricActiveMigrations,
	MetricLockWait, MetricBackfillRate, MetricReplicationLag, MetricBackfillRows,
	MetricBackfillEstimated, MetricSchemaVersion, MetricEventsDropped, MetricAlerts, MetricCheckResults,
}

// MetricsOptions configure [NewMetrics].
type MetricsOptions struct {
	// Target labels the migration durations and lock waits: a name for
	// the database (never a URL with a password).
	Target string
	// Registry receives the metrics; a new one when nil.
	Registry *prometheus.Registry
}

// Metrics is a [Sink] that keeps the Prometheus metrics of the runs it
// sees. It is safe for concurrent use.
type Metrics struct {
	target   string
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
	rows     *prometheus.CounterVec
	errs     *prometheus.CounterVec
	active   prometheus.Gauge
	lockWait *prometheus.HistogramVec
	rate     *prometheus.GaugeVec
	lag      *prometheus.GaugeVec
	done     *prometheus.GaugeVec
	total    *prometheus.GaugeVec
	alerts   *prometheus.CounterVec
	checks   *prometheus.CounterVec

	mu     sync.Mutex
	passes map[passKey]*pass
}

type passKey struct{ migration, table string }

type pass struct {
	rows int64
	last time.Time
	rate float64
}

var _ Sink = (*Metrics)(nil)

// NewMetrics registers strata's metrics and returns the sink that updates
// them.
func NewMetrics(o MetricsOptions) *Metrics {
	reg := o.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		target: o.Target,
		reg:    reg,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricMigrationDuration,
			Help:    "Time a migration took, by migration (VERSION_name) and target.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 11),
		}, []string{"migration", "target"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRowsMigrated,
			Help: "Rows written by backfills and copies, by migration and table.",
		}, []string{"migration", "table"}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricMigrationErrors,
			Help: "Errors by migration and kind (statement, lock_lost, lock_timeout, canceled, check, retry, other).",
		}, []string{"migration", "kind"}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: MetricActiveMigrations,
			Help: "Migrations running now.",
		}),
		lockWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricLockWait,
			Help:    "Time spent waiting for the runner lock, by target.",
			Buckets: []float64{0.001, 0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900},
		}, []string{"target"}),
		rate: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricBackfillRate,
			Help: "Current throughput of a backfill or copy, by migration and table.",
		}, []string{"migration", "table"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricReplicationLag,
			Help: "Replication lag of a change stream, by stream.",
		}, []string{"stream"}),
		done: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricBackfillRows,
			Help: "Rows a backfill or copy has written so far, by migration and table.",
		}, []string{"migration", "table"}),
		total: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricBackfillEstimated,
			Help: "Estimated rows a backfill or copy will write, by migration and table.",
		}, []string{"migration", "table"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricAlerts,
			Help: "Anomaly alerts raised, by rule.",
		}, []string{"rule"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricCheckResults,
			Help: "Results of migrations' pre- and post-checks, by migration, severity (error, warn) and outcome (pass, fail, error: could not run).",
		}, []string{"migration", "severity", "outcome"}),
		passes: map[passKey]*pass{},
	}
	reg.MustRegister(m.duration, m.rows, m.errs, m.active, m.lockWait, m.rate, m.lag, m.done, m.total, m.alerts, m.checks)
	return m
}

// Registry returns the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Push sends the metrics to a Prometheus Pushgateway at url under job, for
// runs too short to be scraped.
func (m *Metrics) Push(ctx context.Context, url, job string) error {
	// The text format, which every Pushgateway reads and people can too.
	p := push.New(url, job).Gatherer(m.reg).Format(expfmt.NewFormat(expfmt.TypeTextPlain))
	if m.target != "" {
		p = p.Grouping("instance", m.target)
	}
	return p.PushContext(ctx)
}

// WatchBus exports the events bus drops, per sink.
func (m *Metrics) WatchBus(b *Bus) {
	m.reg.MustRegister(&dropCollector{bus: b, desc: prometheus.NewDesc(MetricEventsDropped,
		"Events a slow or failing sink lost, by sink.", []string{"sink"}, nil)})
}

// SetReplicationLag records the lag of a change stream.
func (m *Metrics) SetReplicationLag(stream string, lag time.Duration) {
	m.lag.WithLabelValues(stream).Set(lag.Seconds())
}

// CountAlert counts an alert raised by rule.
func (m *Metrics) CountAlert(rule string) { m.alerts.WithLabelValues(rule).Inc() }

// Handle implements [Sink].
func (m *Metrics) Handle(e migrate.Event) {
	mig := Label(e)
	switch e.Kind {
	case migrate.EventMigrationStarted:
		m.active.Inc()
	case migrate.EventMigrationFinished:
		m.active.Dec()
		m.duration.WithLabelValues(mig, m.target).Observe(e.Duration.Seconds())
		m.endPasses(mig)
	case migrate.EventMigrationFailed:
		m.active.Dec()
		m.duration.WithLabelValues(mig, m.target).Observe(e.Duration.Seconds())
		m.errs.WithLabelValues(mig, ErrorKind(e.Err)).Inc()
		m.endPasses(mig)
	case migrate.EventLockAcquired:
		m.lockWait.WithLabelValues(m.target).Observe(e.Duration.Seconds())
	case migrate.EventLockLost:
		m.errs.WithLabelValues(mig, "lock_lost").Inc()
	case migrate.EventRetry:
		m.errs.WithLabelValues(mig, "retry").Inc()
	case migrate.EventCheckResult:
		if e.Err != nil {
			m.errs.WithLabelValues(mig, "check").Inc()
		}
		if c := e.Check; c != nil {
			m.checks.WithLabelValues(mig, c.Severity, c.Outcome).Inc()
		}
	case migrate.EventReplicationLag:
		m.SetReplicationLag(e.Stream, e.Lag)
	case migrate.EventBatchDone:
		m.batch(mig, e)
	}
}

// batch updates the row counters from a batch event. The runner reports
// the rows a pass has written so far, so the counter grows by the
// difference; a count lower than the last one starts a new pass.
func (m *Metrics) batch(mig string, e migrate.Event) {
	k := passKey{mig, e.Table}
	m.mu.Lock()
	p := m.passes[k]
	if p == nil {
		p = &pass{last: e.Time.Add(-e.Duration)}
		m.passes[k] = p
	}
	delta := e.Rows - p.rows
	if delta < 0 {
		delta = e.Rows
	}
	p.rows = e.Rows
	if wall := e.Time.Sub(p.last); wall > 0 {
		r := float64(delta) / wall.Seconds()
		if p.rate == 0 {
			p.rate = r
		} else {
			p.rate = 0.7*p.rate + 0.3*r
		}
	}
	p.last = e.Time
	rate := p.rate
	m.mu.Unlock()
	m.rows.WithLabelValues(mig, e.Table).Add(float64(delta))
	m.rate.WithLabelValues(mig, e.Table).Set(rate)
	m.done.WithLabelValues(mig, e.Table).Set(float64(e.Rows))
	if e.RowsTotal > 0 {
		m.total.WithLabelValues(mig, e.Table).Set(float64(max(e.RowsTotal, e.Rows)))
	}
}

func (m *Metrics) endPasses(mig string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.passes {
		if k.migration == mig {
			m.rate.WithLabelValues(k.migration, k.table).Set(0)
			delete(m.passes, k)
		}
	}
}

// Label names a migration in metrics and logs: VERSION_name, or the
// version alone for a repeatable migration (R__name) or an event that
// names none.
func Label(e migrate.Event) string {
	v := string(e.Version)
	if v == "" || strings.HasPrefix(v, "R__") || e.Name == "" {
		return v
	}
	return v + "_" + e.Name
}

// ErrorKind classifies a migration error for metrics and alerts.
func ErrorKind(err error) string {
	var se *migrate.StatementError
	switch {
	case err == nil:
		return "none"
	case errors.Is(err, dialect.ErrLockLost):
		return "lock_lost"
	case errors.Is(err, dialect.ErrLockTimeout):
		return "lock_timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case errors.As(err, &se):
		return "statement"
	}
	return "other"
}

type dropCollector struct {
	bus  *Bus
	desc *prometheus.Desc
}

func (c *dropCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *dropCollector) Collect(ch chan<- prometheus.Metric) {
	for name, n := range c.bus.Dropped() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n), name)
	}
}
