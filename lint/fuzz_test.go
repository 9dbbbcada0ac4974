package lint

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(b)
		}
	}
}

// FuzzLint lints arbitrary files as both engines: it must never panic, must
// return a *ParseError or a report, and every finding must point inside the
// file.
func FuzzLint(f *testing.F) {
	addSeeds(f, "testdata/pg/*.sql")
	addSeeds(f, "testdata/mysql/*.sql")
	f.Add([]byte("DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN %s int', t, c); END $$;"))
	f.Add([]byte("-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n-- +goose Down\n"))
	pgl, _ := New(Options{Engine: Postgres, ServerVersion: "15", IncludeDown: true})
	pgOld, _ := New(Options{Engine: Postgres, ServerVersion: "9.6"})
	myl, _ := New(Options{Engine: MySQL})
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, l := range []*Linter{pgl, pgOld, myl} {
			rep, err := l.LintFile(context.Background(), "fuzz.sql", src)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error is not a *ParseError: %v", err)
				}
				continue
			}
			for _, fd := range rep.Findings {
				if fd.Line < 1 || fd.Line > lines || fd.Col < 1 {
					t.Fatalf("finding %s at %d:%d outside the file (%d lines)", fd.Rule, fd.Line, fd.Col, lines)
				}
				if _, ok := ruleByID[fd.Rule]; !ok {
					t.Fatalf("unknown rule %q", fd.Rule)
				}
			}
			var buf bytes.Buffer
			for _, format := range []Format{FormatText, FormatJSON, FormatSARIF, FormatGitHub} {
				buf.Reset()
				if err := Write(&buf, rep, format, TextOptions{Statements: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// FuzzEvalDynamic evaluates arbitrary EXECUTE expressions.
func FuzzEvalDynamic(f *testing.F) {
	f.Add("'ALTER TABLE ' || quote_ident(t) || ' ADD COLUMN x int'")
	f.Add("format('CREATE INDEX %I ON %I.%I (%s)', a, b, c, d)")
	f.Add("format('%1$s %1$I %%', x)")
	f.Add("concat('DROP ', 'TABLE ', t)")
	f.Fuzz(func(t *testing.T, expr string) {
		v, known := evalDynamic(expr)
		if known && strings.TrimSpace(strings.ReplaceAll(v, dynPlaceholder, "")) == "" {
			t.Fatalf("known but empty: %q", v)
		}
	})
}
