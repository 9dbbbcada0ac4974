package cli

import (
	"context"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-db/strata/migrate"
)

// statementLog is the observer of -v: one log line when each statement
// starts (with its SQL, file and line) and one when it finishes (with the
// time it took), on stderr.
func (app *App) statementLog() migrate.Option {
	l := app.logger()
	scrub := app.secretScrubber()
	return migrate.WithObserver(migrate.ObserverFunc(func(ctx context.Context, e migrate.Event) {
		switch e.Kind {
		case migrate.EventStatementStarted, migrate.EventStatementFinished:
		default:
			return
		}
		attrs := []slog.Attr{slog.String("version", string(e.Version))}
		if e.File != "" {
			attrs = append(attrs, slog.String("file", e.File))
		}
		if e.Line > 0 {
			attrs = append(attrs, slog.Int("line", e.Line))
		}
		if e.Index > 0 && e.Statements > 0 {
			attrs = append(attrs, slog.String("statement", strconv.Itoa(e.Index)+"/"+strconv.Itoa(e.Statements)))
		}
		if e.Table != "" {
			attrs = append(attrs, slog.String("table", e.Table))
		}
		if e.Kind == migrate.EventStatementFinished {
			attrs = append(attrs, slog.Duration("elapsed", e.Duration))
		}
		if e.SQL != "" {
			attrs = append(attrs, slog.String("sql", scrub(e.SQL)))
		}
		msg := "statement started"
		if e.Kind == migrate.EventStatementFinished {
			msg = "statement finished"
		}
		l.LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
	}))
}

// secretName matches the names of variables that hold secrets.
var secretName = regexp.MustCompile(`(?i)pass|secret|token|key|credential`)

// secretScrubber returns a function that hides, in SQL that -v logs, the
// database passwords strata knows and the values of variables whose names
// say they are secrets: a -- strata:envsub file may put them in a
// statement (CREATE USER ... PASSWORD '${APP_PASSWORD}').
func (app *App) secretScrubber() func(string) string {
	var secrets []string
	if app.cfg != nil {
		for k, v := range app.cfg.Vars {
			if secretName.MatchString(k) && len(v) >= 4 {
				secrets = append(secrets, v)
			}
		}
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if secretName.MatchString(k) && len(v) >= 4 {
			secrets = append(secrets, v)
		}
	}
	return func(s string) string {
		s = app.redact(s)
		for _, v := range secrets {
			s = strings.ReplaceAll(s, v, "xxxxx")
		}
		return s
	}
}
