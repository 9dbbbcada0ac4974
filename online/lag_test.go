package online

import (
	"context"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/migrate"
)

// standbyEngine is PostgreSQL's engine on a server with a standby that lags
// by lag: the test servers have no standby to replicate to.
type standbyEngine struct {
	pgEngine
	lag time.Duration
}

func (e standbyEngine) load(ctx context.Context, q dialect.Querier) (time.Duration, int, error) {
	_, active, err := e.pgEngine.load(ctx, q)
	return e.lag, active, err
}

// TestReplicationLagEvents: a backfill reports the standbys' replay lag it
// reads for its throttle as replication_lag events, at most once a second,
// and none on a server without standbys; the step runner passes them on as
// the migrate events the metrics' strata_replication_lag_seconds follows.
func TestReplicationLagEvents(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	usersFixture(t, db, 10)
	m := parse(t, "operations:\n  - backfill: {table: users, set: {age: age + 1}}\n")
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var lags []time.Duration
	r := newRunner(db)
	r.Progress = func(e Event) {
		if e.Kind == EventReplicationLag {
			lags = append(lags, e.Lag)
		}
	}
	for _, eng := range []engine{pgEngine{}, standbyEngine{lag: 1500 * time.Millisecond}} {
		x := &Exec{quoting: quoting{postgres.Dialect{}}, r: r, d: postgres.Dialect{}, eng: eng, version: "1", m: m, st: newState("1", m)}
		for range 3 {
			if err := x.throttle(context.Background(), conn, "users"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(lags) != 1 || lags[0] != 1500*time.Millisecond {
		t.Errorf("replication_lag events: %v, want one of 1.5s (none without a standby, one a second with one)", lags)
	}

	var got []migrate.Event
	s := &Step{Runner: Runner{Schema: "public"}}
	sr, err := s.runner(context.Background(), migrate.StepEnv{DB: db, Dialect: postgres.Dialect{}, Emit: func(_ context.Context, e migrate.Event) { got = append(got, e) }},
		&migrate.Migration{Version: "1", Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	sr.Progress(Event{Kind: EventReplicationLag, Version: "1", Table: "users", Lag: 2 * time.Second})
	if len(got) != 1 || got[0].Kind != migrate.EventReplicationLag || got[0].Lag != 2*time.Second || got[0].Stream != "standby" || got[0].Version != "1" {
		t.Errorf("migrate events: %+v, want one replication_lag of 2s for stream standby", got)
	}
}
