package observe

import (
	"context"
	"log/slog"

	"github.com/strata-db/strata/migrate"
)

// Log is a [Sink] that writes each event as a structured log record with
// strata's stable keys (version, name, table, rows, elapsed). Statements
// and batches log at Debug, failures at Error, the rest at Info. Give it a
// slog.JSONHandler for JSON lines.
type Log struct {
	l *slog.Logger
}

var _ Sink = (*Log)(nil)

// NewLog returns a sink that logs to l.
func NewLog(l *slog.Logger) *Log { return &Log{l: l} }

// Handle implements [Sink].
func (s *Log) Handle(e migrate.Event) {
	level := slog.LevelInfo
	switch e.Kind {
	case migrate.EventStatementStarted, migrate.EventStatementFinished, migrate.EventBatchDone:
		level = slog.LevelDebug
	case migrate.EventMigrationFailed, migrate.EventLockLost:
		level = slog.LevelError
	case migrate.EventRetry, migrate.EventLockWaiting, migrate.EventRollbackStarted:
		level = slog.LevelWarn
	case migrate.EventCheckResult:
		if e.Err != nil {
			level = slog.LevelError
		}
	}
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs, slog.String("event", string(e.Kind)))
	if e.Version != "" {
		attrs = append(attrs, slog.String("version", string(e.Version)))
	}
	if e.Name != "" {
		attrs = append(attrs, slog.String("name", e.Name))
	}
	if e.Direction != "" {
		attrs = append(attrs, slog.String("direction", string(e.Direction)))
	}
	if e.File != "" {
		attrs = append(attrs, slog.String("file", e.File))
	}
	if e.Line > 0 {
		attrs = append(attrs, slog.Int("line", e.Line))
	}
	if e.Table != "" {
		attrs = append(attrs, slog.String("table", e.Table))
	}
	switch e.Kind {
	case migrate.EventBatchDone:
		attrs = append(attrs, slog.Int64("rows", e.Rows), slog.Int64("rows_total", e.RowsTotal))
		if e.Chunks > 0 {
			attrs = append(attrs, slog.Int64("chunks", e.Chunks), slog.Int64("quarantined", e.Quarantined))
		}
	case migrate.EventCheckResult:
		if c := e.Check; c != nil {
			attrs = append(attrs, slog.String("check", c.Name), slog.String("phase", c.Phase), slog.String("severity", c.Severity),
				slog.String("outcome", c.Outcome), slog.Int64("count", c.Count))
		}
	case migrate.EventReplicationLag:
		attrs = append(attrs, slog.String("stream", e.Stream), slog.Duration("lag", e.Lag))
	}
	if e.Duration > 0 {
		attrs = append(attrs, slog.Duration("elapsed", e.Duration))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	msg := e.Message
	if msg == "" {
		msg = string(e.Kind)
	}
	s.l.LogAttrs(ctx, level, msg, attrs...)
}
