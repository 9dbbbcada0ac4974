package sqlite

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SQLite keeps no catalog of CHECK constraints, generated-column
// expressions, constraint names, index expressions or partial-index
// predicates: they exist only in the CREATE statement's text in
// sqlite_schema. This file reads them back out of that text. It is a
// tokenizer and a bracket matcher, not a grammar: it finds clauses by their
// keywords at the right nesting depth and returns expressions as the
// user wrote them.

// token is one lexical token of an SQL statement.
type token struct {
	kind       tokenKind
	text       string // as written
	start, end int    // byte offsets in the statement
}

type tokenKind int

const (
	tWord   tokenKind = iota // keyword or bare identifier
	tQuoted                  // "ident", `ident`, [ident]
	tString                  // 'text', X'hex'
	tNumber
	tPunct // one character: ( ) , ; . and operators
)

// tokenize splits sql into tokens, dropping comments and white space. An
// unterminated quote or comment runs to the end of the text.
func tokenize(sql string) []token {
	var toks []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += 2 + end + 2
			}
			continue
		case c == '\'':
			i = closeQuote(sql, i, '\'')
			toks = append(toks, token{tString, sql[start:i], start, i})
		case (c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'':
			i = closeQuote(sql, i+1, '\'')
			toks = append(toks, token{tString, sql[start:i], start, i})
		case c == '"' || c == '`':
			i = closeQuote(sql, i, c)
			toks = append(toks, token{tQuoted, sql[start:i], start, i})
		case c == '[':
			end := strings.IndexByte(sql[i:], ']')
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 1
			}
			toks = append(toks, token{tQuoted, sql[start:i], start, i})
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9'):
			for i < len(sql) && (isWordByte(sql[i]) || sql[i] == '.') {
				i++
			}
			toks = append(toks, token{tNumber, sql[start:i], start, i})
		case isWordStart(sql, i):
			for i < len(sql) && isWordStart(sql, i) || i < len(sql) && sql[i] >= '0' && sql[i] <= '9' {
				_, n := utf8.DecodeRuneInString(sql[i:])
				i += n
			}
			toks = append(toks, token{tWord, sql[start:i], start, i})
		default:
			_, n := utf8.DecodeRuneInString(sql[i:])
			i += n
			toks = append(toks, token{tPunct, sql[start:i], start, i})
		}
	}
	return toks
}

