package guard

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/detect"
)

// State is what a check found.
type State struct {
	// Locked: a strata runner holds the lock on the database.
	Locked bool
	// Holder says who holds the lock (a session, a connection, a lease's
	// owner), when Locked.
	Holder string
	// Running: a migration is recorded in state running.
	Running bool
	// CheckedAt is when the database was asked.
	CheckedAt time.Time
	// Err is the check's error, if it failed.
	Err error
}

// Busy reports whether a migration is under way.
func (s State) Busy() bool { return s.Locked || s.Running }

// Probe asks a database whether a migration is under way, caching the
// answer. It is safe for concurrent use.
type Probe struct {
	db      *sql.DB
	o       Options
	table   dialect.Table
	refresh sync.Mutex
	state   atomic.Pointer[State]
	queries atomic.Int64

	// mu makes checks run one at a time and guards what they learn.
	mu sync.Mutex
	d  dialect.Dialect
	// dErr is a configuration mistake no retry mends (an unknown
	// Options.Engine), reported by every check.
	dErr error
	// hasTable: the history table existed at the last check, so the
	// query counts its running rows.
	hasTable bool
}

// NewProbe returns a probe of db. The database's engine is Options.Dialect
// or Options.Engine, or detected on the first check (see [Options]).
func NewProbe(db *sql.DB, o Options) *Probe {
	p := &Probe{db: db, o: o.withDefaults(), table: o.table(), d: o.Dialect}
	if p.d == nil && o.Engine != "" {
		d, err := detect.Named(o.Engine)
		if err != nil {
			p.dErr = fmt.Errorf("guard.Options.Engine: %w", err)
		}
		p.d = d
	}
	return p
}

// dialect returns the database's dialect, detected on first use. Detection
// that fails is tried again at the next check: the server may be down, or
// may not be reachable yet.
func (p *Probe) dialect(ctx context.Context) (dialect.Dialect, error) {
	if p.d != nil || p.dErr != nil {
		return p.d, p.dErr
	}
	// dialect/detect, not connect: an application that embeds the guard
	// links only the driver it chose.
	d, ok := detect.Driver(p.db.Driver())
	var err error
	if !ok {
		d, err = detect.Server(ctx, p.db)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (set guard.Options.Dialect)", err)
	}
	p.d = d
	return d, nil
}

// Queries returns how many queries the probe has sent to check for a
// migration (not counting the one that may detect the engine).
func (p *Probe) Queries() int64 { return p.queries.Load() }

// State returns the cached answer, asking the database when it is older
// than Options.CacheFor. While one caller asks, the others get the previous
// answer, so at most one query runs per interval.
func (p *Probe) State(ctx context.Context) State {
	if s := p.state.Load(); s != nil && time.Since(s.CheckedAt) < p.o.CacheFor {
		return *s
	}
	if !p.refresh.TryLock() {
		if s := p.state.Load(); s != nil {
			return *s
		}
		p.refresh.Lock() // the first answer: wait for it
	}
	defer p.refresh.Unlock()
	if s := p.state.Load(); s != nil && time.Since(s.CheckedAt) < p.o.CacheFor {
		return *s
	}
	s := p.Check(ctx)
	p.state.Store(&s)
	return s
}

// Check asks the database now, without the cache: in one query on
// PostgreSQL and MySQL (two the first time the history table is seen); on
// SQLite, whose lease the engine reads on its own, in one more.
func (p *Probe) Check(ctx context.Context) State {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := State{CheckedAt: time.Now()}
	if err := p.check(ctx, &s); err != nil {
		s.Err = fmt.Errorf("guard: check for a running migration: %w", err)
		if p.o.OnError != nil {
			p.o.OnError(s.Err)
		}
	}
	return s
}

func (p *Probe) check(ctx context.Context, s *State) error {
	d, err := p.dialect(ctx)
	if err != nil {
		return err
	}
	lockSQL, inQuery := d.LockHeldSQL(p.table)
	if !inQuery {
		p.queries.Add(1)
		if s.Locked, s.Holder, err = d.LockHeld(ctx, p.db, p.table); err != nil {
			return err
		}
		lockSQL = ""
	}
	return p.ask(ctx, d, s, lockSQL)
}

// ask sends the one query of a check: who holds the lock (when lockSQL
// says it), whether the history table exists until it does, and then how
// many migrations it records running.
func (p *Probe) ask(ctx context.Context, d dialect.Dialect, s *State, lockSQL string) error {
	var (
		holder  sql.NullString
		exists  = true
		running int64
		list    []string
		dest    []any
	)
	if lockSQL != "" {
		list, dest = append(list, lockSQL), append(dest, &holder)
	}
	hadTable := p.hasTable
	if hadTable {
		list, dest = append(list, "(SELECT count(*) FROM "+p.table.Qualified(d)+" WHERE state = 'running')"), append(dest, &running)
	} else {
		list, dest = append(list, d.TableExistsSQL(p.table)), append(dest, &exists)
	}
	p.queries.Add(1)
	if err := p.db.QueryRowContext(ctx, "SELECT "+strings.Join(list, ", ")).Scan(dest...); err != nil {
		if hadTable && d.IsMissingObject(err) {
			p.hasTable = false // dropped: ask without it next time
		}
		return err
	}
	if lockSQL != "" {
		s.Locked, s.Holder = holder.Valid, holder.String
	}
	s.Running = running > 0
	p.hasTable = exists
	if exists && !hadTable {
		return p.ask(ctx, d, s, lockSQL) // it just appeared: count its running rows now
	}
	return nil
}
