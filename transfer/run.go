package transfer

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

// Defaults.
const (
	DefaultWorkers   = 2
	DefaultChunkRows = 20_000
)

// Options tune [Run]. The zero value runs a fresh transfer.
type Options struct {
	// Resume continues an interrupted run from its last finished chunks.
	Resume bool
	// Restart forgets an interrupted run's checkpoints and empties the
	// tables it creates, then starts over.
	Restart bool
	// Workers overrides the spec's workers.
	Workers int
	// Observer receives a batch_done event per chunk (rows, rows/s in
	// Message) and migration_finished per table.
	Observer migrate.Observer
	Logger   *slog.Logger
	// NoVerify skips the comparison after the copy.
	NoVerify bool
}

// TableResult accounts for every row of one table mapping.
type TableResult struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Read = Written + Quarantined + Skipped when the table is complete.
	Read        int64 `json:"read"`
	Written     int64 `json:"written"`
	Quarantined int64 `json:"quarantined"`
	Skipped     int64 `json:"skipped"`
	// ZeroDates counts MySQL zero dates stored as NULL.
	ZeroDates int64 `json:"zero_dates"`
	// Orphans counts rows whose reference had no parent (then skipped,
	// quarantined or set NULL as references: orphans: says).
	Orphans int64 `json:"orphans"`
	// Chunks counts finished chunks; Resumed those a previous run finished.
	Chunks  int64 `json:"chunks"`
	Resumed int64 `json:"resumed_chunks"`
	Created bool  `json:"created"`
	// Carried says, for a table this run created, what of the source
	// table's definition it carried (identity, defaults, indexes, unique
	// constraints, foreign keys) and what not, and why.
	Carried []Carry `json:"carried,omitempty"`
	Notes   []Note  `json:"notes,omitempty"`
	Verify  *Verify `json:"verify,omitempty"`
	Elapsed float64 `json:"elapsed_seconds"`
	// RowsPerSecond is rows read in this run per second of this run.
	RowsPerSecond float64 `json:"rows_per_second"`
	Complete      bool    `json:"complete"`
	Error         string  `json:"error,omitempty"`
}

// Balanced reports whether every read row is accounted for.
func (r *TableResult) Balanced() bool { return r.Read == r.Written+r.Quarantined+r.Skipped }

// Result is a whole run.
type Result struct {
	Transfer   string         `json:"transfer"`
	Tables     []*TableResult `json:"tables"`
	Quarantine string         `json:"quarantine_table"`
	// AlreadyDone is true when an earlier run had finished the transfer
	// (and neither Resume nor Restart was asked for): nothing was copied,
	// and Tables are that run's results, from CompletedTable.
	AlreadyDone bool `json:"already_done,omitempty"`
	// CompletedAt is when that run finished.
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Run copies every table of spec from src to dst. It always returns a
// Result with what was done, also with an error.
func Run(ctx context.Context, src, dst *connect.Target, spec *Spec, o Options) (*Result, error) {
	res := &Result{Transfer: spec.Name, Quarantine: QuarantineTable}
	r, err := newRun(ctx, src, dst, spec, o, res)
	if err != nil {
		return res, err
	}
	return res, r.all(ctx)
}

// run is one Run: the sides, the settings and the result being filled.
type run struct {
	spec     *Spec
	src, dst *side
	o        Options
	res      *Result
	loc      *time.Location
	workers  int
	chunk    int
	restart  bool
}

func newRun(ctx context.Context, src, dst *connect.Target, spec *Spec, o Options, res *Result) (*run, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := &run{spec: spec, o: o, res: res, loc: time.UTC, workers: spec.Workers, chunk: spec.ChunkRows}
	if spec.Timezone != "" {
		loc, err := time.LoadLocation(spec.Timezone)
		if err != nil {
			return nil, &SpecError{File: spec.File, Line: spec.line, Msg: fmt.Sprintf("timezone %q: %v", spec.Timezone, err)}
		}
		r.loc = loc
	}
	var err error
	if r.src, err = newSide(ctx, src); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if r.dst, err = newSide(ctx, dst); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	if o.Workers > 0 {
		r.workers = o.Workers
	}
	if r.workers == 0 {
		r.workers = DefaultWorkers
	}
	if dst.Dialect.SingleWriter() {
		r.workers = 1
	}
	if r.chunk == 0 {
		r.chunk = DefaultChunkRows
	}
	return r, nil
}

// all copies the tables in order, adds the foreign keys that wait for
// every table, and records the transfer complete. A transfer an earlier
// run finished is done: it is not copied again unless Restart says so.
func (r *run) all(ctx context.Context) error {
	if err := r.ensure(ctx, chunksDef(), quarantineDef(), completedDef()); err != nil {
		return err
	}
	e, err := r.earlier(ctx)
	if err != nil {
		return err
	}
	switch {
	case r.o.Restart && (e.chunks > 0 || len(e.completed) > 0):
		if err := r.forget(ctx); err != nil {
			return err
		}
		r.restart = true
	case !r.o.Restart && !r.o.Resume && e.done(r.spec):
		r.res.AlreadyDone = true
		if !e.at.IsZero() {
			r.res.CompletedAt = &e.at
		}
		for _, t := range r.spec.Tables {
			r.res.Tables = append(r.res.Tables, e.completed[t.To])
		}
		return nil
	case e.chunks > 0 && !r.o.Resume:
		return fmt.Errorf("%w: %d chunks of %q are recorded in %s; run again with --resume to continue it, or --restart to start over", ErrInterrupted, e.chunks, r.spec.Name, ChunksTable)
	}
	for _, t := range r.spec.Tables {
		tr := &TableResult{From: t.From, To: t.To}
		r.res.Tables = append(r.res.Tables, tr)
		if err := r.table(ctx, t, tr); err != nil {
			tr.Error = err.Error()
			return fmt.Errorf("table %s: %w", t.To, err)
		}
	}
	for i, t := range r.spec.Tables {
		if err := r.foreignKeys(ctx, t); err != nil {
			r.res.Tables[i].Error = err.Error()
			return fmt.Errorf("table %s: %w", t.To, err)
		}
	}
	return r.complete(ctx)
}
