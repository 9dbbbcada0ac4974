package migrate

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestLoadReadsEveryFormat(t *testing.T) {
	t.Parallel()
	fsys := mapFS(map[string]string{
		"1_pair.up.sql":    "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
		"1_pair.down.sql":  "DROP TABLE b;\nDROP TABLE a;\n",
		"2_strata.sql":     "-- strata:up\nCREATE TABLE c (id int);\n-- strata:down\nDROP TABLE c;\n",
		"3_goose.sql":      "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n",
		"4_dbmate.sql":     "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON c (id);\n\n-- migrate:down\nDROP INDEX i;\n",
		"5_plain.sql":      "CREATE TABLE d (id int);",
		"README.md":        "not a migration",
		"strata.sum":       "h1:x\n",
		"6_x.checks.yaml":  "checks: {}",
		"7_online.yaml":    "operations: []\n",
		"helpers.go":       "package x",
		"V8__flyway.sql":   "CREATE TABLE e (id int);",
		"V8_1__flyway.sql": "CREATE TABLE f (id int);",
		"V8_10__later.sql": "CREATE TABLE g (id int);",
		"V8_2__mid.sql":    "CREATE TABLE h (id int);",
		"R__views.sql":     "CREATE OR REPLACE VIEW v AS SELECT 1;",
	})
	ms, err := Load(fsys, LoadOptions{Engine: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, string(m.key())+":"+string(m.Format))
	}
	want := "1:golang-migrate 2:strata 3:goose 4:dbmate 5:strata 7:strata 8:flyway 8.1:flyway 8.2:flyway 8.10:flyway R__views:flyway"
	if strings.Join(got, " ") != want {
		t.Fatalf("order/format:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	byV := map[Version]*Migration{}
	for _, m := range ms {
		byV[m.key()] = m
	}
	if n := len(byV["1"].Up.Statements); n != 2 || byV["1"].Down == nil || len(byV["1"].Down.Statements) != 2 {
		t.Errorf("pair: up %d statements, down %v", n, byV["1"].Down)
	}
	g := byV["3"]
	if len(g.Up.Statements) != 1 || !strings.HasSuffix(g.Up.Statements[0].SQL, "LANGUAGE sql") || g.Up.Statements[0].Line != 3 {
		t.Errorf("goose block: %+v", g.Up.Statements)
	}
	if g.Down == nil || g.Down.Statements[0].Line != 7 {
		t.Errorf("goose down: %+v", g.Down)
	}
	d := byV["4"]
	if !d.Up.NoTransaction || !strings.Contains(d.Up.NoTxReason, "transaction:false") || d.Down.NoTransaction {
		t.Errorf("dbmate transaction:false: up %+v down %+v", d.Up, d.Down)
	}
	if byV["5"].Down != nil || byV["5"].HasDown() {
		t.Errorf("a file without sections has no down")
	}
	// A YAML migration's kind is its step runner's to say (it claims the
	// document when a provider is built); Load keeps the document.
	if byV["7"].Kind != "" || string(byV["7"].Document) != "operations: []\n" {
		t.Errorf("yaml kind = %q, document %q", byV["7"].Kind, byV["7"].Document)
	}
	if !byV["R__views"].Repeatable {
		t.Errorf("R__ is repeatable")
	}
}

func TestLineNumbersPointIntoTheFile(t *testing.T) {
	t.Parallel()
	src := "-- comment\n-- strata:lock-timeout 2s\n\n-- strata:up\nCREATE TABLE a (\n  id int\n);\n\n   INSERT INTO a VALUES (1);\n-- strata:statement-begin\nCREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN RETURN NEW; END; $$ LANGUAGE plpgsql;\n-- strata:statement-end\nSELECT 1;\n-- strata:down\n\nDROP TABLE a;\n"
	pf, err := parseSQLFile("x.sql", src, SplitDialect("postgres"), false)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, s := range pf.up.Statements {
		lines = append(lines, s.Line)
	}
	if got := joinInts(lines); got != "5 9 11 14" {
		t.Fatalf("up lines = %s, want 5 9 11 14", got)
	}
	if pf.up.Statements[1].Col != 4 {
		t.Errorf("col = %d, want 4", pf.up.Statements[1].Col)
	}
	if pf.down.Statements[0].Line != 17 {
		t.Errorf("down line = %d", pf.down.Statements[0].Line)
	}
	if pf.up.LockTimeout.String() != "2s" || pf.down.LockTimeout.String() != "2s" {
		t.Errorf("file-level directive applies to both sections: %s %s", pf.up.LockTimeout, pf.down.LockTimeout)
	}
	if !strings.HasSuffix(pf.up.Statements[2].SQL, "LANGUAGE plpgsql") {
		t.Errorf("block statement = %q", pf.up.Statements[2].SQL)
	}
}

func joinInts(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(itoa(x))
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	return string(d)
}

func TestTransactionModes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src, engine string
		noTx, manages     bool
		reason            string
	}{
		{"a plain file runs in a transaction", "CREATE TABLE a (id int);", "postgres", false, false, ""},
		{"CREATE INDEX CONCURRENTLY runs outside one", "CREATE INDEX CONCURRENTLY i ON a (id);", "postgres", true, false, "line 1"},
		{"the directive forces no transaction", "-- strata:no-transaction\nCREATE TABLE a (id int);", "postgres", true, false, "-- strata:no-transaction (line 1)"},
		{"goose NO TRANSACTION is honoured", "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE a (id int);", "postgres", true, false, "-- +goose NO TRANSACTION"},
		{"a file with BEGIN and COMMIT runs as written", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;", "postgres", true, true, "manages its own transaction"},
		{"START TRANSACTION on MySQL runs as written", "START TRANSACTION;\nINSERT INTO a VALUES (1);\nCOMMIT;", "mysql", true, true, "manages its own transaction"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pf, err := parseSQLFile("x.sql", c.src, SplitDialect(c.engine), false)
			if err != nil {
				t.Fatal(err)
			}
			if pf.up.NoTransaction != c.noTx || pf.up.ManagesTransaction != c.manages || !strings.Contains(pf.up.NoTxReason, c.reason) {
				t.Fatalf("noTx=%v manages=%v reason=%q", pf.up.NoTransaction, pf.up.ManagesTransaction, pf.up.NoTxReason)
			}
		})
	}
}

func TestMalformedInputNamesFileAndLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"a duplicate version names both files", map[string]string{"1_a.sql": "SELECT 1;", "1_b.sql": "SELECT 2;"}, []string{"1_b.sql", "duplicate version 1", "1_a.sql"}},
		{"a pair and a sectioned file with one version clash", map[string]string{"2_a.up.sql": "SELECT 1;", "2_a.sql": "-- strata:up\nSELECT 2;"}, []string{"duplicate version 2"}},
		{"a bad file name is refused", map[string]string{"add_users.sql": "SELECT 1;"}, []string{"add_users.sql", "bad migration file name"}},
		{"an unknown directive is refused with its line", map[string]string{"3_a.sql": "SELECT 1;\n-- strata:no-transactoin\n"}, []string{"3_a.sql:2:", "unknown directive"}},
		{"an unterminated dollar quote points at where it opened", map[string]string{"4_a.sql": "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n"}, []string{"4_a.sql:2:", "$body$"}},
		{"a down file without its up file is refused", map[string]string{"5_a.down.sql": "DROP TABLE a;"}, []string{"5_a.down.sql", "down file without an up file"}},
		{"a bad duration is refused", map[string]string{"6_a.sql": "-- strata:lock-timeout soon\nSELECT 1;"}, []string{"6_a.sql:1:", "duration"}},
		{"a down section without up is refused", map[string]string{"7_a.sql": "-- strata:down\nDROP TABLE a;"}, []string{"7_a.sql:1:", "no up section"}},
		{"SQL before the first marker is refused", map[string]string{"8_a.sql": "SELECT 1;\n-- strata:up\nSELECT 2;"}, []string{"8_a.sql:1:", "before the first"}},
		{"an unclosed statement block is refused", map[string]string{"9_a.sql": "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;"}, []string{"9_a.sql:2:", "never closed"}},
		{"an unknown goose annotation is refused", map[string]string{"10_a.sql": "-- +goose Upp\nSELECT 1;"}, []string{"10_a.sql:1:", "goose annotation"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(mapFS(c.files), LoadOptions{Engine: "postgres"})
			if err == nil {
				t.Fatal("no error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("not a ParseError: %T %v", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestChecksumIgnoresLineEndingsAndTrailingSpace(t *testing.T) {
	t.Parallel()
	_, a := checksum([]string{"x"}, []string{"CREATE TABLE a (id int);\nSELECT 1;\n"})
	_, b := checksum([]string{"x"}, []string{"CREATE TABLE a (id int);  \r\nSELECT 1;\r\n\r\n"})
	_, c := checksum([]string{"x"}, []string{"CREATE TABLE a (id bigint);\nSELECT 1;\n"})
	if a != b {
		t.Errorf("CRLF and trailing spaces changed the checksum")
	}
	if a == c {
		t.Errorf("a real edit kept the checksum")
	}
}

func TestVersionsCompareAsNumbers(t *testing.T) {
	t.Parallel()
	order := []string{"1", "1.1", "1.2", "1.2.1", "1.10", "2", "0010", "20261124120000"}
	for i := 0; i+1 < len(order); i++ {
		a, b := MustVersion(order[i]), MustVersion(order[i+1])
		if a.Compare(b) >= 0 || b.Compare(a) <= 0 {
			t.Errorf("%s should sort before %s", a, b)
		}
	}
	if MustVersion("0001") != "1" || MustVersion("1_12_10") != "1.12.10" {
		t.Errorf("canonical forms")
	}
	for _, bad := range []string{"", "x", "1.a", "0"} {
		if _, err := ParseVersion(bad); err == nil && bad != "0" {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}

func TestSumFileCatchesParallelBranches(t *testing.T) {
	t.Parallel()
	fsys := mapFS(map[string]string{"1_a.sql": "SELECT 1;", "2_b.sql": "SELECT 2;"})
	sum, err := Sum(fsys)
	if err != nil {
		t.Fatal(err)
	}
	fsys[SumFile] = &fstest.MapFile{Data: []byte(sum)}
	if err := CheckSum(fsys); err != nil {
		t.Fatalf("fresh sum: %v", err)
	}
	fsys["3_other_branch.sql"] = &fstest.MapFile{Data: []byte("SELECT 3;")}
	err = CheckSum(fsys)
	if !errors.Is(err, ErrSumMismatch) || !strings.Contains(err.Error(), "3_other_branch.sql") || !strings.Contains(err.Error(), "strata hash") {
		t.Fatalf("added file: %v", err)
	}
	delete(fsys, "3_other_branch.sql")
	fsys["2_b.sql"] = &fstest.MapFile{Data: []byte("SELECT 22;")}
	if err := CheckSum(fsys); err == nil || !strings.Contains(err.Error(), "changed since strata.sum was written: 2_b.sql") {
		t.Fatalf("edited file: %v", err)
	}
}

func TestMySQLDelimiterFiles(t *testing.T) {
	t.Parallel()
	src := "DELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW\nBEGIN\n  SET NEW.x = 1;\nEND //\nDELIMITER ;\nINSERT INTO a VALUES (1);\n"
	pf, err := parseSQLFile("t.sql", src, SplitDialect("mysql"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.up.Statements) != 2 || pf.up.Statements[0].Line != 2 || pf.up.Statements[1].Line != 7 {
		t.Fatalf("statements = %+v", pf.up.Statements)
	}
	if !strings.HasSuffix(pf.up.Statements[0].SQL, "END") {
		t.Errorf("trigger = %q", pf.up.Statements[0].SQL)
	}
}

func FuzzParseSQLFile(f *testing.F) {
	for _, s := range []string{
		"-- strata:up\nCREATE TABLE a (id int);\n-- strata:down\nDROP TABLE a;",
		"-- +goose Up\n-- +goose StatementBegin\nSELECT $$;$$;\n-- +goose StatementEnd\n-- +goose Down\nSELECT 1;",
		"-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\nSELECT 2;",
		"DELIMITER //\nSELECT 1 //\nDELIMITER ;\n",
		"-- strata:statement-begin\nx\n-- strata:statement-end\n",
		"-- +goose up\n-- +goose statementbegin\nSELECT 1;\n-- +goose statementend\n-- +goose down\n",
		"--migrate:up transaction:false\nSELECT 1; -- strata:lint-ignore x -- y\n--migrate:down\n",
	} {
		f.Add(s, uint8(0))
	}
	// Every fixture of a format is a seed.
	_ = fs.WalkDir(os.DirFS("testdata"), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") {
			if b, err := fs.ReadFile(os.DirFS("testdata"), p); err == nil {
				f.Add(string(b), uint8(0))
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, src string, eng uint8) {
		engine := []string{"postgres", "mysql", "sqlite"}[int(eng)%3]
		pf, err := parseSQLFile("f.sql", src, SplitDialect(engine), false)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %T %v", err, err)
			}
			return
		}
		lines := strings.Count(src, "\n") + 1
		for _, sc := range []*Script{pf.up, pf.down} {
			if sc == nil {
				continue
			}
			for _, s := range sc.Statements {
				if s.Line < 1 || s.Line > lines {
					t.Fatalf("line %d outside 1..%d", s.Line, lines)
				}
			}
			for _, d := range sc.Directives {
				if d.Line < 1 || d.Line > lines {
					t.Fatalf("directive %s at line %d outside 1..%d", d.Name, d.Line, lines)
				}
			}
		}
	})
}

func TestFlywaySubdirectoriesAreRead(t *testing.T) {
	t.Parallel()
	fsys := mapFS(map[string]string{
		"V1__init.sql":               "CREATE TABLE a (id int);",
		"release_2/V2__more.sql":     "CREATE TABLE b (id int);",
		"release_2/notes.sql":        "not a migration",
		"archive/0001_old.sql":       "ignored: not Flyway-named",
		".hidden/V3__hidden.sql":     "ignored: hidden directory",
		"release_2/R__functions.sql": "SELECT 1;",
	})
	ms, err := Load(fsys, LoadOptions{Engine: "mysql"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.File())
	}
	if strings.Join(got, " ") != "V1__init.sql release_2/V2__more.sql release_2/R__functions.sql" {
		t.Fatalf("files = %v", got)
	}
}
