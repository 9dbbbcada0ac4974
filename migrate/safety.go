package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// ErrUnsafe: a run was refused because statements it would run lock or
// rewrite tables in use ([UnsafeError] says which).
var ErrUnsafe = errors.New("unsafe migration")

// Inspector reports what is unsafe in a script a run is about to execute:
// a linter. It gets the runner's own parse of the file (statements, how
// they run, directives such as lint-ignore), so it never disagrees with
// the runner about a file. Package lint's Linter implements it. It must be
// safe for concurrent use.
type Inspector interface {
	Inspect(ctx context.Context, m *Migration, sc *Script) ([]Finding, error)
}

// Finding is one unsafe statement an [Inspector] found.
type Finding struct {
	File      string
	Line, Col int
	Rule      string
	// Object is the table or index the finding is about (schema-qualified
	// when written so); empty when none. The gate counts its table's rows.
	Object  string
	Message string
	// Blocking is set for an error-level finding: it refuses the run when
	// its table has [SafetyOptions.MinRows] rows or more.
	Blocking bool
	// Detail is the inspector's own form of the finding (a lint.Finding),
	// for rendering it.
	Detail any
}

// SafetyOptions tune the safety gate ([WithSafety]).
type SafetyOptions struct {
	// MinRows is the table size from which a blocking finding refuses the
	// run: below it the lock lasts milliseconds, and a table that does not
	// exist yet (an earlier migration of the same run creates it) has no
	// reader to block, so the finding is only a warning. A fresh database
	// is never refused. Default 10,000.
	MinRows int
	// AllowUnsafe runs blocking findings anyway.
	AllowUnsafe bool
	// OnAllowed, when set, is called before anything runs when AllowUnsafe
	// lets blocking findings run, so the caller can say so.
	OnAllowed func(ctx context.Context, r *SafetyReport)
}

// DefaultMinRows is the default of [SafetyOptions.MinRows].
const DefaultMinRows = 10000

// WithSafety puts a safety gate before every up run: under the runner lock,
// each SQL script the run is about to execute is given to in, and blocking
// findings on tables in use (MinRows rows or more) refuse the run with an
// *[UnsafeError] before anything ran, unless opts.AllowUnsafe. A script the
// inspector cannot read is logged and not checked: the runner's own parser
// accepted it. [Result.Safety] holds what the gate found.
func WithSafety(in Inspector, opts SafetyOptions) Option {
	return func(o *options) error {
		if in == nil {
			return errors.New("safety gate: inspector is nil")
		}
		if opts.MinRows < 0 {
			return fmt.Errorf("safety gate: MinRows %d is negative", opts.MinRows)
		}
		if opts.MinRows == 0 {
			opts.MinRows = DefaultMinRows
		}
		o.safety = &safety{in: in, o: opts}
		return nil
	}
}

type safety struct {
	in Inspector
	o  SafetyOptions
}

// SafetyReport is what the safety gate found in a plan, in plan order.
type SafetyReport struct {
	Findings []Finding
}

// Blocking returns the findings that refuse the run.
func (r *SafetyReport) Blocking() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Blocking {
			out = append(out, f)
		}
	}
	return out
}

// UnsafeError refuses a run whose plan has blocking findings on tables in
// use. Report holds every finding, warnings included.
type UnsafeError struct {
	Findings []Finding
	Report   *SafetyReport
}

func (e *UnsafeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refused: the migrations to run have %s", plural(len(e.Findings), "unsafe statement", "unsafe statements"))
	for i, f := range e.Findings {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Findings)-3)
			break
		}
		fmt.Fprintf(&b, "; %s:%d:%d %s: %s", f.File, f.Line, f.Col, f.Rule, f.Message)
	}
	b.WriteString(" (rewrite them as the linter suggests, or add -- strata:lint-ignore RULE -- reason where they are safe)")
	return b.String()
}

func (e *UnsafeError) Is(target error) bool { return target == ErrUnsafe }

// decide refuses a report with blocking findings, unless allowed.
func (s *safety) decide(ctx context.Context, rep *SafetyReport) error {
	b := rep.Blocking()
	if len(b) == 0 {
		return nil
	}
	if s.o.AllowUnsafe {
		if s.o.OnAllowed != nil {
			s.o.OnAllowed(ctx, rep)
		}
		return nil
	}
	return &UnsafeError{Findings: b, Report: rep}
}

// Inspect runs the safety gate of [WithSafety] on pl without running it,
// for `strata plan`: what an up run would report, on the database as it is
// now. It reports nothing without a gate or for a down plan.
func (p *Provider) Inspect(ctx context.Context, pl *Plan) (*SafetyReport, error) {
	if p.o.safety == nil || pl.Direction != Up {
		return &SafetyReport{}, nil
	}
	return p.inspect(ctx, pl)
}

func (p *Provider) inspect(ctx context.Context, pl *Plan) (*SafetyReport, error) {
	s := p.o.safety
	rep := &SafetyReport{}
	for _, st := range pl.Steps {
		if st.Script == nil || st.Migration.Kind != KindSQL || st.Direction != Up {
			continue
		}
		fs, err := s.in.Inspect(ctx, st.Migration, st.Script)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			p.o.logger.Warn("lint could not parse a migration; it was not checked", "file", st.Script.File, "error", err)
			continue
		}
		rep.Findings = append(rep.Findings, fs...)
	}
	rows := map[string]int{}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if !f.Blocking || f.Object == "" {
			continue
		}
		n, ok := rows[f.Object]
		if !ok {
			n = p.tableRows(ctx, f.Object, s.o.MinRows)
			rows[f.Object] = n
		}
		if n < s.o.MinRows {
			f.Blocking = false
			f.Message += fmt.Sprintf(" (warning only: %s has fewer than %d rows)", f.Object, s.o.MinRows)
		}
	}
	return rep, nil
}

// tableRows counts the rows of the table object names (the table of an
// index, for an index), up to limit; 0 when it does not exist. When it
// cannot tell, it says limit: a doubt keeps a finding blocking.
func (p *Provider) tableRows(ctx context.Context, object string, limit int) int {
	t, ok := p.tableOf(ctx, object)
	if !ok {
		return limit
	}
	if t.Name == "" {
		return 0
	}
	var rows int
	if err := p.db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d) s", t.Qualified(p.d), limit)).Scan(&rows); err != nil {
		return limit
	}
	return rows
}

// tableOf resolves object, a table or index name as a finding gives it
// ([schema.]name), to the table it is or belongs to: a zero Table when
// neither exists, ok false when it cannot tell.
func (p *Provider) tableOf(ctx context.Context, object string) (t dialect.Table, ok bool) {
	name := objectName(object)
	ti, err := p.d.DescribeTable(ctx, p.db, name)
	if err == nil {
		return ti.Table(), true
	}
	if !errors.Is(err, dialect.ErrNotFound) {
		return dialect.Table{}, false
	}
	t, err = p.d.IndexTable(ctx, p.db, name.Schema, name.Name)
	if err == nil {
		return t, true
	}
	return dialect.Table{}, errors.Is(err, dialect.ErrNotFound)
}

// objectName splits a finding's object at its first dot into schema and
// name, each without the quotes it may have been written with.
func objectName(object string) dialect.Table {
	unquote := func(s string) string { return strings.Trim(s, "`\"") }
	schema, name, qualified := strings.Cut(object, ".")
	if !qualified {
		return dialect.Table{Name: unquote(object)}
	}
	return dialect.Table{Schema: unquote(schema), Name: unquote(name)}
}
