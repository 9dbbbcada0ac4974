package lint

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRulesDoc keeps RULES.md in step with the catalogue (go test ./lint
// -update rewrites it).
func TestRulesDoc(t *testing.T) {
	var b strings.Builder
	b.WriteString("# strata lint rules\n\nGenerated from `lint.Rules()` by `go test ./lint -update`; do not edit.\n")
	b.WriteString("Set a rule to `error`, `warning` or `off` in strata.yaml under `lint.rules`, or silence it on one statement with\n`-- strata:lint-ignore RULE -- reason`.\n\n")
	b.WriteString("| rule | engines | default | what it catches |\n| --- | --- | --- | --- |\n")
	for _, r := range Rules() {
		var engines []string
		for _, e := range r.Engines {
			engines = append(engines, string(e))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, strings.Join(engines, ", "), r.Severity, strings.ReplaceAll(r.Summary, "|", "\\|"))
	}
	if *update {
		if err := os.WriteFile("RULES.md", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("RULES.md")
	if err != nil || string(got) != b.String() {
		t.Fatalf("RULES.md is out of date: run go test ./lint -update")
	}
}
