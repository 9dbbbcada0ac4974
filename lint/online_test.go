package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

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

// TestYAMLScalarFastPathAgreesWithMarshal: the identifiers yamlScalar
// returns as they are are the ones yaml.Marshal returns unchanged.
func TestYAMLScalarFastPathAgreesWithMarshal(t *testing.T) {
	t.Parallel()
	in := []string{"orders", "t_12_name_6_idx", "public.orders", "Orders", "_x", "a1", "e1", "x.y.z",
		"y", "Y", "n", "yes", "No", "ON", "off", "true", "False", "null", "NULL", "inf", "nan", "Inf",
		"1abc", "123", ".5", "x.", "a-b", "a b", "~", "a:b", "#x", "", "0x1F", "1e3", "é", "yes_no", "onion"}
	for _, s := range in {
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimRight(string(out), "\n")
		if plainYAML(s) && want != s {
			t.Errorf("%q: the fast path returns it as is, yaml.Marshal gives %s", s, want)
		}
		if got := yamlScalar(s); got != want && !strings.Contains(want, "\n") {
			t.Errorf("yamlScalar(%q) = %s, yaml.Marshal gives %s", s, got, want)
		}
	}
}
