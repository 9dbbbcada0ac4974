package lint

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

var (
	reExpect  = regexp.MustCompile(`(?m)^-- expect:(.*)$`)
	reVersion = regexp.MustCompile(`(?m)^-- server-version:\s*(\S+)`)
	reEngine  = regexp.MustCompile(`(?m)^-- engine:\s*(\S+)`)
	// reColumn passes an existing column's type in, as from the database:
	// -- column-type: orders.total numeric(10,2)
	reColumn = regexp.MustCompile(`(?m)^-- column-type:\s*(\S+)\s+(.+?)\s*$`)
)

// TestGolden lints every file in testdata/pg and testdata/mysql: the set of
// error-level rules must be the one the file's "-- expect:" line names
// ("none" for a safe migration), and the text output must match the
// .golden file beside it.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"testdata/pg", "testdata/mysql"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
		for _, file := range files {
			file := file
			name := strings.TrimSuffix(filepath.Base(file), ".sql")
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				src, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				m := reExpect.FindSubmatch(src)
				if m == nil {
					t.Fatalf("%s has no -- expect: line", file)
				}
				want := strings.Fields(string(m[1]))
				if len(want) == 1 && want[0] == "none" {
					want = nil
				}
				opts := Options{Engine: Postgres, ServerVersion: "15"}
				if strings.Contains(dir, "mysql") {
					opts = Options{Engine: MySQL, ServerVersion: "8.0.35"}
				}
				if v := reVersion.FindSubmatch(src); v != nil {
					opts.ServerVersion = string(v[1])
				}
				for _, c := range reColumn.FindAllSubmatch(src, -1) {
					if opts.ColumnTypes == nil {
						opts.ColumnTypes = map[string]string{}
					}
					opts.ColumnTypes[string(c[1])] = string(c[2])
				}
				l, err := New(opts)
				if err != nil {
					t.Fatal(err)
				}
				rep, err := l.LintFile(context.Background(), file, src)
				if err != nil {
					t.Fatalf("lint: %v", err)
				}
				got := map[string]bool{}
				for _, f := range rep.Findings {
					if f.Severity == Error {
						got[f.Rule] = true
					}
				}
				var gotList []string
				for r := range got {
					gotList = append(gotList, r)
				}
				sort.Strings(gotList)
				sort.Strings(want)
				if strings.Join(gotList, " ") != strings.Join(want, " ") {
					var buf bytes.Buffer
					_ = WriteText(&buf, rep, TextOptions{})
					t.Errorf("error-level rules = %v, want %v\n%s", gotList, want, buf.String())
				}
				var buf bytes.Buffer
				if err := WriteText(&buf, rep, TextOptions{Statements: true}); err != nil {
					t.Fatal(err)
				}
				golden := strings.TrimSuffix(file, ".sql") + ".golden"
				if *update {
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				wantOut, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./lint -update)", err)
				}
				if !bytes.Equal(buf.Bytes(), wantOut) {
					t.Errorf("output differs from %s (run go test ./lint -update and review the diff):\n%s", golden, buf.String())
				}
			})
		}
	}
}

// TestLeadingWordsMatchesTheRegexp: the hand-written scan kindOf uses
// finds what ^[A-Za-z]+(\s+[A-Za-z]+){0,3} finds.
func TestLeadingWordsMatchesTheRegexp(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z]+(\s+[A-Za-z]+){0,3}`)
	for _, s := range []string{"", "ALTER TABLE t ADD x", "create  unique\tindex\n concurrently i", "UPDATE", "UPDATE;", "  ALTER", "a b c d e f",
		"SET lock_timeout = 1", "CREATE OR REPLACE FUNCTION f", "DO $$", "WITH x AS (", "x1 y", "ab \r\ncd", "ab ", "é", "A\fB"} {
		if got, want := leadingWords(s), re.FindString(s); got != want {
			t.Errorf("leadingWords(%q) = %q, the regexp finds %q", s, got, want)
		}
	}
}
