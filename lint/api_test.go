package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustNew(t *testing.T, o Options) *Linter {
	t.Helper()
	l, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func rulesOf(rep *Report, sev Severity) string {
	var ids []string
	for _, f := range rep.Findings {
		if sev == "" || f.Severity == sev {
			ids = append(ids, f.Rule)
		}
	}
	return strings.Join(ids, " ")
}

func TestLintStatementsKeepsTheCallersPositions(t *testing.T) {
	l := mustNew(t, Options{ServerVersion: "15"})
	rep, err := l.LintStatements(context.Background(), "0007_x.sql", []Input{
		{SQL: "SET lock_timeout = '1s'", Line: 3, Col: 1},
		{SQL: "CREATE INDEX i ON users (email);", Line: 5, Col: 3},
		{SQL: "ALTER TABLE users\n  ADD COLUMN t uuid DEFAULT gen_random_uuid()", Line: 9, Col: 1},
	}, StatementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+"@"+itoa(f.Line)+":"+itoa(f.Col))
	}
	want := "create-index-non-concurrent@5:3 add-column-volatile-default@9:1"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if len(rep.Statements) != 3 || rep.Statements[1].Locks[0] != (Lock{Mode: "SHARE", Object: "users"}) {
		t.Fatalf("statements: %+v", rep.Statements)
	}
}

func TestLintStatementsNoTransaction(t *testing.T) {
	l := mustNew(t, Options{ServerVersion: "15"})
	in := []Input{
		{SQL: "ALTER TABLE o ADD CONSTRAINT c CHECK (x > 0) NOT VALID", Line: 1, Col: 1},
		{SQL: "ALTER TABLE o VALIDATE CONSTRAINT c", Line: 2, Col: 1},
	}
	rep, _ := l.LintStatements(context.Background(), "f.sql", in, StatementOptions{})
	if rulesOf(rep, Error) != "validate-in-transaction" {
		t.Fatalf("in one transaction: %q", rulesOf(rep, Error))
	}
	rep, _ = l.LintStatements(context.Background(), "f.sql", in, StatementOptions{NoTransaction: true})
	if rulesOf(rep, Error) != "" {
		t.Fatalf("no transaction: %q", rulesOf(rep, Error))
	}
}

func TestRunnerSetsLockTimeout(t *testing.T) {
	src := []byte("ALTER TABLE users ADD COLUMN bio text;\n")
	rep, _ := mustNew(t, Options{}).LintFile(context.Background(), "a.sql", src)
	if rulesOf(rep, Warning) != "lock-timeout-missing" {
		t.Fatalf("standalone: %q", rulesOf(rep, ""))
	}
	rep, _ = mustNew(t, Options{Runner: true}).LintFile(context.Background(), "a.sql", src)
	if rulesOf(rep, "") != "" {
		t.Fatalf("runner: %q", rulesOf(rep, ""))
	}
}

func TestConfig(t *testing.T) {
	src := []byte("SET lock_timeout = '1s';\nCREATE INDEX i ON users (email);\nALTER TABLE users ADD COLUMN j json;\n")
	l := mustNew(t, Options{Config: Config{Rules: map[string]string{"create-index-non-concurrent": "warning", "prefer-jsonb": "off"}}})
	rep, _ := l.LintFile(context.Background(), "a.sql", src)
	if rulesOf(rep, Warning) != "create-index-non-concurrent" || rep.Errors() != 0 {
		t.Fatalf("%q", rulesOf(rep, ""))
	}
	if _, err := New(Options{Config: Config{Rules: map[string]string{"no-such-rule": "error"}}}); err == nil {
		t.Fatal("an unknown rule was accepted")
	}
	if _, err := New(Options{Config: Config{Rules: map[string]string{"truncate": "fatal"}}}); err == nil {
		t.Fatal("an unknown level was accepted")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "legacy"), 0o755)
	os.WriteFile(filepath.Join(dir, "legacy", "1_old.sql"), []byte("DROP TABLE x;\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2_new.sql"), []byte("SELECT 1;\n"), 0o644)
	l = mustNew(t, Options{Config: Config{Ignore: []string{"legacy/*.sql"}}})
	rep, err := l.LintPaths(context.Background(), []string{filepath.Join(dir, "legacy", "1_old.sql"), filepath.Join(dir, "2_new.sql")})
	if err != nil || len(rep.Files) != 1 {
		t.Fatalf("files %v, err %v", rep.Files, err)
	}
}

