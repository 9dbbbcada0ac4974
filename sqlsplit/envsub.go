package sqlsplit

import (
	"strconv"
	"strings"
)

// Envsub replaces each ${NAME} reference in src with lookup(NAME), and
// ${NAME:-default} with default when NAME is unset or empty (as in the
// shell and goose's envsub). NAME is [A-Za-z_][A-Za-z0-9_]*.
//
// Only references in SQL text are replaced: those inside string literals,
// quoted identifiers, comments and dollar-quoted bodies are left alone, so
// a function body may say '${x}' and mean it. The substituted value is
// inserted as is, not quoted.
//
// An unset NAME without a default is an [*UnsetError]; a "${" that does not
// form a reference is a [*SyntaxError]. Both carry the line and column of
// the "$". Text that does not lex (an unterminated string) is copied
// unchanged: [Split] reports it. A nil lookup knows no names.
func Envsub(src string, d Dialect, lookup func(name string) (string, bool)) (string, error) {
	if err := d.check(); err != nil {
		return "", err
	}
	if !strings.Contains(src, "${") {
		return src, nil
	}
	lx := lexer{src: src, d: d}
	lines := lineCursor{src: src}
	var b strings.Builder
	b.Grow(len(src))
	copied := 0
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF, tokError:
			b.WriteString(src[copied:])
			return b.String(), nil
		case tokPunct:
			if src[t.start] != '$' || t.end == len(src) || src[t.end] != '{' {
				continue
			}
			name, def, hasDef, end := parseRef(src, t.start)
			if end < 0 {
				line, col := lines.at(t.start)
				return "", &SyntaxError{
					Line: line + 1, Col: col, Offset: t.start,
					Msg: "malformed variable reference " + refExcerpt(src[t.start:]) + ": want ${NAME} or ${NAME:-default}",
				}
			}
			var val string
			ok := false
			if lookup != nil {
				val, ok = lookup(name)
			}
			if hasDef && (!ok || val == "") {
				val, ok = def, true
			}
			if !ok {
				line, col := lines.at(t.start)
				return "", &UnsetError{Line: line + 1, Col: col, Name: name}
			}
			b.WriteString(src[copied:t.start])
			b.WriteString(val)
			copied, lx.pos = end, end
		}
	}
}

// parseRef parses the reference "${NAME}" or "${NAME:-default}" at i. It
// returns the offset after its "}", or end < 0 if it is malformed.
func parseRef(src string, i int) (name, def string, hasDef bool, end int) {
	j := i + 2
	k := j
	for k < len(src) && (charClass[src[k]]&cIdentCont != 0 && src[k] < 0x80 && src[k] != '$') {
		if k == j && charClass[src[k]]&cDigit != 0 {
			return "", "", false, -1
		}
		k++
	}
	if k == j || k == len(src) {
		return "", "", false, -1
	}
	name = src[j:k]
	switch {
	case src[k] == '}':
		return name, "", false, k + 1
	case strings.HasPrefix(src[k:], ":-"):
		e := strings.IndexAny(src[k+2:], "}\n")
		if e < 0 || src[k+2+e] != '}' {
			return "", "", false, -1
		}
		return name, src[k+2 : k+2+e], true, k + 2 + e + 1
	}
	return "", "", false, -1
}

// refExcerpt quotes the start of a malformed reference for the message.
func refExcerpt(s string) string {
	if k := strings.IndexAny(s, "}\n"); k >= 0 && s[k] == '}' {
		s = s[:k+1]
	} else if k >= 0 {
		s = s[:k]
	}
	if len(s) > 24 {
		s = s[:24] + "..."
	}
	return strconv.Quote(s)
}
