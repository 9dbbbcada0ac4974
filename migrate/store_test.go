package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// memStore is a Store the way a key-value engine without transactions
// implements it: conditional writes, and the runner lock as a lease renewed
// by a heartbeat.
type memStore struct {
	mu      sync.Mutex
	recs    map[migrate.Version]migrate.Record
	owner   string // lease holder, "" when free
	expires time.Time
	leases  int
}

var _ migrate.Store = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{recs: map[migrate.Version]migrate.Record{}} }

func (s *memStore) Ensure(context.Context) error { return nil }

func (s *memStore) List(context.Context) ([]migrate.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []migrate.Record
	for _, r := range s.recs {
		out = append(out, r)
	}
	return out, nil
}

func (s *memStore) Insert(_ context.Context, r migrate.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recs[r.Version]; ok {
		return fmt.Errorf("insert %s: conditional write failed: it exists", r.Version)
	}
	s.recs[r.Version] = r
	return nil
}

func (s *memStore) Update(_ context.Context, r migrate.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recs[r.Version]; !ok {
		return fmt.Errorf("update %s: conditional write failed: it does not exist", r.Version)
	}
	s.recs[r.Version] = r
	return nil
}

func (s *memStore) Delete(_ context.Context, v migrate.Version) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, v)
	return nil
}

// Lock takes the lease if it is free or expired, and renews it every 5ms
// while it is still the owner.
func (s *memStore) Lock(ctx context.Context, _ dialect.LockOptions) (dialect.Lock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner != "" && time.Now().Before(s.expires) {
		return nil, fmt.Errorf("held by %s: %w", s.owner, dialect.ErrLockTimeout)
	}
	s.leases++
	l := &lease{s: s, id: fmt.Sprintf("runner-%d", s.leases), lost: make(chan struct{}), done: make(chan struct{})}
	s.owner, s.expires = l.id, time.Now().Add(50*time.Millisecond)
	go l.heartbeat()
	return l, nil
}

// steal hands the lease to another owner, as an expiry during a pause would.
func (s *memStore) steal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owner, s.expires = "someone-else", time.Now().Add(time.Hour)
}

type lease struct {
	s        *memStore
	id       string
	lost     chan struct{}
	done     chan struct{}
	lostOnce sync.Once
	doneOnce sync.Once
}

func (l *lease) heartbeat() {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			if l.renew() != nil {
				l.lostOnce.Do(func() { close(l.lost) })
				return
			}
		}
	}
}

// renew extends the lease, conditional on still owning it.
func (l *lease) renew() error {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.owner != l.id {
		return dialect.ErrLockLost
	}
	l.s.expires = time.Now().Add(50 * time.Millisecond)
	return nil
}

func (l *lease) Lost() <-chan struct{}      { return l.lost }
func (l *lease) Held(context.Context) error { return l.renew() }
func (l *lease) Unlock(context.Context) error {
	l.doneOnce.Do(func() { close(l.done) })
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.owner == l.id {
		l.s.owner = ""
	}
	return nil
}

// docRunner runs "doc:" YAML migrations against an in-memory key space, as
// a NoSQL engine's step runner would.
type docRunner struct {
	mu     sync.Mutex
	keys   map[string]string
	ends   migrate.State
	onUp   func(ctx context.Context, m *migrate.Migration) error
	planOf map[migrate.Version]*migrate.StepPlan // what Plan returned last
	ranOf  map[migrate.Version]*migrate.StepPlan // what Up ran
}

type docSpec struct {
	Doc struct {
		Set string `yaml:"set"`
	} `yaml:"doc"`
}

func newDocRunner() *docRunner {
	return &docRunner{keys: map[string]string{}, planOf: map[migrate.Version]*migrate.StepPlan{}, ranOf: map[migrate.Version]*migrate.StepPlan{}}
}

func (r *docRunner) Claim(doc []byte) bool { return strings.HasPrefix(string(doc), "doc:") }

