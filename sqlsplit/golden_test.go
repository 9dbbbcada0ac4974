package sqlsplit

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// testdataFiles returns testdata/*.sql with the dialect each file's name
// starts with ("postgres_", "mysql_", "sqlite_").
func testdataFiles(tb testing.TB) map[string]Dialect {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.sql"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no testdata/*.sql: %v", err)
	}
	files := make(map[string]Dialect, len(paths))
	for _, p := range paths {
		prefix, _, _ := strings.Cut(filepath.Base(p), "_")
		d, err := ParseDialect(prefix)
		if err != nil {
			tb.Fatalf("%s: name must start with a dialect: %v", p, err)
		}
		files[p] = d
	}
	return files
}

// render writes statements in the golden format: a header line with the
// position, then the SQL.
func render(stmts []Statement) string {
	var b strings.Builder
	for i, s := range stmts {
		fmt.Fprintf(&b, "=== %d: line %d:%d-%d, offset %d\n%s\n", i+1, s.Line, s.Col, s.EndLine, s.Offset, s.SQL)
	}
	return b.String()
}

// TestGolden splits each testdata/x.sql and compares with x.golden. Run
// `go test -run TestGolden -update` after a deliberate change and review
// the diff.
func TestGolden(t *testing.T) {
	t.Parallel()
	for path, d := range testdataFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := Split(string(src), Options{Dialect: d})
			if err != nil {
				t.Fatalf("%s:%v", path, err)
			}
			got := render(stmts)
			golden := strings.TrimSuffix(path, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s; run go test -run TestGolden -update and review the diff\ngot:\n%s", path, golden, got)
			}
		})
	}
}
