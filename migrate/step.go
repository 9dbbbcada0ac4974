package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/dialect"
)

// WithStepRunner plugs in the runner of a kind of migration that is neither
// SQL nor Go: a YAML document of declarative online operations (kind
// "online", package online), a data transfer (kind "transfer", package
// transfer). k is the kind recorded in history for the migrations r claims.
func WithStepRunner(k Kind, r StepRunner) Option {
	return func(o *options) error {
		if k == "" || k == KindSQL || k == KindGo {
			return fmt.Errorf("step runner kind %q: want a kind of its own (sql and go are built in)", k)
		}
		if o.kinds == nil {
			o.kinds = map[Kind]StepRunner{}
		}
		o.kinds[k] = r
		return nil
	}
}

// StepRunner runs a kind of migration that is neither SQL nor Go. The
// engine knows such a kind only through this interface: the runner claims
// its documents, plans them, and runs what it planned.
type StepRunner interface {
	// Claim reports whether doc, the text of a YAML migration, is written
	// for this runner (by its top-level keys). Each YAML migration must be
	// claimed by exactly one registered runner.
	Claim(doc []byte) bool
	// Plan says what Up (dir Up) or Down (dir Down) would do to m. The
	// provider calls it when the directory is loaded, so a malformed
	// document fails before anything runs (errors should be *[ParseError]
	// with file and line), and again for `strata plan` and each run. An
	// error stops the run before anything ran; one matching [ErrNoDown]
	// from a down plan means m cannot be undone.
	Plan(m *Migration, dir Direction) (*StepPlan, error)
	// Up runs plan (what Plan returned for Up) and returns the progress
	// JSON to record. On success the history row ends in plan.Ends.
	Up(ctx context.Context, env StepEnv, m *Migration, plan *StepPlan) (progress string, err error)
	// Down runs plan (what Plan returned for Down): it undoes m.
	Down(ctx context.Context, env StepEnv, m *Migration, plan *StepPlan) error
}

// StepPlan is what a declarative step will do, as plain data: `strata plan`
// prints it and the run hands the same value to [StepRunner.Up] or
// [StepRunner.Down], so what runs is what was shown.
type StepPlan struct {
	// Mode says how the step runs, in words.
	Mode string
	// Actions are the statements and notes of the step, in order.
	Actions []string
	// Ends is the state the history row is left in when Up succeeds:
	// [StateApplied], or [StateExpanded] for a change that waits for
	// `strata complete`. Empty means applied.
	Ends State
	// Next says what a human does next when Up leaves the migration in a
	// state other than applied ("move the application over, then `strata
	// complete 42`, or `strata abort 42`").
	Next string
	// Prepared is the runner's own form of what it planned (its parsed
	// document), for Up and Down to run instead of reading the document
	// again. The engine does not look at it.
	Prepared any
}

// Finisher is implemented by a [StepRunner] whose Up leaves migrations in a
// state that needs a second step: `strata complete` and `strata abort`.
type Finisher interface {
	// Complete finishes an expanded migration; the row becomes applied.
	Complete(ctx context.Context, env StepEnv, m *Migration) (progress string, err error)
	// Abort undoes an expanded (or stopped) migration; the row is removed.
	Abort(ctx context.Context, env StepEnv, m *Migration) error
}

// Preflighter is implemented by a [StepRunner] that can check a pending
// migration's preconditions against the live database without changing
// anything (the tables and columns it needs exist, the names it creates are
// free, a backfill has a key). The run calls it before the step's history
// row is written, so a migration that cannot run fails with nothing left
// behind; [Provider.Plan] calls it too, so `strata plan` shows the problem.
type Preflighter interface {
	Preflight(ctx context.Context, env StepEnv, m *Migration) error
}

// StepEnv is what a [StepRunner] gets: the database, the dialect, a way to
// save progress in the history row, and the observer.
type StepEnv struct {
	DB           *sql.DB
	Dialect      dialect.Dialect
	Logger       *slog.Logger
	Record       Record // the history row before the step (zero when pending)
	SaveProgress func(ctx context.Context, progress string) error
	Emit         func(ctx context.Context, e Event)
	// Expanded lists the other migrations of the same kind that are
	// expanded now, so a runner can refuse to touch their tables.
	Expanded []*Migration
}

// claim gives each YAML migration to the step runner that claims its
// document, and has it plan the migration so a malformed document fails
// now, with every other malformed file.
func (p *Provider) claim() error {
	kinds := make([]Kind, 0, len(p.o.kinds))
	for k := range p.o.kinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	var perrs ParseErrors
	for _, m := range p.migrations {
		if m.Document == nil || m.Go != nil {
			continue
		}
		var by []Kind
		for _, k := range kinds {
			if p.o.kinds[k].Claim(m.Document) {
				by = append(by, k)
			}
		}
		switch len(by) {
		case 0:
			perrs = append(perrs, p.unclaimed(m, kinds))
			continue
		case 1:
			m.Kind = by[0]
		default:
			perrs = append(perrs, &ParseError{File: m.File(), Msg: fmt.Sprintf("claimed by more than one step runner (%s)", joinKinds(by))})
			continue
		}
		if _, err := p.o.kinds[m.Kind].Plan(m, Up); err != nil {
			perrs = append(perrs, p.asParseErrors(m, err)...)
		}
	}
	if len(perrs) > 0 {
		return perrs
	}
	return nil
}

// unclaimed says why no runner took m: the document is not YAML, or no
// registered runner knows its top-level keys.
func (p *Provider) unclaimed(m *Migration, kinds []Kind) *ParseError {
	var doc yaml.Node
	if err := yaml.Unmarshal(m.Document, &doc); err != nil {
		return &ParseError{File: m.File(), Msg: strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
	}
	var keys []string
	if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
		for i := 0; i < len(doc.Content[0].Content); i += 2 {
			keys = append(keys, doc.Content[0].Content[i].Value+":")
		}
	}
	what := "it has no top-level key"
	if len(keys) > 0 {
		what = "its top-level keys are " + strings.Join(keys, ", ")
	}
	if len(kinds) == 0 {
		return &ParseError{File: m.File(), Msg: fmt.Sprintf("no step runner for YAML migrations is registered on %s (%s)", p.d.Name(), what)}
	}
	return &ParseError{File: m.File(), Msg: fmt.Sprintf("no step runner on %s takes this document (%s; registered: %s)", p.d.Name(), what, joinKinds(kinds))}
}

func joinKinds(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// asParseErrors makes a step runner's error about m a parse error that
// names m's file.
func (p *Provider) asParseErrors(m *Migration, err error) ParseErrors {
	var pe *ParseError
	var pes ParseErrors
	switch {
	case errors.As(err, &pes):
		return pes
	case errors.As(err, &pe):
		return ParseErrors{pe}
	}
	return ParseErrors{{File: m.File(), Msg: err.Error(), Err: err}}
}

// stepPlan asks m's runner what dir would do.
func (p *Provider) stepPlan(m *Migration, dir Direction) (*StepPlan, error) {
	kr := p.o.kinds[m.Kind]
	if kr == nil {
		return nil, fmt.Errorf("cannot run %s: no step runner for %s migrations is registered", m.File(), m.Kind)
	}
	sp, err := kr.Plan(m, dir)
	if err != nil {
		return nil, fmt.Errorf("plan %s %s: %w", dir, m.File(), err)
	}
	if sp.Ends == "" {
		sp.Ends = StateApplied
	}
	return sp, nil
}
