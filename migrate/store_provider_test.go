package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/migrate"
)

// A target without SQL runs its YAML migrations with history and the lock
// in its Store alone: no *sql.DB is needed, and SQL files are refused.
func TestStoreProviderRunsWithoutSQL(t *testing.T) {
	s := newMemStore()
	r := newDocRunner()
	files := fstest.MapFS{
		"0001_a.yaml": {Data: []byte("doc: {set: a}\n")},
		"0002_b.yaml": {Data: []byte("doc: {set: b}\n")},
	}
	p, err := migrate.NewStoreProvider("kvstore", s, files, migrate.WithStepRunner(migrate.KindNoSQL, r))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := p.Up(ctx)
	if err != nil || len(res.Done) != 2 {
		t.Fatalf("Up = %+v, %v", res, err)
	}
	recs, _ := s.List(ctx)
	if len(recs) != 2 || recs[0].Kind != migrate.KindNoSQL || recs[0].State != migrate.StateApplied {
		t.Fatalf("history = %+v", recs)
	}
	if s.leases == 0 {
		t.Fatal("the run did not take the store's lock")
	}
	if _, err := p.DownTo(ctx, "0"); err != nil {
		t.Fatal(err)
	}
	if len(r.keys) != 0 {
		t.Fatalf("down left %v", r.keys)
	}
	if _, err := p.Baseline(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Version(ctx); v != "2" {
		t.Fatalf("version after baseline = %s", v)
	}

	_, err = migrate.NewStoreProvider("kvstore", s, fstest.MapFS{"0001_a.sql": {Data: []byte("SELECT 1;")}}, migrate.WithStepRunner(migrate.KindNoSQL, r))
	var pe migrate.ParseErrors
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "0001_a.sql: a SQL migration cannot run on kvstore") {
		t.Fatalf("a SQL file: %v", err)
	}
	if _, err := migrate.NewStoreProvider("kvstore", nil, files); err == nil {
		t.Fatal("a nil store was accepted")
	}
}
