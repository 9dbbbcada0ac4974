package lint

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/migrate"
)

func loadOne(t *testing.T, name, src string) *migrate.Migration {
	t.Helper()
	ms, err := migrate.Load(fstest.MapFS{name: &fstest.MapFile{Data: []byte(src)}}, migrate.LoadOptions{Engine: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	return ms[0]
}

// The linter reads a migration as the runner parsed it: a goose file whose
// lower-case `no transaction` annotation makes goose (and strata) run it
// outside a transaction is not reported as CONCURRENTLY inside one, and
// lint-ignore comments above a statement, after it on its line and above
// the first section apply where the author put them.
func TestLintScriptReadsTheRunnersParse(t *testing.T) {
	l := mustNew(t, Options{ServerVersion: "15", Runner: true})
	cases := []struct {
		name, file, src string
		errors          string // error-level rules, in order
		ignored         int
	}{
		{"goose lower-case no transaction", "1_i.sql",
			"-- +goose Up\n-- +goose no transaction\nCREATE INDEX CONCURRENTLY i ON users (email);\n-- +goose Down\nDROP INDEX i;\n", "", 0},
		{"goose without the annotation runs in its transaction", "1_i.sql",
			"-- +goose Up\nCREATE INDEX i ON users (email);\n", "create-index-non-concurrent", 0},
		{"a lint-ignore after the statement on its line", "2_i.sql",
			"CREATE INDEX i ON users (email); -- strata:lint-ignore create-index-non-concurrent -- users is tiny\nCREATE INDEX j ON users (name);\n", "create-index-non-concurrent", 1},
		{"a lint-ignore above the first section covers the file", "3_i.sql",
			"-- strata:lint-ignore create-index-non-concurrent -- built before launch\n-- strata:up\nCREATE INDEX i ON users (email);\nCREATE INDEX j ON users (name);\n-- strata:down\nDROP INDEX j;\n", "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := loadOne(t, c.file, c.src)
			rep, err := l.LintScript(context.Background(), m, m.Up)
			if err != nil {
				t.Fatal(err)
			}
			if got := rulesOf(rep, Error); got != c.errors || rep.Ignored != c.ignored {
				t.Fatalf("errors %q ignored %d, want %q and %d", got, rep.Ignored, c.errors, c.ignored)
			}
			for _, f := range rep.Findings {
				if f.File != c.file || f.Line < 2 {
					t.Errorf("finding at %s:%d", f.File, f.Line)
				}
			}
		})
	}
}

// As the safety gate's inspector, error-level findings block, and the
// report rebuilt from the gate's verdict keeps the source for underlines.
func TestInspectorFindingsBlock(t *testing.T) {
	l := mustNew(t, Options{ServerVersion: "15", Runner: true})
	m := loadOne(t, "4_i.sql", "SELECT 1;\nCREATE INDEX i ON users (email);\n")
	fs, err := l.Inspect(context.Background(), m, m.Up)
	if err != nil || len(fs) != 1 || !fs[0].Blocking || fs[0].Line != 2 || fs[0].Object == "" {
		t.Fatalf("findings %+v %v", fs, err)
	}
	fs[0].Blocking = false
	rep := SafetyReport(&migrate.SafetyReport{Findings: fs})
	if rep.Errors() != 0 || rep.Warnings() != 1 || rep.Sources["4_i.sql"] == "" {
		t.Fatalf("report %+v", rep)
	}
}
