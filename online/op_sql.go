package online

import (
	"context"
	"regexp"
)

// RawSQL runs statements as written: Up at Start, Down (optional) at
// Abort. Up runs in one transaction under lock_timeout, retried on timeout,
// unless it holds CONCURRENTLY, which cannot run in a transaction.
type RawSQL struct {
	Up   string `yaml:"up"`
	Down string `yaml:"down"`
	// Table optionally names the table the statements lock, for lock
	// reports and the one-expanded-migration-per-table rule.
	Table string `yaml:"table"`
}

func (o *RawSQL) Kind() string { return "sql" }

func (o *RawSQL) Tables() []string {
	if o.Table == "" {
		return nil
	}
	return []string{o.Table}
}

func (o *RawSQL) Validate() error {
	if o.Up == "" {
		return errField("up", "is required")
	}
	return nil
}

var concurrentlyRe = regexp.MustCompile(`(?i)\bCONCURRENTLY\b`)

func (x *Exec) rawSQL(ctx context.Context, table, stmt string) error {
	if concurrentlyRe.MatchString(stmt) {
		return x.concurrent(ctx, table, stmt)
	}
	return x.ddl(ctx, table, stmt)
}

func (o *RawSQL) Start(ctx context.Context, x *Exec) error {
	if x.marked("done") {
		return nil
	}
	if err := x.rawSQL(ctx, o.Table, o.Up); err != nil {
		return err
	}
	return x.mark(ctx, "done")
}

func (o *RawSQL) Complete(ctx context.Context, x *Exec) error { return nil }

func (o *RawSQL) Rollback(ctx context.Context, x *Exec) error {
	if o.Down == "" || !x.marked("done") {
		return nil
	}
	if err := x.rawSQL(ctx, o.Table, o.Down); err != nil {
		return err
	}
	delete(x.data(), "done")
	return x.save(ctx)
}

func (o *RawSQL) plan(p *plan) {
	p.start = append(p.start, o.Up)
	if o.Down != "" {
		p.abort = append(p.abort, o.Down)
	} else {
		p.abort = append(p.abort, "-- sql: no down given, nothing undone")
	}
}
