package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/migrate"
)

// validatePair adds a constraint NOT VALID and validates it: safe outside a
// transaction, validate-in-transaction inside one. Whether it is flagged
// says which transaction mode the linter read from the file.
const validatePair = "ALTER TABLE orders ADD CONSTRAINT total_pos CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT total_pos;\n"

// TestLintReadsEveryFormatAsTheRunnerDoes lints, for each format, a file
// whose no-transaction directive is written as that tool's users write it
// (goose in lower case, dbmate without a space, Flyway in a .conf file,
// strata in mixed case): the linter must read it as strata's runner does,
// from a directory and from the file named on its own.
func TestLintReadsEveryFormatAsTheRunnerDoes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files map[string]string
		file  string // the file named on its own
	}{
		{"goose in lower case", map[string]string{
			"00001_total.sql": "-- +goose no transaction\n-- +goose up\n" + validatePair + "-- +goose down\nALTER TABLE orders DROP CONSTRAINT total_pos;\n",
		}, "00001_total.sql"},
		{"dbmate without a space", map[string]string{
			"20240101000000_total.sql": "--migrate:up transaction:false\n" + validatePair + "--migrate:down\nALTER TABLE orders DROP CONSTRAINT total_pos;\n",
		}, "20240101000000_total.sql"},
		{"flyway script configuration", map[string]string{
			"V1__total.sql":      validatePair,
			"V1__total.sql.conf": "executeInTransaction=false\n",
		}, "V1__total.sql"},
		{"strata in mixed case", map[string]string{
			"0001_total.sql": "-- STRATA:No-Transaction\n" + validatePair,
		}, "0001_total.sql"},
		{"golang-migrate down file", map[string]string{
			"1_total.up.sql":   "ALTER TABLE orders ADD COLUMN total int;\n",
			"1_total.down.sql": "-- strata:no-transaction\n" + validatePair,
		}, "1_total.down.sql"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// The runner reads the script as running outside a transaction.
			ms, err := migrate.Load(os.DirFS(dir), migrate.LoadOptions{Engine: "postgres"})
			if err != nil {
				t.Fatal(err)
			}
			sc := ms[0].Up
			if strings.Contains(c.file, ".down.") {
				sc = ms[0].Down
			}
			if !sc.NoTransaction {
				t.Fatalf("the runner runs %s in a transaction: the fixture is wrong", c.file)
			}
			l := mustNew(t, Options{ServerVersion: "15", IncludeDown: true})
			for _, path := range []string{dir, filepath.Join(dir, c.file)} {
				rep, err := l.LintPaths(context.Background(), []string{path})
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if got := rulesOf(rep, Error); got != "" {
					t.Errorf("%s: error-level findings %q, want none: the linter read a transaction the runner does not open", path, got)
				}
				if !strings.Contains(strings.Join(rep.Files, " "), c.file) {
					t.Errorf("%s: files %v lack %s", path, rep.Files, c.file)
				}
			}
		})
	}
}

// TestLintFlagsTheSameStatementsInATransaction is the control of the test
// above: without the directive, the pair runs in one transaction and is
// flagged.
func TestLintFlagsTheSameStatementsInATransaction(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"00001_total.sql":          "-- +goose up\n" + validatePair,
		"20240101000000_total.sql": "--migrate:up\n" + validatePair,
		"V1__total.sql":            validatePair,
		"total.sql":                validatePair,
	} {
		rep, err := mustNew(t, Options{ServerVersion: "15"}).LintFile(context.Background(), name, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := rulesOf(rep, Error); got != "validate-in-transaction" {
			t.Errorf("%s: error-level findings %q, want validate-in-transaction", name, got)
		}
	}
}

// TestLintNamesTheFileOfAParseError reports a file the runner's parser
// rejects under its own name, whatever name it was parsed under.
func TestLintNamesTheFileOfAParseError(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"notes.sql", "dir/2_x.down.sql", "U3__undo.sql"} {
		_, err := mustNew(t, Options{IncludeDown: true}).LintFile(context.Background(), name, []byte("-- +goose up\n-- +goose StatementBegin\nSELECT 1;\n"))
		var pe *ParseError
		if !asParseError(err, &pe) || pe.File != name || pe.Line == 0 {
			t.Errorf("%s: error %v, want a *ParseError naming the file and line", name, err)
		}
	}
}

func asParseError(err error, target **ParseError) bool {
	pe, ok := err.(*ParseError)
	if ok {
		*target = pe
	}
	return ok
}