// closeQuote returns the offset after the quote that closes the one at
// open; a doubled quote stands for itself.
func closeQuote(sql string, open int, q byte) int {
	i := open + 1
	for i < len(sql) {
		if sql[i] == q {
			if i+1 < len(sql) && sql[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(sql)
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordStart(sql string, i int) bool {
	c := sql[i]
	if c < utf8.RuneSelf {
		return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(sql[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r > unicode.MaxLatin1
}

// is reports whether t is the keyword kw (case-insensitive).
func (t token) is(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// name returns the identifier t stands for, unquoted.
func (t token) name() string {
	switch t.kind {
	case tQuoted:
		s := t.text
		if len(s) < 2 {
			return s
		}
		if s[0] == '[' {
			return s[1 : len(s)-1]
		}
		q := s[:1]
		return strings.ReplaceAll(s[1:len(s)-1], q+q, q)
	case tString:
		// SQLite accepts 'name' where an identifier is expected.
		if len(t.text) >= 2 && t.text[0] == '\'' {
			return strings.ReplaceAll(t.text[1:len(t.text)-1], "''", "'")
		}
	}
	return t.text
}

// group returns the index of the ')' that closes the '(' at toks[open], or
// len(toks) when it is not closed.
func group(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// splitTop splits toks[from:to] at commas outside parentheses.
func splitTop(toks []token, from, to int) [][]token {
	var out [][]token
	depth, start := 0, from
	for i := from; i < to; i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 && toks[i].kind == tPunct {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	if start < to {
		out = append(out, toks[start:to])
	}
	return out
}

// text returns the source text from toks[from] to toks[to-1].
func text(sql string, toks []token, from, to int) string {
	if from >= to || to > len(toks) {
		return ""
	}
	return sql[toks[from].start:toks[to-1].end]
}

// tableDDL is what a CREATE TABLE statement says beyond what SQLite's
// pragmas report.
type tableDDL struct {
	checks      []ddlCheck
	generated   map[string]string // column → expression
	autoinc     bool
	withoutRow  bool
	pkName      string
	uniqueNames []namedColumns
	fkNames     []namedColumns
}

type ddlCheck struct{ name, expr string }

type namedColumns struct {
	name    string
	columns []string
}

// parseCreateTable reads a CREATE TABLE statement. A statement it cannot
// read (CREATE TABLE … AS SELECT) gives an empty tableDDL.
func parseCreateTable(sql string) tableDDL {
	ddl := tableDDL{generated: map[string]string{}}
	toks := tokenize(sql)
	open := -1
	for i, t := range toks {
		if t.text == "(" {
			open = i
			break
		}
		if t.is("AS") {
			return ddl
		}
	}
	if open < 0 {
		return ddl
	}
	closing := group(toks, open)
	for _, t := range toks[min(closing+1, len(toks)):] {
		if t.is("ROWID") {
			ddl.withoutRow = true
		}
	}
	for _, def := range splitTop(toks, open+1, closing) {
		if len(def) == 0 {
			continue
		}
		ddl.readDefinition(sql, def)
	}
	return ddl
}

// readDefinition reads one column definition or table constraint.
func (ddl *tableDDL) readDefinition(sql string, def []token) {
	first := def[0]
	tableConstraint := first.kind == tWord && (first.is("CONSTRAINT") || first.is("PRIMARY") ||
		first.is("UNIQUE") || first.is("CHECK") || first.is("FOREIGN"))
	column := ""
	i := 0
	if !tableConstraint {
		column, i = first.name(), 1
	}
	pending := "" // a CONSTRAINT name waiting for its constraint
	for i < len(def) {
		t := def[i]
		switch {
		case t.is("CONSTRAINT") && i+1 < len(def):
			pending = def[i+1].name()
			i += 2
			continue
		case t.is("CHECK") && i+1 < len(def) && def[i+1].text == "(":
			end := group(def, i+1)
			ddl.checks = append(ddl.checks, ddlCheck{name: pending, expr: text(sql, def, i+2, end)})
			pending, i = "", end+1
			continue
		case t.is("AS") && column != "" && i+1 < len(def) && def[i+1].text == "(":
			end := group(def, i+1)
			ddl.generated[column] = text(sql, def, i+2, end)
			i = end + 1
			continue
		case t.is("AUTOINCREMENT"):
			ddl.autoinc = true
		case t.is("PRIMARY"):
			if pending != "" {
				ddl.pkName = pending
			}
			pending = ""
		case t.is("UNIQUE"):
			cols := []string{column}
			if tableConstraint {
				cols = columnList(def, i+1)
			}
			ddl.uniqueNames = append(ddl.uniqueNames, namedColumns{pending, cols})
			pending = ""
		case t.is("FOREIGN") || (t.is("REFERENCES") && !tableConstraint):
			cols := []string{column}
			if tableConstraint {
				cols = columnList(def, i+2) // FOREIGN KEY (…)
			}
			ddl.fkNames = append(ddl.fkNames, namedColumns{pending, cols})
			pending = ""
			if tableConstraint {
				return // the rest is the reference clause
			}
		case t.text == "(":
			i = group(def, i) + 1
			continue
		}
		i++
	}
}

// columnList reads the parenthesised list of column names at def[open].
func columnList(def []token, open int) []string {
	if open >= len(def) || def[open].text != "(" {
		return nil
	}
	end := group(def, open)
	var cols []string
	for _, part := range splitTop(def, open+1, end) {
		if len(part) > 0 {
			cols = append(cols, part[0].name())
		}
	}
	return cols
}

// indexDDL is what a CREATE INDEX statement says beyond the pragmas: the
// text of each key part and the WHERE of a partial index.
type indexDDL struct {
	parts     []string // each key part without ASC/DESC/COLLATE
	predicate string
}

// parseCreateIndex reads CREATE [UNIQUE] INDEX … ON table (parts) [WHERE …].
func parseCreateIndex(sql string) indexDDL {
	var ix indexDDL
	toks := tokenize(sql)
	open := -1
	for i, t := range toks {
		if t.text == "(" {
			open = i
			break
		}
	}
	if open < 0 {
		return ix
	}
	closing := group(toks, open)
	for _, part := range splitTop(toks, open+1, closing) {
		end := len(part)
		for end > 0 {
			last := part[end-1]
			switch {
			case last.is("ASC") || last.is("DESC"):
				end--
				continue
			case end >= 2 && part[end-2].is("COLLATE"):
				end -= 2
				continue
			}
			break
		}
		if end > 0 {
			ix.parts = append(ix.parts, sql[part[0].start:part[end-1].end])
		}
	}
	for i := closing + 1; i < len(toks); i++ {
		if toks[i].is("WHERE") && i+1 < len(toks) {
			last := len(toks)
			if toks[last-1].text == ";" {
				last--
			}
			ix.predicate = text(sql, toks, i+1, last)
			break
		}
	}
	return ix
}
