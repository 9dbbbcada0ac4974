package sqlsplit

import "strings"

// Keywords returns the first n keywords and identifiers of the statement
// sql, upper-cased, skipping whitespace and comments. Literals, numbers and
// punctuation are skipped too; a quoted identifier is returned as written,
// quotes included and case kept, so that CREATE INDEX "concurrently" ON t
// does not read as CREATE INDEX CONCURRENTLY. A negative n returns them
// all.
//
// Keywords does not know the dialect, so it lexes with PostgreSQL's rules
// plus backquoted identifiers, which is enough to classify a statement by
// its first words. It never fails: text it cannot lex ends the list.
func Keywords(sql string, n int) []string {
	return keywords(sql, generic, n)
}

// keywords is Keywords with d's lexical rules. For MySQL it reads inside
// executable comments, so "/*!40101 SET NAMES utf8 */" starts with SET.
func keywords(sql string, d Dialect, n int) []string {
	if n == 0 {
		return nil
	}
	return appendKeywords(nil, sql, d, n)
}

func appendKeywords(out []string, sql string, d Dialect, n int) []string {
	lx := lexer{src: sql, d: d}
	for n < 0 || len(out) < n {
		t := lx.next()
		switch t.kind {
		case tokEOF, tokError:
			return out
		case tokWord:
			out = append(out, strings.ToUpper(sql[t.start:t.end]))
		case tokIdent:
			out = append(out, sql[t.start:t.end])
		case tokExec:
			out = appendKeywords(out, execBody(sql[t.start:t.end]), d, n)
		}
	}
	return out
}

// execBody returns the SQL inside a MySQL executable comment such as
// "/*!50003 CREATE*/" or MariaDB's "/*M!100100 ... */".
func execBody(c string) string {
	c = strings.TrimSuffix(c[2:], "*/")
	c = strings.TrimPrefix(c, "M")
	c = strings.TrimPrefix(c, "!")
	return strings.TrimLeft(c, "0123456789")
}