func TestIgnores(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"a reason silences the rule on the next statement",
			"SELECT 1;\n-- strata:lint-ignore drop-column -- gone since v41\nALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN b;\n", "drop-column"},
		{"a trailing comment covers its own line",
			"SELECT 1;\nALTER TABLE users DROP COLUMN a; -- strata:lint-ignore drop-column -- gone\nALTER TABLE users DROP COLUMN b;\n", "drop-column"},
		{"before the first statement it covers the file",
			"-- strata:lint-ignore drop-column -- contract step\nALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN b;\n", ""},
		{"several rules at once",
			"SELECT 1;\n-- strata:lint-ignore drop-column, set-not-null -- contract step\nALTER TABLE users DROP COLUMN a, ALTER COLUMN b SET NOT NULL;\n", ""},
		{"without a reason nothing is ignored",
			"SELECT 1;\n-- strata:lint-ignore drop-column\nALTER TABLE users DROP COLUMN a;\n", "lint-ignore-reason drop-column"},
		{"another rule is still reported",
			"SELECT 1;\n-- strata:lint-ignore drop-table -- no\nALTER TABLE users DROP COLUMN a;\n", "drop-column"},
	}
	l := mustNew(t, Options{Runner: true})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := l.LintFile(context.Background(), "a.sql", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := rulesOf(rep, Error); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestIncludeDown(t *testing.T) {
	src := []byte("-- strata:up\nALTER TABLE users ADD COLUMN bio text;\n-- strata:down\nALTER TABLE users DROP COLUMN bio;\n")
	rep, _ := mustNew(t, Options{Runner: true}).LintFile(context.Background(), "1_x.sql", src)
	if rep.Errors() != 0 {
		t.Fatalf("up only: %q", rulesOf(rep, ""))
	}
	rep, _ = mustNew(t, Options{Runner: true, IncludeDown: true}).LintFile(context.Background(), "1_x.sql", src)
	if rulesOf(rep, Error) != "drop-column" || rep.Findings[0].Line != 4 {
		t.Fatalf("with down: %+v", rep.Findings)
	}
	rep, _ = mustNew(t, Options{Runner: true}).LintFile(context.Background(), "1_x.down.sql", []byte("DROP TABLE t;\n"))
	if len(rep.Statements) != 0 {
		t.Fatal("a .down.sql file was linted")
	}
}

func TestParseErrorsCarryFileLineAndColumn(t *testing.T) {
	src := []byte("-- strata:up\nSELECT 1;\n\nALTER TABLE users ADD COLUMN;\n")
	_, err := mustNew(t, Options{}).LintFile(context.Background(), "m/1_x.sql", src)
	pe, ok := err.(*ParseError)
	if !ok || pe.File != "m/1_x.sql" || pe.Line != 4 || pe.Col < 20 {
		t.Fatalf("err = %#v", err)
	}
	_, err = mustNew(t, Options{Engine: MySQL}).LintFile(context.Background(), "my.sql", []byte("SELECT 1;\nALTER TABLE t ADD COLUMN;\n"))
	if pe, ok := err.(*ParseError); !ok || pe.Line != 2 {
		t.Fatalf("mysql err = %#v", err)
	}
}

func TestServerVersion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"15", 1500}, {"9.6", 906}, {"11.4", 1100}, {"150004", 1500}, {"", 1400}} {
		if got, err := parsePGVersion(c.in); err != nil || got != c.want {
			t.Errorf("%q: %d %v", c.in, got, err)
		}
	}
	if _, err := New(Options{ServerVersion: "fifteen"}); err == nil {
		t.Error("a bad version was accepted")
	}
	v, _ := parseMySQLVersion("10.6")
	if !v.mariadb {
		t.Error("10.6 is MariaDB")
	}
}

func TestFormats(t *testing.T) {
	rep, _ := mustNew(t, Options{}).LintFile(context.Background(), "dir/1_x.sql", []byte("CREATE INDEX i ON users (email);\n"))
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, rep, "v1"); err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &sarif); err != nil {
		t.Fatal(err)
	}
	r := sarif.Runs[0].Results
	if sarif.Version != "2.1.0" || len(r) != 2 || r[0].Locations[0].PhysicalLocation.Region.StartLine != 1 ||
		r[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "dir/1_x.sql" || len(sarif.Runs[0].Tool.Driver.Rules) != 2 {
		t.Fatalf("%+v\n%s", sarif, buf.String())
	}
	buf.Reset()
	WriteText(&buf, rep, TextOptions{})
	if !strings.Contains(buf.String(), "   1 | CREATE INDEX i ON users (email);\n       | ^~~~") {
		t.Fatalf("no underline:\n%s", buf.String())
	}
	buf.Reset()
	if err := Write(&buf, rep, "xml", TextOptions{}); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestEvalDynamic(t *testing.T) {
	for in, want := range map[string]string{
		"'ALTER TABLE t ADD c int'":                           "ALTER TABLE t ADD c int",
		"'ALTER TABLE ' || quote_ident(t) || ' ADD c int'":    "ALTER TABLE strata_dynamic ADD c int",
		"format('CREATE INDEX %I ON %I (%s)', 'i', tbl, 'c')": "CREATE INDEX i ON strata_dynamic (c)",
		"format('%2$s-%1$s %%', 'a', 'b')":                    "b-a %",
		"concat('DROP TABLE ', 'x')":                          "DROP TABLE x",
	} {
		if got, _ := evalDynamic(in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
	if _, known := evalDynamic("v_sql"); known {
		t.Error("a variable is not known")
	}
}

func TestRulesAreDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] || r.Summary == "" || (r.Severity != Error && r.Severity != Warning) {
			t.Errorf("rule %+v", r)
		}
		seen[r.ID] = true
	}
}

