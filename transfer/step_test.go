package transfer_test

import (
	"context"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/transfer"
)

// A transfer: document runs as a migration step on the migration's own
// database.
func TestStepCopiesWithinTheMigrationDatabase(t *testing.T) {
	u := testenv.Postgres(t)
	db := open(t, u)
	exec(t, db, "CREATE TABLE users (id int PRIMARY KEY, first text, last text)", "INSERT INTO users VALUES (1, 'Ada', 'Lovelace'), (2, 'Alan', NULL)")
	m := &migrate.Migration{Version: "42", Name: "users_v2", Files: []string{"42_users_v2.yaml"}, Document: []byte(`transfer:
  tables:
    - from: users
      to: users_v2
      key: id
      create: true
      rules:
        - concat: {into: full_name, from: [first, last], sep: " "}
      columns:
        drop: [first, last]
`)}
	s := &transfer.Step{}
	plan, err := s.Plan(m, migrate.Up)
	if err != nil || len(plan.Actions) != 1 {
		t.Fatalf("plan %v %v", plan, err)
	}
	_, err = s.Up(context.Background(), migrate.StepEnv{DB: db.DB, Dialect: db.Dialect}, m, plan)
	if err != nil || plan.Ends != migrate.StateApplied {
		t.Fatalf("up: %q %v", plan.Ends, err)
	}
	expect(t, db, "SELECT string_agg(id || ':' || full_name, ',' ORDER BY id) FROM users_v2", "1:Ada Lovelace,2:Alan")
}
