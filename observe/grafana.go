package observe

import "encoding/json"

// GrafanaDashboard returns a Grafana dashboard (JSON model, schema 39) over
// strata's metrics: migrations running, backfill progress, rows/s, errors,
// replication lag, lock waits, durations and alerts. Its data source is the
// ${DS_PROMETHEUS} input Grafana asks for on import.
func GrafanaDashboard() ([]byte, error) {
	type target struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat,omitempty"`
		RefID        string `json:"refId"`
		Datasource   any    `json:"datasource"`
	}
	type panel struct {
		ID          int            `json:"id"`
		Type        string         `json:"type"`
		Title       string         `json:"title"`
		Description string         `json:"description,omitempty"`
		GridPos     map[string]int `json:"gridPos"`
		Datasource  any            `json:"datasource"`
		Targets     []target       `json:"targets"`
		FieldConfig map[string]any `json:"fieldConfig"`
		Options     map[string]any `json:"options,omitempty"`
	}
	ds := map[string]string{"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
	var panels []panel
	add := func(typ, title, desc, unit string, w, h int, exprs ...[2]string) {
		x, y := 0, 0
		if n := len(panels); n > 0 {
			last := panels[n-1].GridPos
			x, y = last["x"]+last["w"], last["y"]
			if x+w > 24 {
				x, y = 0, y+last["h"]
			}
		}
		p := panel{ID: len(panels) + 1, Type: typ, Title: title, Description: desc, Datasource: ds,
			GridPos:     map[string]int{"x": x, "y": y, "w": w, "h": h},
			FieldConfig: map[string]any{"defaults": map[string]any{"unit": unit}, "overrides": []any{}}}
		for i, e := range exprs {
			p.Targets = append(p.Targets, target{Expr: e[0], LegendFormat: e[1], RefID: string(rune('A' + i)), Datasource: ds})
		}
		panels = append(panels, p)
	}
	add("stat", "Migrations running", "strata_active_migrations: migrations under way now.", "none", 4, 6,
		[2]string{MetricActiveMigrations, "running"})
	add("stat", "Schema version", "Highest applied version per target (from strata serve).", "none", 4, 6,
		[2]string{MetricSchemaVersion, "{{target}}"})
	add("bargauge", "Backfill progress", "Rows written of the estimated total, per migration and table.", "percentunit", 16, 6,
		[2]string{MetricBackfillRows + " / " + MetricBackfillEstimated, "{{migration}} {{table}}"})
	add("timeseries", "Rows per second", "Current backfill and copy throughput.", "rowsps", 12, 8,
		[2]string{MetricBackfillRate, "{{migration}} {{table}}"},
		[2]string{"sum by (migration, table) (rate(" + MetricRowsMigrated + "[1m]))", "{{migration}} {{table}} (from the counter)"})
	add("timeseries", "Errors", "Migration errors and retries per kind over 5 minutes.", "none", 12, 8,
		[2]string{"sum by (migration, kind) (increase(" + MetricMigrationErrors + "[5m]))", "{{migration}} {{kind}}"})
	add("timeseries", "Replication lag", "Lag of change streams.", "s", 12, 8,
		[2]string{MetricReplicationLag, "{{stream}}"})
	add("timeseries", "Lock waits (p95)", "Time runners waited for the migration lock.", "s", 12, 8,
		[2]string{"histogram_quantile(0.95, sum by (le, target) (rate(" + MetricLockWait + "_bucket[5m])))", "{{target}}"})
	add("timeseries", "Migration duration (p95)", "How long migrations took.", "s", 12, 8,
		[2]string{"histogram_quantile(0.95, sum by (le, migration) (rate(" + MetricMigrationDuration + "_bucket[15m])))", "{{migration}}"})
	add("timeseries", "Alerts and dropped events", "Anomaly alerts raised, and events a slow sink lost.", "none", 12, 8,
		[2]string{"sum by (rule) (increase(" + MetricAlerts + "[15m]))", "alert {{rule}}"},
		[2]string{"sum by (sink) (increase(" + MetricEventsDropped + "[15m]))", "dropped {{sink}}"})
	dash := map[string]any{
		"__inputs":      []any{map[string]any{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}},
		"title":         "strata migrations",
		"uid":           "strata-migrations",
		"tags":          []string{"strata", "migrations"},
		"schemaVersion": 39,
		"version":       1,
		"editable":      true,
		"refresh":       "5s",
		"time":          map[string]string{"from": "now-1h", "to": "now"},
		"timezone":      "",
		"templating":    map[string]any{"list": []any{}},
		"annotations":   map[string]any{"list": []any{}},
		"panels":        panels,
	}
	return json.MarshalIndent(dash, "", "  ")
}