// TestDirectoryFacts: with History, what earlier files established (a
// validated CHECK, a column's type) informs later files, which stay
// deployments of their own (the table is still "existing").
func TestDirectoryFacts(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"1_create.sql":   "CREATE TABLE users (id bigint PRIMARY KEY, email text, name varchar(50));\n",
		"2_check.sql":    "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n",
		"3_validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n",
		"4_set.sql":      "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
		"5_type.sql":     "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n",
		"6_widen.sql":    "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n",
		"7_index.sql":    "CREATE INDEX users_name_idx ON users (name);\n",
	}
	for n, body := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644)
	}
	l := mustNew(t, Options{ServerVersion: "15", Runner: true, History: true})
	rep, err := l.LintPaths(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Severity == Error {
			got = append(got, filepath.Base(f.File)+":"+f.Rule)
		}
	}
	want := "5_type.sql:alter-column-type 7_index.sql:create-index-non-concurrent"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	// Alone, the SET NOT NULL is reported, and so is the type change:
	// without its old type nothing proves it keeps the table.
	rep, _ = l.LintPaths(context.Background(), []string{filepath.Join(dir, "4_set.sql"), filepath.Join(dir, "6_widen.sql")})
	if rulesOf(rep, Error) != "set-not-null alter-column-type" {
		t.Fatalf("alone: %q", rulesOf(rep, Error))
	}
	// Without History, files do not inform each other.
	rep, _ = mustNew(t, Options{ServerVersion: "15", Runner: true}).LintPaths(context.Background(), []string{dir})
	if got := rulesOf(rep, Error); got != "set-not-null alter-column-type alter-column-type create-index-non-concurrent" {
		t.Fatalf("without history: %q", got)
	}
}

func TestReportErr(t *testing.T) {
	l := mustNew(t, Options{Runner: true})
	rep, _ := l.LintFile(context.Background(), "9_x.sql", []byte("CREATE INDEX i ON users (email);\n"))
	err := rep.Err()
	var ue *UnsafeError
	if !errors.Is(err, ErrUnsafe) || !errors.As(err, &ue) || len(ue.Findings) != 1 || !strings.Contains(err.Error(), "9_x.sql:1:1 create-index-non-concurrent") {
		t.Fatalf("err = %v", err)
	}
	rep, _ = l.LintFile(context.Background(), "9_y.sql", []byte("ALTER TABLE users ADD COLUMN bio text;\n"))
	if rep.Err() != nil {
		t.Fatal(rep.Err())
	}
}

// TestHistoryKnowsTheOldType: with History, the type a column got in an
// earlier file decides a later type change exactly, as with ColumnTypes;
// widening a numeric's precision at the same scale is no finding at all.
func TestHistoryKnowsTheOldType(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"1_items.sql": "CREATE TABLE items (id bigint PRIMARY KEY, price numeric(10,2), cost numeric(10,2));\n",
		"2_widen.sql": "ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);\n",
		"3_scale.sql": "ALTER TABLE items ALTER COLUMN cost TYPE numeric(12,3);\n",
	}
	for n, body := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644)
	}
	rep, err := mustNew(t, Options{ServerVersion: "15", Runner: true, History: true}).LintPaths(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s:%s:%s", filepath.Base(f.File), f.Severity, f.Rule))
	}
	if want := "3_scale.sql:error:alter-column-type"; strings.Join(got, " ") != want {
		t.Fatalf("findings = %v, want %s", got, want)
	}
	// Passed in instead of read from the history, the old type decides too.
	l := mustNew(t, Options{ServerVersion: "15", Runner: true, ColumnTypes: map[string]string{"public.items.price": "numeric(10,2)"}})
	rep, err = l.LintFile(context.Background(), "2_widen.sql", []byte(files["2_widen.sql"]))
	if err != nil || len(rep.Findings) != 0 {
		t.Fatalf("with the column type passed in: %+v %v", rep.Findings, err)
	}
	if _, err := New(Options{ColumnTypes: map[string]string{"items.price": "numeric(10,"}}); err == nil {
		t.Fatal("a malformed column type was accepted")
	}
}
