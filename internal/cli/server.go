package cli

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
)

// server reads the product and version of a session's server once, when a
// command first needs them: whether online migrations can run there and
// which rules the linter applies depend on them. Commands that need
// neither do not ask. Safe for concurrent use.
type server struct {
	db   *sql.DB
	d    dialect.Dialect
	once sync.Once
	v    dialect.Version
	err  error
}

func (s *server) version(ctx context.Context) (dialect.Version, error) {
	s.once.Do(func() {
		s.v, s.err = s.d.ServerVersion(ctx, s.db)
		if s.err != nil {
			s.err = fmt.Errorf("read the server's version: %w", s.err)
		}
	})
	return s.v, s.err
}

// onlineRunner is the step runner of online migrations for the session:
// package online's, or, on a server where online migrations cannot run
// (they need PostgreSQL today), one that refuses each of them by name
// before anything runs. The server is asked only when the directory holds
// an online migration.
func (app *App) onlineRunner(ctx context.Context, srv *server, f *runFlags, loaded []*migrate.Migration) (migrate.StepRunner, error) {
	step := &online.Step{}
	if f != nil {
		step.Runner.LockTimeout, step.Runner.MaxLockWait, step.Runner.BatchTime = f.onlineLockTimeout, f.onlineMaxWait, f.batchTime
	}
	if !claimsAny(step, loaded) {
		return step, nil
	}
	v, err := srv.version(ctx)
	if err != nil {
		return nil, err
	}
	if v.Flavor != dialect.PostgreSQL {
		return onlineUnsupported{server: v}, nil
	}
	return step, nil
}

// claimsAny reports whether r claims one of the YAML migrations of ms.
func claimsAny(r migrate.StepRunner, ms []*migrate.Migration) bool {
	for _, m := range ms {
		if m.Document != nil && r.Claim(m.Document) {
			return true
		}
	}
	return false
}

// onlineUnsupported claims online migrations on a server that cannot run
// them, so that loading the directory names each one and says why, instead
// of calling its document one that no runner takes.
type onlineUnsupported struct {
	server dialect.Version
}

var _ migrate.StepRunner = onlineUnsupported{}

func (u onlineUnsupported) Claim(doc []byte) bool { return (&online.Step{}).Claim(doc) }

func (u onlineUnsupported) Plan(m *migrate.Migration, _ migrate.Direction) (*migrate.StepPlan, error) {
	return nil, u.refuse(m)
}

func (u onlineUnsupported) Up(_ context.Context, _ migrate.StepEnv, m *migrate.Migration, _ *migrate.StepPlan) (string, error) {
	return "", u.refuse(m)
}

func (u onlineUnsupported) Down(_ context.Context, _ migrate.StepEnv, m *migrate.Migration, _ *migrate.StepPlan) error {
	return u.refuse(m)
}

func (u onlineUnsupported) refuse(m *migrate.Migration) error {
	return &migrate.ParseError{File: m.File(), Msg: fmt.Sprintf("an online migration (operations:) needs PostgreSQL today, and this database is %s: write the change as a SQL migration, or run it against PostgreSQL", u.server)}
}
