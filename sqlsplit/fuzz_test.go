package sqlsplit

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// addSeeds seeds f with every Split input in the tests and testdata, as
// (src, dialect) pairs.
func addSeeds(f *testing.F) {
	for _, cases := range [][]splitCase{postgresCases, mysqlCases, delimiterCases, sqliteCases} {
		for _, c := range cases {
			f.Add(c.src, uint8(c.d))
		}
	}
	for _, c := range everyDialectCases {
		for d := Postgres; d <= SQLite; d++ {
			f.Add(c.src, uint8(d))
		}
	}
	for _, c := range errorCases {
		f.Add(c.src, uint8(c.d))
	}
	for path, d := range testdataFiles(f) {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), uint8(d))
	}
}

// position returns the 1-based line and byte column of off in src.
func position(src string, off int) (line, col int) {
	return 1 + strings.Count(src[:off], "\n"), off - strings.LastIndexByte(src[:off], '\n')
}

func isSpace(c byte) bool { return charClass[c]&cSpace != 0 }

// FuzzSplit checks the contract every caller relies on: no panic;
// statements in order, not overlapping, each a substring of src at its
// Offset, with exact positions; errors that point inside src. For
// PostgreSQL and SQLite, joining the statements with ";\n" and splitting
// again gives them back.
func FuzzSplit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src string, dialect uint8) {
		d := Postgres + Dialect(dialect%3)
		stmts, err := Split(src, Options{Dialect: d})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
			}
			if stmts != nil {
				t.Fatal("statements returned with an error")
			}
			if se.Offset < 0 || se.Offset > len(src) {
				t.Fatalf("error offset %d outside [0, %d]", se.Offset, len(src))
			}
			if line, col := position(src, se.Offset); se.Line != line || se.Col != col {
				t.Fatalf("error at %d:%d, offset %d is %d:%d", se.Line, se.Col, se.Offset, line, col)
			}
			return
		}
		prevEnd, prevLine := 0, 1
		for i, s := range stmts {
			if s.SQL == "" {
				t.Fatalf("statement %d is empty", i)
			}
			if s.Offset < prevEnd {
				t.Fatalf("statement %d at offset %d overlaps the one before, which ends at %d", i, s.Offset, prevEnd)
			}
			if end := s.Offset + len(s.SQL); end > len(src) || src[s.Offset:end] != s.SQL {
				t.Fatalf("statement %d: src[%d:] does not hold %q", i, s.Offset, s.SQL)
			}
			if isSpace(s.SQL[0]) || isSpace(s.SQL[len(s.SQL)-1]) {
				t.Fatalf("statement %d has untrimmed whitespace: %q", i, s.SQL)
			}
			line, col := position(src, s.Offset)
			if s.Line != line || s.Col != col {
				t.Fatalf("statement %d at %d:%d, offset %d is %d:%d", i, s.Line, s.Col, s.Offset, line, col)
			}
			if want := s.Line + strings.Count(s.SQL, "\n"); s.EndLine != want {
				t.Fatalf("statement %d ends on line %d, want %d", i, s.EndLine, want)
			}
			if s.Line < prevLine {
				t.Fatalf("statement %d on line %d, before line %d", i, s.Line, prevLine)
			}
			prevEnd, prevLine = s.Offset+len(s.SQL), s.EndLine
		}

		shifted, err := Split(src, Options{Dialect: d, FirstLine: 7})
		if err != nil || len(shifted) != len(stmts) {
			t.Fatalf("FirstLine changed the result: %d statements, %v", len(shifted), err)
		}
		for i := range shifted {
			if shifted[i].Line != stmts[i].Line+6 || shifted[i].EndLine != stmts[i].EndLine+6 {
				t.Fatalf("FirstLine 7 moved statement %d from line %d to %d", i, stmts[i].Line, shifted[i].Line)
			}
		}

		if d == MySQL {
			return // a statement may hold ";" under DELIMITER, so joining changes it
		}
		if d == Postgres {
			for _, s := range stmts {
				if !balanced(s.SQL) {
					// An unclosed "(" holds the ";" after it, as in psql,
					// so joining changes where statements end.
					return
				}
			}
		}
		var joined strings.Builder
		joined.WriteString(";\n") // so that no statement lands where a byte order mark is skipped
		for _, s := range stmts {
			joined.WriteString(s.SQL)
			joined.WriteString(";\n")
		}
		again, err := Split(joined.String(), Options{Dialect: d})
		if err != nil {
			t.Fatalf("splitting the joined statements: %v\njoined: %q", err, joined.String())
		}
		if len(again) != len(stmts) {
			t.Fatalf("joined statements split into %d, want %d\njoined: %q", len(again), len(stmts), joined.String())
		}
		for i := range again {
			if again[i].SQL != stmts[i].SQL {
				t.Fatalf("statement %d came back as %q, want %q", i, again[i].SQL, stmts[i].SQL)
			}
		}
	})
}

