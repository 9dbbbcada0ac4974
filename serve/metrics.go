package serve

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

// collector exports the last poll in the metric names of package observe,
// so dashboards work the same on `strata serve` and on --metrics-addr.
type collector struct{ s *Server }

var (
	descActive    = prometheus.NewDesc(observe.MetricActiveMigrations, "Migrations running now.", nil, nil)
	descVersion   = prometheus.NewDesc(observe.MetricSchemaVersion, "Highest applied migration version (as a number), by target.", []string{"target"}, nil)
	descRows      = prometheus.NewDesc(observe.MetricRowsMigrated, "Rows written by backfills, by migration and table.", []string{"migration", "table"}, nil)
	descDone      = prometheus.NewDesc(observe.MetricBackfillRows, "Rows a backfill has written so far, by migration and table.", []string{"migration", "table"}, nil)
	descEstimated = prometheus.NewDesc(observe.MetricBackfillEstimated, "Estimated rows a backfill will write, by migration and table.", []string{"migration", "table"}, nil)
	descRate      = prometheus.NewDesc(observe.MetricBackfillRate, "Current throughput of a backfill, by migration and table.", []string{"migration", "table"}, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descActive, descVersion, descRows, descDone, descEstimated, descRate} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Status()
	active := 0
	seen := map[[2]string]bool{}
	for _, t := range st.Targets {
		if v, err := strconv.ParseFloat(t.Version, 64); err == nil {
			ch <- prometheus.MustNewConstMetric(descVersion, prometheus.GaugeValue, v, t.Name)
		}
		for _, m := range t.Active {
			if m.State == string(migrate.StateRunning) {
				active++
			}
			mig := m.Version + "_" + m.Name
			for _, b := range m.Backfills {
				if seen[[2]string{mig, b.Table}] {
					continue // one series per migration and table
				}
				seen[[2]string{mig, b.Table}] = true
				ch <- prometheus.MustNewConstMetric(descRows, prometheus.CounterValue, float64(b.Rows), mig, b.Table)
				ch <- prometheus.MustNewConstMetric(descDone, prometheus.GaugeValue, float64(b.Rows), mig, b.Table)
				ch <- prometheus.MustNewConstMetric(descEstimated, prometheus.GaugeValue, float64(b.Total), mig, b.Table)
				ch <- prometheus.MustNewConstMetric(descRate, prometheus.GaugeValue, b.RowsPerSecond, mig, b.Table)
			}
		}
	}
	ch <- prometheus.MustNewConstMetric(descActive, prometheus.GaugeValue, float64(active))
}

// Collector returns the collector behind the server's /metrics, for
// applications that serve their own registry.
func Collector(s *Server) prometheus.Collector { return &collector{s: s} }
