package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Adopted is one migration another tool applied, as [Provider.Adopt]
// records it in strata's history.
type Adopted struct {
	// Version is the migration's key: its version, or R__name for a
	// repeatable one.
	Version Version
	// AppliedAt and AppliedBy are what the other tool recorded; zero and
	// empty when it kept no such thing (the time of the adoption and the
	// provider's applied-by are recorded instead).
	AppliedAt time.Time
	AppliedBy string
	// ExecutionMS is how long the other tool said it took.
	ExecutionMS int64
	// Note goes to the row's error column, which for an applied row says
	// how it got there ("adopted from goose_db_version id 4").
	Note string
	// Checksum, when set, replaces the file's checksum in the row: a
	// repeatable migration edited since the other tool ran it is recorded
	// with the checksum of what ran, so the next up runs it again.
	Checksum string
}

// Adopt records migrations another tool applied as applied, without
// running them: the history the other tool kept becomes strata's. Every
// version must be one of the provider's migrations. Rows already in
// strata's history are left alone, so adopting again adds only what is
// new; all the others are written together (in one transaction where the
// store can join one).
func (p *Provider) Adopt(ctx context.Context, rows []Adopted) (*Result, error) {
	byKey := map[Version]*Migration{}
	for _, m := range p.migrations {
		byKey[m.key()] = m
	}
	for _, a := range rows {
		if byKey[a.Version] == nil {
			return nil, fmt.Errorf("%w %s: adopt needs the version of a migration in the directory", ErrUnknownVersion, a.Version)
		}
	}
	return p.recordApplied(ctx, func(have map[Version]bool, now time.Time) []Record {
		var out []Record
		for _, a := range rows {
			if have[a.Version] {
				continue
			}
			r := p.record(byKey[a.Version], StateApplied, now)
			r.FinishedAt, r.Error, r.ExecutionMS = now, a.Note, a.ExecutionMS
			if !a.AppliedAt.IsZero() {
				r.StartedAt, r.FinishedAt = a.AppliedAt, a.AppliedAt
			}
			if a.AppliedBy != "" {
				r.AppliedBy = a.AppliedBy
			}
			if a.Checksum != "" {
				r.Checksum = a.Checksum
			}
			have[a.Version] = true
			out = append(out, r)
		}
		return out
	})
}

// recordApplied writes, under the runner lock, the rows pick returns given
// the versions history already has; a baseline and an adoption both record
// migrations as applied without running them.
func (p *Provider) recordApplied(ctx context.Context, pick func(have map[Version]bool, now time.Time) []Record) (*Result, error) {
	res := &Result{Direction: Up}
	err := p.withLock(ctx, res, func(ctx context.Context, _ *sql.Conn, recs []Record) error {
		have := map[Version]bool{}
		for _, r := range recs {
			have[r.Version] = true
		}
		rows := pick(have, time.Now())
		for _, r := range rows {
			res.Done = append(res.Done, StepResult{Version: r.Version, Name: r.Name, Direction: Up, State: StateApplied})
		}
		if len(rows) == 0 {
			return nil
		}
		return p.insertAll(ctx, rows)
	})
	return res, err
}
