package check

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// Checker runs migrations' checks for the runner: it implements
// [migrate.Checker]. Build it with [New]; it is safe for concurrent use as
// long as its observer is.
type Checker struct {
	dir     string
	d       dialect.Dialect
	maxKeys int
	observe func(*Report)
	// onRestore is told about each restore point taken.
	onRestore func([]Copy)
}

var _ migrate.CheckReporter = (*Checker)(nil)

// Option configures a [Checker].
type Option func(*Checker)

// WithObserver has f called with the report of every phase that ran
// checks, failing or not (for printing, or for storing with the history).
func WithObserver(f func(*Report)) Option { return func(c *Checker) { c.observe = f } }

// WithDirName sets the migration directory's name, put before file names
// in reports and errors.
func WithDirName(dir string) Option { return func(c *Checker) { c.dir = dir } }

// WithRestoreObserver has f called with the copies of each restore point
// taken before a migration.
func WithRestoreObserver(f func([]Copy)) Option { return func(c *Checker) { c.onRestore = f } }

// WithMaxKeys sets how many offending keys a result lists (default 10).
func WithMaxKeys(n int) Option { return func(c *Checker) { c.maxKeys = n } }

// New returns a Checker for a database of dialect d (connect.Target.Dialect,
// or the Provider's): the Querier the runner passes does not say which
// engine it is, and every identifier is quoted the engine's way. A nil d is
// an error.
func New(d dialect.Dialect, opts ...Option) (*Checker, error) {
	if d == nil {
		return nil, errNoDialect
	}
	c := &Checker{d: d, maxKeys: DefaultMaxKeys}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Load returns the checks of m: its V_name.checks.yaml, or the checks: key
// of a YAML migration. A migration without checks gives an empty set.
func Load(m *migrate.Migration) (*Set, error) {
	switch {
	case m.ChecksFile != "":
		return Parse(m.ChecksFile, m.Checks)
	case m.Document != nil:
		return ParseDocument(m.File(), m.Document)
	}
	return &Set{File: m.File()}, nil
}

// Load is [Load] with file names under the Checker's directory name.
func (c *Checker) Load(m *migrate.Migration) (*Set, error) {
	if c.dir == "" || c.dir == "." {
		return Load(m)
	}
	m2 := *m
	m2.ChecksFile = joinDir(c.dir, m.ChecksFile)
	if len(m.Files) > 0 {
		m2.Files = append([]string{joinDir(c.dir, m.Files[0])}, m.Files[1:]...)
	}
	return Load(&m2)
}

func joinDir(dir, file string) string {
	if file == "" {
		return ""
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}

// Pre runs m's pre-checks on q. It returns a [*FailedError] when an
// error-level check fails or cannot run; warn-level failures are only
// reported to the observer.
func (c *Checker) Pre(ctx context.Context, q migrate.Querier, m *migrate.Migration) error {
	return c.phase(ctx, q, m, PhasePre)
}

// Post runs m's post-checks on q (the migration's transaction, when it has
// one), like Pre.
func (c *Checker) Post(ctx context.Context, q migrate.Querier, m *migrate.Migration) error {
	return c.phase(ctx, q, m, PhasePost)
}

// PreResults is [Checker.Pre] that also returns each check's result, for
// the runner to report as events ([migrate.CheckReporter]).
func (c *Checker) PreResults(ctx context.Context, q migrate.Querier, m *migrate.Migration) ([]migrate.CheckResult, error) {
	rep, err := c.runPhase(ctx, q, m, PhasePre)
	return rep.events(), err
}

// PostResults is [Checker.Post] that also returns each check's result.
func (c *Checker) PostResults(ctx context.Context, q migrate.Querier, m *migrate.Migration) ([]migrate.CheckResult, error) {
	rep, err := c.runPhase(ctx, q, m, PhasePost)
	return rep.events(), err
}

func (c *Checker) phase(ctx context.Context, q migrate.Querier, m *migrate.Migration, ph Phase) error {
	_, err := c.runPhase(ctx, q, m, ph)
	return err
}

// runPhase runs one phase of m's checks, and the restore point after
// passing pre-checks; the report is nil when the phase has no checks.
func (c *Checker) runPhase(ctx context.Context, q migrate.Querier, m *migrate.Migration, ph Phase) (*Report, error) {
	set, err := c.Load(m)
	if err != nil {
		return nil, err
	}
	rep, err := c.RunPhase(ctx, q, m, set, ph)
	if err != nil {
		return nil, err
	}
	if err := rep.Err(); err != nil {
		return rep, err
	}
	if ph == PhasePre {
		return rep, c.restorePoint(ctx, q, m, set)
	}
	return rep, nil
}

// restorePoint copies the tables m names in -- strata:restore-point (or
// restore_point:) once its pre-checks passed, before it runs.
func (c *Checker) restorePoint(ctx context.Context, q Querier, m *migrate.Migration, set *Set) error {
	tables := append([]string(nil), set.RestorePoint...)
	if m.Up != nil {
		tables = append(tables, m.Up.RestorePoint...)
	}
	if len(tables) == 0 {
		return nil
	}
	rp, err := NewRestorePoints(c.d)
	if err != nil {
		return err
	}
	cps, err := rp.Create(ctx, q, string(m.Version), tables)
	if err != nil {
		return err
	}
	if c.onRestore != nil {
		c.onRestore(cps)
	}
	return nil
}

// RunPhase runs the checks of one phase of set and returns their report;
// the error is only for a phase with no report (never for failed checks:
// see [Report.Err]). A phase without checks gives a nil report.
func (c *Checker) RunPhase(ctx context.Context, q Querier, m *migrate.Migration, set *Set, ph Phase) (*Report, error) {
	specs := set.Pre
	if ph == PhasePost {
		specs = set.Post
	}
	if len(specs) == 0 {
		return nil, nil
	}
	rep := &Report{Phase: ph, File: set.File, At: time.Now().UTC()}
	if m != nil {
		rep.Version, rep.Name = string(m.Version), m.Name
	}
	for _, s := range specs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s checks of %s: %w", ph, set.File, err)
		}
		r := c.runOne(ctx, q, s)
		r.Phase = ph
		rep.Results = append(rep.Results, r)
	}
	if c.observe != nil {
		c.observe(rep)
	}
	return rep, nil
}

// runOne runs one check. Inside a transaction it runs under a savepoint,
// so that a check that cannot run (a PostgreSQL error aborts the whole
// transaction) leaves the migration's transaction usable for the next
// check and, if every failure is a warning, for its commit.
func (c *Checker) runOne(ctx context.Context, q Querier, s *Spec) Result {
	_, inTx := q.(*sql.Tx)
	if !inTx {
		return runSpec(ctx, q, c.d, s, c.maxKeys)
	}
	if _, err := q.ExecContext(ctx, "SAVEPOINT strata_check"); err != nil {
		return Result{Name: s.Label(), Kind: s.Kind, Severity: s.Severity, File: s.File, Line: s.Line, Error: "savepoint: " + err.Error()}
	}
	r := runSpec(ctx, q, c.d, s, c.maxKeys)
	if r.Error != "" {
		_, _ = q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT strata_check")
	}
	_, _ = q.ExecContext(ctx, "RELEASE SAVEPOINT strata_check")
	return r
}
