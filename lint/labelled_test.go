package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
)

// The labelled set (testdata/labelled) is PostgreSQL migrations, each
// labelled unsafe (it rewrites or scans a table in use under a lock that
// blocks it, fails on a table with rows, or breaks the running code) or
// safe, with where the case comes from and why. They run against
// testdata/labelled/schema.sql, a small application schema with rows.
//
// A migration is "refused" when it has an error-level finding: `strata
// lint` exits 3. The goal (issue 13) is at least 95% of the unsafe ones
// refused and at most 5% of the safe ones.
const (
	labelledMinRecall        = 0.95
	labelledMaxFalseRefusals = 0.05
)

var reLabel = regexp.MustCompile(`(?m)^-- label: (safe|unsafe)$`)

type labelledCase struct {
	name, label, version string
	src                  []byte
}

func labelledCases(t *testing.T) []labelledCase {
	t.Helper()
	var out []labelledCase
	for _, label := range []string{"unsafe", "safe"} {
		files, err := filepath.Glob(filepath.Join("testdata", "labelled", label, "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s cases: %v", label, err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := reLabel.FindSubmatch(src)
			if m == nil || string(m[1]) != label {
				t.Fatalf("%s: its -- label: line must say %s", f, label)
			}
			c := labelledCase{name: f, label: label, version: "15", src: src}
			if v := reVersion.FindSubmatch(src); v != nil {
				c.version = string(v[1])
			}
			out = append(out, c)
		}
	}
	return out
}

// labelledScore lints every case, with what live reads from the database
// (nil: the file alone), and returns the share of unsafe cases refused, of safe
// cases refused, and the cases on the wrong side.
func labelledScore(t *testing.T, cases []labelledCase, live func(labelledCase) *LiveColumns) (recall, falseRefusals float64, wrong []string) {
	t.Helper()
	var unsafe, safe, refusedUnsafe, refusedSafe int
	for _, c := range cases {
		opts := Options{ServerVersion: c.version}
		if live != nil {
			lc := live(c)
			opts.ColumnTypes, opts.IndexedColumns = lc.Types, lc.Indexed
		}
		l, err := New(opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rep, err := l.LintFile(context.Background(), c.name, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		refused := rep.Errors() > 0
		var rules []string
		for _, f := range rep.Findings {
			if f.Severity == Error {
				rules = append(rules, f.Rule)
			}
		}
		switch {
		case c.label == "unsafe":
			unsafe++
			if refused {
				refusedUnsafe++
			} else {
				wrong = append(wrong, "not refused: "+c.name)
			}
		default:
			safe++
			if refused {
				refusedSafe++
				wrong = append(wrong, fmt.Sprintf("refused: %s (%s)", c.name, strings.Join(rules, ", ")))
			}
		}
	}
	sort.Strings(wrong)
	return float64(refusedUnsafe) / float64(unsafe), float64(refusedSafe) / float64(safe), wrong
}

// TestLabelledSet measures the linter on the labelled set twice: each file
// alone, as `strata lint FILE` sees it, and with the old column types read
// from a database holding the fixture schema, as `strata up` (and `strata
// lint --database`) lint. bench/lint/labelled.sh runs every case with
// strata up on a copy of that database, to keep the set valid SQL for it.
func TestLabelledSet(t *testing.T) {
	cases := labelledCases(t)
	recall, falseRef, wrong := labelledScore(t, cases, nil)
	t.Logf("file alone: %.1f%% of the unsafe refused, %.1f%% of the safe refused", recall*100, falseRef*100)
	for _, w := range wrong {
		t.Logf("  file alone, %s", w)
	}
	if recall < labelledMinRecall {
		t.Errorf("file alone: %.1f%% of the unsafe refused, want at least %.0f%%", recall*100, labelledMinRecall*100)
	}

	e := testenv.Open(t, "postgres", testenv.Postgres(t))
	ctx := context.Background()
	schema, err := os.ReadFile(filepath.Join("testdata", "labelled", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.ExecContext(ctx, string(schema)); err != nil {
		t.Fatalf("load the fixture schema: %v", err)
	}
	live := func(c labelledCase) *LiveColumns {
		lc, err := ReadLiveColumns(ctx, e.Dialect, e.DB, string(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		return lc
	}
	recall, falseRef, wrong = labelledScore(t, cases, live)
	t.Logf("with the database: %.1f%% of the unsafe refused, %.1f%% of the safe refused", recall*100, falseRef*100)
	for _, w := range wrong {
		t.Logf("  with the database, %s", w)
	}
	if recall < labelledMinRecall || falseRef > labelledMaxFalseRefusals {
		t.Errorf("with the database: %.1f%% of the unsafe refused (want ≥ %.0f%%), %.1f%% of the safe (want ≤ %.0f%%)",
			recall*100, labelledMinRecall*100, falseRef*100, labelledMaxFalseRefusals*100)
	}
}
