package transfer

import (
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

// Step runs a transfer as a step of a YAML migration: the document's
// transfer: key holds a spec whose source and target default to the
// migration's database ("self"), so one migration can reshape tables in
// place:
//
//	transfer:
//	  tables:
//	    - from: users
//	      to: users_v2
//	      key: id
//	      create: true
//
// Checkpoints are named after the migration (migration_VERSION), so a run
// killed mid-copy resumes on the next `strata up`. Step satisfies
// [migrate.StepRunner]; it is safe for concurrent use.
type Step struct {
	// Open opens a source or target that is not the migration's database
	// (default [connect.Open]).
	Open func(ctx context.Context, url string) (*connect.Target, error)
}

var _ migrate.StepRunner = (*Step)(nil)

// Claim implements [migrate.StepRunner]: a document with a top-level
// transfer: key (and no operations:, which online migrations use).
func (s *Step) Claim(doc []byte) bool {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(doc, &top); err != nil {
		return false
	}
	_, transfer := top["transfer"]
	_, ops := top["operations"]
	return transfer && !ops
}

// Spec reads the transfer: key of a migration's document.
func (s *Step) Spec(m *migrate.Migration) (*Spec, error) {
	var doc struct {
		Transfer yaml.Node `yaml:"transfer"`
	}
	file := m.Version.String() + "_" + m.Name + ".yaml"
	if len(m.Files) > 0 {
		file = m.Files[0]
	}
	if err := yaml.Unmarshal(m.Document, &doc); err != nil || doc.Transfer.Kind == 0 {
		return nil, &SpecError{File: file, Msg: "no transfer: key"}
	}
	// Re-encode the sub-document, keeping its lines for messages.
	out, err := yaml.Marshal(&doc.Transfer)
	if err != nil {
		return nil, err
	}
	pad := strings.Repeat("\n", max(0, doc.Transfer.Line-1))
	text := string(out)
	if !strings.Contains(text, "source:") {
		text = "source: self\n" + text
		pad = pad[min(1, len(pad)):]
	}
	if !strings.Contains(text, "target:") {
		text = "target: self\n" + text
		pad = pad[min(1, len(pad)):]
	}
	sp, err := Parse(file, []byte(pad+text))
	if err != nil {
		return nil, err
	}
	sp.Name = "migration_" + m.Version.String()
	return sp, nil
}

// Plan implements [migrate.StepRunner]: up copies the tables of the spec,
// which is the plan's Prepared value; a transfer has no down.
func (s *Step) Plan(m *migrate.Migration, dir migrate.Direction) (*migrate.StepPlan, error) {
	if dir == migrate.Down {
		return nil, fmt.Errorf("%w: a transfer step has no automatic down", migrate.ErrNoDown)
	}
	sp, err := s.Spec(m)
	if err != nil {
		return nil, err
	}
	plan := &migrate.StepPlan{Mode: "transfer migration", Ends: migrate.StateApplied, Prepared: sp}
	for _, t := range sp.Tables {
		plan.Actions = append(plan.Actions, fmt.Sprintf("-- transfer %s → %s (key %s, on_conflict %s, create %v)", t.From, t.To, strings.Join(t.Key, ", "), t.OnConflict, t.Create))
	}
	return plan, nil
}

// Up implements [migrate.StepRunner]: it runs the planned transfer,
// resuming from the checkpoints of an earlier attempt of the same
// migration.
func (s *Step) Up(ctx context.Context, env migrate.StepEnv, m *migrate.Migration, plan *migrate.StepPlan) (string, error) {
	sp, ok := plan.Prepared.(*Spec)
	if !ok {
		var err error
		if sp, err = s.Spec(m); err != nil {
			return "", err
		}
	}
	self := &connect.Target{DB: env.DB, Dialect: env.Dialect}
	open := func(u string) (*connect.Target, func(), error) {
		if u == "self" {
			return self, func() {}, nil
		}
		o := s.Open
		if o == nil {
			o = connect.Open
		}
		t, err := o(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		return t, func() { t.Close() }, nil
	}
	src, closeSrc, err := open(sp.Source)
	if err != nil {
		return "", err
	}
	defer closeSrc()
	dst, closeDst, err := open(sp.Target)
	if err != nil {
		return "", err
	}
	defer closeDst()
	var obs migrate.Observer
	if env.Emit != nil {
		obs = migrate.ObserverFunc(func(ctx context.Context, e migrate.Event) {
			e.Version, e.Name = m.Version, m.Name
			env.Emit(ctx, e)
		})
	}
	res, err := Run(ctx, src, dst, sp, Options{Resume: true, Observer: obs, Logger: env.Logger})
	if err != nil {
		return "", err
	}
	for _, t := range res.Tables {
		if !t.Balanced() {
			return "", fmt.Errorf("table %s: read %d ≠ written %d + quarantined %d + skipped %d", t.To, t.Read, t.Written, t.Quarantined, t.Skipped)
		}
	}
	return "", nil
}

// Down refuses: a copy has no automatic way back; give the migration a
// down file that drops or empties what it filled.
func (s *Step) Down(context.Context, migrate.StepEnv, *migrate.Migration, *migrate.StepPlan) error {
	return fmt.Errorf("%w: a transfer step has no automatic down", migrate.ErrNoDown)
}
