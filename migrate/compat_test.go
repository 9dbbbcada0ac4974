package migrate_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// TestCompatFixtures runs the directories in testdata/compat, each a pattern
// where strata once differed from the tool the files were written for, up
// and (where the files allow it) down to 0 on a real server.
func TestCompatFixtures(t *testing.T) {
	cases := []struct {
		dir, engine string
		down        bool
		check       func(t *testing.T, plan *migrate.Plan)
	}{
		{dir: "pg_rule_multi_action", engine: "postgres", down: true},
		{dir: "gm_missing_down", engine: "postgres", down: true},
		{dir: "goose_missing_down", engine: "postgres", down: true},
		{dir: "gm_stray_files", engine: "postgres", down: false, check: func(t *testing.T, plan *migrate.Plan) {
			if !strings.Contains(strings.Join(plan.Warnings, "\n"), "schema.sql left out") {
				t.Errorf("warnings = %q", plan.Warnings)
			}
		}},
		{dir: "flyway_callbacks_misnamed", engine: "mysql", check: func(t *testing.T, plan *migrate.Plan) {
			w := strings.Join(plan.Warnings, "\n")
			if !strings.Contains(w, "afterMigrate.sql left out") || !strings.Contains(w, "V2_region_typo.sql left out") {
				t.Errorf("warnings = %q", plan.Warnings)
			}
		}},
		{dir: "flyway_placeholders", engine: "mysql"},
		{dir: "flyway_repeatable_order", engine: "mysql"},
		{dir: "mysql_dash_comments", engine: "mysql"},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			t.Parallel()
			testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
				ctx := context.Background()
				p, err := migrate.NewProvider(e.DB, os.DirFS("testdata/compat/"+c.dir), migrate.WithDialect(e.Dialect), migrate.WithSkipMissingDown(true))
				if err != nil {
					t.Fatal(err)
				}
				plan, err := p.Plan(ctx, migrate.Request{Direction: migrate.Up})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Up(ctx); err != nil {
					t.Fatalf("up: %v", err)
				}
				if c.check != nil {
					c.check(t, plan)
				}
				if c.down {
					if _, err := p.DownTo(ctx, "0"); err != nil {
						t.Fatalf("down --to 0: %v", err)
					}
					if v, _ := p.Version(ctx); v != "0" {
						t.Fatalf("version after down --to 0 = %s", v)
					}
				}
			}, c.engine)
		})
	}
}
