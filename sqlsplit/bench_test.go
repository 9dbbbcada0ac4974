package sqlsplit

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Results on the development machine (go test -bench . -benchmem, Go 1.26,
// linux/amd64, 2 cores shared with other jobs), for about 1 MB of generated
// migrations; the range is over several runs:
//
//	BenchmarkSplit/postgres   700-850 MB/s   3 allocs/op (the result slice)
//	BenchmarkSplit/mysql      490-590 MB/s   4 allocs/op
//	BenchmarkSplit/sqlite     680-820 MB/s   3 allocs/op
//	BenchmarkEnvsub/postgres  ~1000 MB/s     1 alloc/op
//
// No regexp is involved; the work is one pass over the bytes.

// benchInput returns about 1 MB of SQL for d: the testdata files for d
// repeated with bulk INSERTs, DDL and comments in between, as a long data
// migration looks.
func benchInput(tb testing.TB, d Dialect) string {
	tb.Helper()
	var seed strings.Builder
	for path, fd := range testdataFiles(tb) {
		if fd != d {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		seed.Write(src)
		seed.WriteString(";\n")
	}
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "-- batch %d\nCREATE TABLE t%d (id bigint PRIMARY KEY, name text NOT NULL, note text DEFAULT 'n/a; none');\n", i, i)
		b.WriteString("INSERT INTO t VALUES ")
		for r := 0; r < 40; r++ {
			if r > 0 {
				b.WriteString(",\n  ")
			}
			fmt.Fprintf(&b, "(%d, 'name %d', 'a longer note with a ; and \"quotes\" in it')", r, r)
		}
		b.WriteString(";\n/* block comment\n   over two lines */\n")
		if i%8 == 0 {
			b.WriteString(seed.String())
		}
	}
	return b.String()
}

func BenchmarkSplit(b *testing.B) {
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		src := benchInput(b, d)
		if _, err := Split(src, Options{Dialect: d}); err != nil {
			b.Fatal(err)
		}
		b.Run(d.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Split(src, Options{Dialect: d}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEnvsub(b *testing.B) {
	src := benchInput(b, Postgres) + "\nALTER TABLE ${SCHEMA}.t OWNER TO ${OWNER:-app};\n"
	lookup := func(string) (string, bool) { return "x", true }
	b.Run("postgres", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Envsub(src, Postgres, lookup); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSplitLongLineOfTinyStatements guards against quadratic work per
// statement (such as searching back for the start of the line): 200,000
// statements on one 1.8 MB line and 20,000 nested blocks take milliseconds
// here, and would time out if each statement rescanned its line.
func TestSplitLongLineOfTinyStatements(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("SELECT 1;", 200000) + "\n" +
		"CREATE PROCEDURE p() BEGIN " + strings.Repeat("IF x THEN ", 20000) + strings.Repeat("END IF; ", 20000) + "END;"
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		stmts, err := Split(src, Options{Dialect: d})
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) < 200000 {
			t.Fatalf("%v: %d statements", d, len(stmts))
		}
	}
}