func (r *docRunner) Plan(m *migrate.Migration, dir migrate.Direction) (*migrate.StepPlan, error) {
	var spec docSpec
	if err := yaml.Unmarshal(m.Document, &spec); err != nil || spec.Doc.Set == "" {
		return nil, &migrate.ParseError{File: m.File(), Line: 1, Msg: "doc: wants set: KEY"}
	}
	sp := &migrate.StepPlan{Mode: "doc", Actions: []string{string(dir) + " " + spec.Doc.Set}, Ends: r.ends, Prepared: spec.Doc.Set}
	if r.ends == migrate.StateExpanded {
		sp.Next = "`strata complete " + string(m.Version) + "`"
	}
	r.mu.Lock()
	r.planOf[m.Version] = sp
	r.mu.Unlock()
	return sp, nil
}

func (r *docRunner) Up(ctx context.Context, env migrate.StepEnv, m *migrate.Migration, plan *migrate.StepPlan) (string, error) {
	if r.onUp != nil {
		if err := r.onUp(ctx, m); err != nil {
			return "", err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys[plan.Prepared.(string)] = string(m.Version)
	r.ranOf[m.Version] = plan
	return `{"done":true}`, nil
}

func (r *docRunner) Down(_ context.Context, _ migrate.StepEnv, _ *migrate.Migration, plan *migrate.StepPlan) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.keys, plan.Prepared.(string))
	return nil
}

func (r *docRunner) Complete(context.Context, migrate.StepEnv, *migrate.Migration) (string, error) {
	return "", nil
}
func (r *docRunner) Abort(context.Context, migrate.StepEnv, *migrate.Migration) error { return nil }

func docProvider(t *testing.T, s migrate.Store, r *docRunner, files fstest.MapFS) *migrate.Provider {
	t.Helper()
	tg := testenv.Open(t, "sqlite", testenv.SQLite(t))
	opts := []migrate.Option{migrate.WithDialect(tg.Dialect), migrate.WithStepRunner("doc", r)}
	if s != nil {
		opts = append(opts, migrate.WithStore(s))
	}
	p, err := migrate.NewProvider(tg.DB, files, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func docFiles(names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i, n := range names {
		fsys[fmt.Sprintf("%d_%s.yaml", i+1, n)] = &fstest.MapFile{Data: []byte("doc:\n  set: " + n + "\n")}
	}
	return fsys
}

// A store with no transactions and only conditional writes keeps the
// history of a run, and its lease is the runner lock.
func TestStoreWithoutTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, r := newMemStore(), newDocRunner()
	p := docProvider(t, s, r, docFiles("users", "orders"))
	res, err := p.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Done) != 2 || r.keys["users"] != "1" || r.keys["orders"] != "2" {
		t.Fatalf("done %+v keys %v", res.Done, r.keys)
	}
	if s.recs["2"].State != migrate.StateApplied || s.recs["2"].Kind != "doc" || s.recs["2"].Progress != `{"done":true}` {
		t.Fatalf("record %+v", s.recs["2"])
	}
	if s.owner != "" {
		t.Fatalf("lease still held by %s", s.owner)
	}
	if _, err := p.Down(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.recs["2"]; ok || r.keys["orders"] != "" {
		t.Fatalf("down left %+v %v", s.recs, r.keys)
	}
	sts, err := p.Status(ctx)
	if err != nil || len(sts) != 2 || sts[0].State != migrate.StateApplied || sts[1].State != migrate.StatePending {
		t.Fatalf("status %+v %v", sts, err)
	}
}

// When the lease is lost in the middle of a run, the running migration's
// context is cancelled and nothing after it runs.
func TestLostLeaseStopsTheRun(t *testing.T) {
	t.Parallel()
	s, r := newMemStore(), newDocRunner()
	r.onUp = func(ctx context.Context, m *migrate.Migration) error {
		if m.Version != "1" {
			return nil
		}
		s.steal()
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(5 * time.Second):
			return errors.New("the run went on without its lock")
		}
	}
	p := docProvider(t, s, r, docFiles("users", "orders"))
	res, err := p.Up(context.Background())
	if !errors.Is(err, dialect.ErrLockLost) {
		t.Fatalf("err = %v, want the lock lost", err)
	}
	if len(res.Done) != 0 || len(res.NotRun) != 1 || res.NotRun[0] != "2" || r.keys["orders"] != "" {
		t.Fatalf("done %+v not run %v keys %v", res.Done, res.NotRun, r.keys)
	}
	if rec := s.recs["1"]; rec.State != migrate.StateFailed {
		t.Fatalf("record %+v", rec)
	}
}

