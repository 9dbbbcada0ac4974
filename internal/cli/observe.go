package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/observe"
)

// longCommands are the commands that run migrations or move data: they get
// progress, alerts and, with --metrics-addr, a /metrics endpoint.
var longCommands = map[string]bool{
	"up": true, "down": true, "redo": true, "complete": true, "abort": true,
	"baseline": true, "transfer": true, "copy": true, "cdc": true, "upcast": true, "rebuild": true,
}

// observeFlags registers the observability flags on f, the flags of a
// long command.
func (app *App) observeFlags(f *pflag.FlagSet) {
	f.String("metrics-addr", "", "serve Prometheus /metrics on this address while a long command runs (env STRATA_METRICS_ADDR)")
	f.String("alert-webhook", "", "POST anomaly alerts as JSON to this URL (env STRATA_ALERT_WEBHOOK; format and thresholds in strata.yaml observe.alerts)")
	f.String("pushgateway", "", "push the run's metrics to this Prometheus Pushgateway URL when the command ends (env STRATA_PUSHGATEWAY)")
}

// observeSettings is the observability configuration after flags >
// STRATA_* > strata.yaml.
type observeSettings struct {
	observe.Config
}

func (app *App) observeSettings(cmd *cobra.Command) (observeSettings, error) {
	var s observeSettings
	if app.cfg != nil && app.cfg.File != "" {
		data, err := os.ReadFile(app.cfg.File)
		if err == nil {
			c, err := observe.ParseConfig(data)
			if err != nil {
				return s, Exit(ExitUsage, fmt.Errorf("%s: %w", app.cfg.File, err))
			}
			s.Config = c
		}
	}
	pick := func(dst *string, flag, env string) {
		if v := app.Getenv(env); v != "" {
			*dst = v
		}
		if fl := cmd.Flags().Lookup(flag); fl != nil && fl.Changed {
			*dst = fl.Value.String()
		}
	}
	pick(&s.MetricsAddr, "metrics-addr", "STRATA_METRICS_ADDR")
	pick(&s.Pushgateway, "pushgateway", "STRATA_PUSHGATEWAY")
	pick(&s.Alerts.Webhook.URL, "alert-webhook", "STRATA_ALERT_WEBHOOK")
	return s, nil
}

// observeHook attaches the event bus to every provider a long command
// opens: progress bars (or lines), anomaly alerts, and the metrics served
// on --metrics-addr or pushed to --pushgateway.
func (app *App) observeHook(cmd *cobra.Command) error {
	if !longCommands[cmd.Name()] {
		return nil
	}
	s, err := app.observeSettings(cmd)
	if err != nil {
		return err
	}
	bus := observe.NewBus(observe.BusOptions{})
	target := targetName(app.cfg.DatabaseURL)
	tty := false
	if f, ok := app.Stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		tty = true
	}
	bus.Add("progress", observe.NewProgress(observe.ProgressOptions{Writer: app.Stderr, TTY: tty && !app.JSON, Logger: app.eventLogger(slog.LevelInfo)}))

	var metrics *observe.Metrics
	if s.MetricsAddr != "" || s.Pushgateway != "" {
		metrics = observe.NewMetrics(observe.MetricsOptions{Target: target})
		metrics.WatchBus(bus)
		bus.Add("metrics", metrics)
	}
	bus.Add("alerts", observe.NewAlerter(observe.AlerterOptions{Config: s.Alerts, Target: target, Logger: app.eventLogger(slog.LevelWarn), Metrics: metrics}))

	var srv *http.Server
	if s.MetricsAddr != "" {
		ln, err := net.Listen("tcp", s.MetricsAddr)
		if err != nil {
			_ = bus.Close(context.Background())
			return Exit(ExitUsage, fmt.Errorf("--metrics-addr: %w", err))
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", metrics.Handler())
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
	}
	app.extraOptions = append(app.extraOptions, migrate.WithObserver(bus))
	app.cleanups = append(app.cleanups, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := bus.Close(ctx); err != nil {
			app.eventLogger(slog.LevelWarn).Warn("observe: " + err.Error())
		}
		if s.Pushgateway != "" {
			if err := metrics.Push(ctx, s.Pushgateway, "strata"); err != nil {
				app.eventLogger(slog.LevelWarn).Warn("push metrics", "url", app.redact(s.Pushgateway), "error", app.redact(err.Error()))
			}
		}
		if srv != nil {
			_ = srv.Shutdown(ctx)
		}
	})
	return nil
}

// eventLogger logs progress and alerts to stderr, as JSON lines with
// --json; level is the least level shown (Debug with -v).
func (app *App) eventLogger(level slog.Level) *slog.Logger {
	if app.Verbose {
		level = min(level, slog.LevelInfo)
	}
	opts := &slog.HandlerOptions{Level: level}
	if app.JSON {
		return slog.New(slog.NewJSONHandler(app.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(app.Stderr, opts))
}

// targetName names a database in metrics and alerts without its password
// or user: host:port/database, or the SQLite path.
func targetName(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "unknown"
	}
	if u.Host == "" {
		if u.Opaque != "" {
			return u.Scheme + ":" + u.Opaque
		}
		return u.Scheme + ":" + u.Path
	}
	return u.Host + strings.TrimSuffix(u.Path, "/")
}
