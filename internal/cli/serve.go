package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/serve"
	"github.com/strata-db/strata/serve/guard"
)

func (app *App) serveCmd() *cobra.Command {
	var addr, token, table string
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a status page, /api/status and /metrics for the database (read-only; 127.0.0.1:9465 by default)",
		Long: "serve watches the database's migrations and serves, read-only:\n" +
			"  /            a status page: applied version, running or expanded migrations with a live progress bar\n" +
			"               and throughput chart, recent history, errors\n" +
			"  /api/status  the same as JSON (\"version\" is the applied version)\n" +
			"  /metrics     Prometheus metrics (strata_active_migrations, strata_backfill_rows, ...)\n" +
			"  /healthz     200 while serving\n" +
			"With --token (or STRATA_SERVE_TOKEN), /api/status and /metrics need \"Authorization: Bearer TOKEN\";\n" +
			"open the page as /?token=TOKEN.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = app.Getenv("STRATA_SERVE_TOKEN")
			}
			if interval <= 0 {
				return Exit(ExitUsage, errors.New("--interval must be positive"))
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return Exit(ExitUsage, fmt.Errorf("--addr: %w", err))
			}
			defer ln.Close()
			f := runFlags{table: table}
			s, err := app.open(cmd.Context(), &f)
			if err != nil {
				return err
			}
			defer s.Close()
			if table == "" {
				table = app.config().Table
			}
			st := serve.Target{Name: targetName(app.config().DatabaseURL), Database: s.target.URL, Source: s.provider}
			if s.target.DB != nil { // a store engine has neither probe nor check reports
				st.Probe = guard.NewProbe(s.target.DB, guard.Options{Table: table, Dialect: s.target.Dialect})
				st.Checks = checkReports{db: s.target.DB, d: s.target.Dialect}
			}
			srv := serve.New([]serve.Target{st},
				serve.Options{Interval: interval, Token: token, Logger: app.eventLogger(slog.LevelWarn)})
			if host, _, _ := net.SplitHostPort(ln.Addr().String()); token == "" && !net.ParseIP(host).IsLoopback() {
				fmt.Fprintf(app.Stderr, "warning: serving on %s without --token: anyone who can reach it sees the migration status\n", ln.Addr())
			}
			fmt.Fprintf(app.Stderr, "strata: serving %s on http://%s/ (/api/status, /metrics, /healthz); Ctrl-C stops\n", s.target.URL, ln.Addr())
			if app.JSON {
				// The document is the address, for a script that started
				// serve on port 0; it must be out while serve runs.
				_ = writeJSON(app.Stdout, map[string]any{"ok": true, "url": "http://" + ln.Addr().String() + "/", "database": s.target.URL,
					"endpoints": []string{"/", "/api/status", "/metrics", "/healthz"}})
				if app.doc != nil {
					_ = app.doc.flush()
				}
			}
			return srv.Serve(cmd.Context(), ln)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", serve.DefaultAddr, "address to listen on")
	cmd.Flags().StringVar(&token, "token", "", "bearer token /api/status and /metrics require (env STRATA_SERVE_TOKEN)")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "how often to read the history table")
	cmd.Flags().StringVar(&table, "table", "", "history table, name or schema.name (default strata_schema_migrations, env STRATA_TABLE)")
	return cmd
}

// checkReports gives strata serve the latest result of every integrity
// check stored (check.ReportTable): those that ran with up and those of
// `strata check`.
type checkReports struct {
	db *sql.DB
	d  dialect.Dialect
}

func (c checkReports) LastChecks(ctx context.Context) ([]serve.Check, error) {
	reps, err := check.Stored(ctx, c.db, c.d, "")
	if err != nil || len(reps) == 0 {
		return nil, err
	}
	type key struct{ version, phase, name string }
	latest := map[key]int{}
	var out []serve.Check
	// Oldest first: a later result of the same check replaces the
	// earlier one in its place.
	for _, rep := range reps {
		for _, r := range rep.Results {
			msg := r.Detail
			if r.Error != "" {
				msg = r.Error
			}
			phase := string(r.Phase)
			if phase == "" {
				phase = string(rep.Phase)
			}
			ch := serve.Check{Version: rep.Version, Phase: phase, Name: r.Name, OK: r.Passed, Message: msg, At: rep.At}
			k := key{rep.Version, phase, r.Name}
			if i, ok := latest[k]; ok {
				out[i] = ch
				continue
			}
			latest[k] = len(out)
			out = append(out, ch)
		}
	}
	return out, nil
}