// FuzzEnvsub checks that Envsub never panics, that errors point at a
// "${" in src, and that substituting each reference by itself gives src
// back.
func FuzzEnvsub(f *testing.F) {
	addSeeds(f)
	for _, s := range []string{
		"CREATE SCHEMA ${SCHEMA};", "SELECT '${A}', ${B:-b}, ${C};", "-- ${A}\nSELECT tbl_${A}$$x$$;",
		"SELECT ${", "SELECT ${1}", "SELECT ${A:-}", "SELECT $${A}$$", "SELECT `${A}`, [${B}], \"${C}\"",
	} {
		for d := Postgres; d <= SQLite; d++ {
			f.Add(s, uint8(d))
		}
	}
	f.Fuzz(func(t *testing.T, src string, dialect uint8) {
		d := Postgres + Dialect(dialect%3)
		checkErr := func(err error) {
			t.Helper()
			var se *SyntaxError
			var ue *UnsetError
			switch {
			case errors.As(err, &se):
				if line, col := position(src, se.Offset); line != se.Line || col != se.Col {
					t.Fatalf("error at %d:%d, offset %d is %d:%d", se.Line, se.Col, se.Offset, line, col)
				}
				if !strings.HasPrefix(src[se.Offset:], "${") {
					t.Fatalf("error offset %d is not at a ${", se.Offset)
				}
			case errors.As(err, &ue):
				lines := strings.SplitAfter(src, "\n")
				if ue.Line < 1 || ue.Line > len(lines) || ue.Col < 1 || ue.Col > len(lines[ue.Line-1]) {
					t.Fatalf("error at %d:%d is outside src", ue.Line, ue.Col)
				}
				if ref := lines[ue.Line-1][ue.Col-1:]; !strings.HasPrefix(ref, "${"+ue.Name) {
					t.Fatalf("error at %d:%d is not at ${%s: %q", ue.Line, ue.Col, ue.Name, ref)
				}
			default:
				t.Fatalf("unexpected error %T: %v", err, err)
			}
		}

		self := func(name string) (string, bool) { return "${" + name + "}", true }
		out, err := Envsub(src, d, self)
		switch {
		case err != nil:
			checkErr(err)
		case !strings.Contains(src, ":-") && out != src:
			t.Fatalf("substituting each reference by itself changed src:\n got %q\nwant %q", out, src)
		}

		if _, err := Envsub(src, d, nil); err != nil {
			checkErr(err)
		}
	})
}

// balanced reports whether, token by token, every ")" in s closes an
// earlier "(" and none is left open.
func balanced(s string) bool {
	lx := lexer{src: s, d: Postgres}
	depth := 0
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF, tokError:
			return depth == 0 && t.kind == tokEOF
		case tokPunct:
			switch s[t.start] {
			case '(':
				depth++
			case ')':
				depth--
				if depth < 0 {
					return false
				}
			}
		}
	}
}
