package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Baseline adopts an existing database: it records every migration up to and
// including v as applied without running it. Migrations already in history
// are left alone.
func (p *Provider) Baseline(ctx context.Context, v Version) (*Result, error) {
	if p.find(v) == nil {
		return nil, fmt.Errorf("%w %s: baseline needs the version of a migration in the directory (see `strata status`)", ErrUnknownVersion, v)
	}
	return p.recordApplied(ctx, func(have map[Version]bool, now time.Time) []Record {
		var rows []Record
		for _, m := range p.migrations {
			if m.Repeatable || m.Version.Compare(v) > 0 || have[m.key()] {
				continue
			}
			r := p.record(m, StateApplied, now)
			r.FinishedAt = now
			r.Error = "baseline: recorded as applied without running"
			rows = append(rows, r)
		}
		return rows
	})
}

// RepairResult says what a repair changed.
type RepairResult struct {
	Version Version `json:"version"`
	// Action is "accepted edit", "marked applied" or "marked pending".
	Action string `json:"action"`
	// Diff is a unified diff from the text that was applied to the file as
	// it is now, when history holds the old text.
	Diff     string `json:"diff"`
	OldState State  `json:"old_state"`
}

// Repair fixes one history row after a human has looked: a failed or
// running row is marked applied (the change is complete) or, with pending,
// removed so the migration runs again; an edited applied file has its new
// checksum accepted. It records who repaired and when.
func (p *Provider) Repair(ctx context.Context, v Version, pending bool) (*RepairResult, error) {
	var out *RepairResult
	res := &Result{}
	err := p.withLock(ctx, res, func(ctx context.Context, _ *sql.Conn, recs []Record) error {
		var rec *Record
		for i := range recs {
			if recs[i].Version == v {
				rec = &recs[i]
			}
		}
		if rec == nil {
			return fmt.Errorf("%w %s: it is not in history, so there is nothing to repair", ErrUnknownVersion, v)
		}
		m := p.find(v)
		out = &RepairResult{Version: v, OldState: rec.State}
		note := fmt.Sprintf("repaired by %s at %s (was %s)", p.o.appliedBy, time.Now().UTC().Format(time.RFC3339), rec.State)
		if pending {
			out.Action = "marked pending"
			return p.store.Delete(ctx, v)
		}
		checksum, source := rec.Checksum, rec.Source
		if m != nil {
			checksum, source = m.Checksum, m.Source
			if rec.Checksum != m.Checksum && rec.Source != "" {
				out.Diff = udiff.Unified("applied/"+m.File(), "now/"+m.File(), rec.Source+"\n", m.Source+"\n")
			}
		}
		switch {
		case rec.State == StateFailed || rec.State == StateRunning:
			out.Action = "marked applied"
		case m != nil && rec.Checksum != m.Checksum:
			out.Action = "accepted edit"
		default:
			return fmt.Errorf("%w: %s is %s and matches its file; nothing to repair", ErrNoChange, v, rec.State)
		}
		if rec.Error != "" && out.Action == "accepted edit" {
			note += "; " + rec.Error
		}
		r := *rec
		r.State, r.Checksum, r.Source, r.AppliedBy, r.FinishedAt, r.Error = StateApplied, checksum, source, p.o.appliedBy, time.Now(), note
		return p.store.Update(ctx, r)
	})
	return out, err
}

// Validate checks the directory (it parsed, or NewProvider would have
// failed), strata.sum, and, when the history table exists, drift and
// unfinished migrations. It returns every problem found.
func (p *Provider) Validate(ctx context.Context) error {
	var errs []string
	var first error
	add := func(err error) {
		if err != nil {
			if first == nil {
				first = err
			}
			errs = append(errs, err.Error())
		}
	}
	recs, err := p.readHistory(ctx)
	if err != nil {
		return err
	}
	// Drift comes first: strata.sum's advice, `strata hash`, would bless an
	// edit of an applied file, which needs `strata repair` instead.
	_, err = p.plan(Request{Direction: Up}, recs)
	add(err)
	add(p.checkSumBesidesDrift(recs))
	if first == nil {
		return nil
	}
	if len(errs) == 1 {
		return first
	}
	return &validationError{first: first, all: errs}
}

// checkSumBesidesDrift checks strata.sum, leaving out the files whose
// change is already reported as drift.
func (p *Provider) checkSumBesidesDrift(recs []Record) error {
	err := CheckSum(p.fsys)
	var se *SumError
	if !errors.As(err, &se) {
		return err
	}
	byKey := map[Version]Record{}
	for _, r := range recs {
		byKey[r.Version] = r
	}
	drifted := map[string]bool{}
	for _, de := range p.drift(byKey) {
		for _, f := range p.find(de.Version).Files {
			drifted[path.Base(f)] = true
		}
	}
	changed := se.Changed[:0:0]
	for _, f := range se.Changed {
		if !drifted[path.Base(f)] {
			changed = append(changed, f)
		}
	}
	if len(changed) == 0 && len(se.Added) == 0 && len(se.Removed) == 0 && len(drifted) > 0 {
		return nil
	}
	se.Changed = changed
	return se
}

// insertAll records rs together: in one transaction when the store can
// join one, so a baseline is all or nothing.
func (p *Provider) insertAll(ctx context.Context, rs []Record) error {
	if _, ok := p.store.(TxStore); !ok {
		return insertMany(ctx, p.store, rs)
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	s, err := p.storeIn(tx)
	if err == nil {
		err = insertMany(ctx, s, rs)
	}
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

type validationError struct {
	first error
	all   []string
}

func (e *validationError) Error() string { return strings.Join(e.all, "\n") }
func (e *validationError) Unwrap() error { return e.first }
