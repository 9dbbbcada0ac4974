package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-db/strata/migrate"
)

// rowCountCheck is a minimal Checker: its post-check wants table t to hold
// exactly want rows; its pre-check refuses migrations named "blocked".
type rowCountCheck struct{ want int }

func (c rowCountCheck) Pre(_ context.Context, _ migrate.Querier, m *migrate.Migration) error {
	if m.Name == "blocked" {
		return errors.New("blocked by rule")
	}
	return nil
}

func (c rowCountCheck) Post(ctx context.Context, q migrate.Querier, m *migrate.Migration) error {
	if m.Checks == nil {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		return err
	}
	if n != c.want {
		return fmt.Errorf("row_count t: %d rows, want %d", n, c.want)
	}
	return nil
}

func TestChecksBlockAndRollBack(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_t.sql", "CREATE TABLE t (id int);")
		e.write("2_fill.sql", "-- strata:up\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n-- strata:down\nDELETE FROM t;\n")
		e.write("2_fill.checks.yaml", "post: [{row_count: {table: t, equals: 3}}]\n")
		p := e.provider(migrate.WithChecker(rowCountCheck{want: 3}))
		_, err := p.Up(e.ctx)
		if err == nil || !strings.Contains(err.Error(), "post-check: row_count t: 2 rows, want 3") {
			t.Fatalf("err = %v", err)
		}
		if n := e.count("SELECT count(*) FROM t"); n != 0 {
			t.Fatalf("t has %d rows after the failed post-check: it must be as before", n)
		}
		if _, ok := e.states()["2"]; ok {
			t.Fatalf("history has the rolled-back migration: %v", e.states())
		}
		e.write("3_blocked.sql", "INSERT INTO t VALUES (9);")
		_, err = e.provider(migrate.WithChecker(rowCountCheck{want: 2})).Up(e.ctx)
		if err == nil || !strings.Contains(err.Error(), "pre-check: blocked by rule") {
			t.Fatalf("pre-check: %v", err)
		}
		if n := e.count("SELECT count(*) FROM t"); n != 2 {
			t.Fatalf("t has %d rows, want the 2 of migration 2", n)
		}
	})
}