// A SQL migration must record its history in its own transaction; a store
// that cannot join one refuses it before anything of it is committed.
func TestSQLMigrationNeedsATransactionalStore(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"1_a.sql": &fstest.MapFile{Data: []byte("CREATE TABLE a (id int);")}}
	p := docProvider(t, newMemStore(), newDocRunner(), fsys)
	_, err := p.Up(context.Background())
	var merr *migrate.MigrationError
	if !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &merr) || !strings.Contains(merr.Outcome, "rolled back") {
		t.Fatalf("err = %v", err)
	}
}

// Runners claim their own documents; a document nobody claims, one two
// runners claim, and one its runner cannot plan fail when the directory is
// loaded, naming the file.
func TestStepRunnersClaimAndPlanTheirDocuments(t *testing.T) {
	t.Parallel()
	tg := testenv.Open(t, "sqlite", testenv.SQLite(t))
	cases := []struct {
		name, doc string
		runners   int
		want      string
	}{
		{"a document nobody claims", "other: 1\n", 1, "1_x.yaml: no step runner on sqlite takes this document (its top-level keys are other:; registered: doc)"},
		{"a document that is not YAML", "other: [\n", 1, "1_x.yaml: line 1: did not find expected node content"},
		{"a document two runners claim", "doc:\n  set: k\n", 2, "1_x.yaml: claimed by more than one step runner (doc, doc2)"},
		{"a document its runner cannot plan", "doc:\n  other: k\n", 1, "1_x.yaml:1: doc: wants set: KEY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []migrate.Option{migrate.WithDialect(tg.Dialect), migrate.WithStepRunner("doc", newDocRunner())}
			if c.runners == 2 {
				opts = append(opts, migrate.WithStepRunner("doc2", newDocRunner()))
			}
			_, err := migrate.NewProvider(tg.DB, fstest.MapFS{"1_x.yaml": &fstest.MapFile{Data: []byte(c.doc)}}, opts...)
			var pe *migrate.ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// The plan of a declarative step is what runs: Up gets the very plan the
// run showed, and the state it ends in is the plan's, a typed value.
func TestDeclarativeStepRunsItsPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newDocRunner()
	r.ends = migrate.StateExpanded
	p := docProvider(t, nil, r, docFiles("users"))
	pl, err := p.Plan(ctx, migrate.Request{})
	if err != nil || pl.Steps[0].Mode != "doc" || strings.Join(pl.Steps[0].Describe, ";") != "up users" {
		t.Fatalf("plan %+v %v", pl, err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.ranOf["1"] != r.planOf["1"] {
		t.Fatal("Up ran another plan than the run's")
	}
	if d := res.Done[0]; d.State != migrate.StateExpanded || d.Next != "`strata complete 1`" {
		t.Fatalf("result %+v", d)
	}
	// complete and abort of a pending migration say it is pending.
	p2 := docProvider(t, nil, newDocRunner(), docFiles("users", "orders"))
	for _, call := range []func(context.Context, migrate.Version) (*migrate.Result, error){p2.Complete, p2.Abort} {
		if _, err := call(ctx, "2"); !errors.Is(err, migrate.ErrNotExpanded) || !strings.Contains(err.Error(), "2 is pending") {
			t.Fatalf("err = %v", err)
		}
	}
	if _, err := p2.Abort(ctx, "9"); !errors.Is(err, migrate.ErrUnknownVersion) {
		t.Fatalf("err = %v", err)
	}
}
