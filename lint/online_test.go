package lint

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/strata-db/strata/online"
)

// TestOnlineRewritesParse checks that every online rewrite the linter
// suggests for the golden files is a valid strata online migration.
func TestOnlineRewritesParse(t *testing.T) {
	files, _ := filepath.Glob("testdata/pg/*.sql")
	l := mustNew(t, Options{ServerVersion: "15"})
	n := 0
	for _, file := range files {
		src, _ := os.ReadFile(file)
		rep, err := l.LintFile(context.Background(), file, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.Online == "" {
				continue
			}
			n++
			if _, err := online.Parse(f.Rule+".yaml", []byte(f.Online)); err != nil {
				t.Errorf("%s:%d %s: %v\n%s", file, f.Line, f.Rule, err, f.Online)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d online rewrites", n)
	}
}
