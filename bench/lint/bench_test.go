package lintbench

import (
	"context"
	"io"
	"testing"

	"github.com/strata-db/strata/lint"
)

// BenchmarkLint1000 lints 1,000 generated migration files in one call, as
// `strata lint DIR` does, including the text report.
func BenchmarkLint1000(b *testing.B) {
	dir := b.TempDir()
	if err := Generate(dir, 1000); err != nil {
		b.Fatal(err)
	}
	l, err := lint.New(lint.Options{Engine: lint.Postgres, ServerVersion: "15"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := l.LintPaths(context.Background(), []string{dir})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Files) != 1000 {
			b.Fatalf("linted %d files", len(rep.Files))
		}
		_ = lint.WriteText(io.Discard, rep, lint.TextOptions{})
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "files/s")
}

// TestGenerateLintsAsExpected keeps the generated mix honest: some files
// have errors, none fail to parse.
func TestGenerateLintsAsExpected(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(dir, 60); err != nil {
		t.Fatal(err)
	}
	l, _ := lint.New(lint.Options{Engine: lint.Postgres, ServerVersion: "15"})
	rep, err := l.LintPaths(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors() == 0 || rep.Errors() > 40 {
		t.Fatalf("%d errors in 60 files", rep.Errors())
	}
}
