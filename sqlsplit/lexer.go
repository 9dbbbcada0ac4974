package sqlsplit

import "strings"

// generic is the dialect Keywords lexes with when it is not told one:
// PostgreSQL's rules plus backquoted identifiers, which covers the start of
// any statement well enough to classify it.
const generic Dialect = 0

// tokKind is the kind of one lexical token.
type tokKind uint8

const (
	tokEOF     tokKind = iota
	tokSpace           // a run of whitespace
	tokComment         // -- or # to end of line, or /* */
	tokExec            // MySQL /*! ... */: a comment the server runs
	tokWord            // keyword or unquoted identifier
	tokNumber          // numeric literal (or a MySQL identifier starting with a digit)
	tokString          // string literal, any quoting
	tokIdent           // quoted identifier
	tokDollar          // PostgreSQL dollar-quoted string
	tokPunct           // anything else, one byte (or a $1 parameter)
	tokDelim           // the custom MySQL DELIMITER
	tokError           // unterminated token; lexer.msg says what
)

// token is a half-open byte range [start, end) of the source.
type token struct {
	kind       tokKind
	start, end int
}

// Character classes, looked up per byte so the hot loops stay branch-light.
const (
	cSpace      = 1 << iota // ASCII whitespace
	cIdentStart             // letter, underscore or any non-ASCII byte
	cIdentCont              // cIdentStart, digit or $
	cDigit                  // 0-9
	cTag                    // dollar-quote tag character: cIdentStart or digit
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ', c == '\t', c == '\n', c == '\r', c == '\f', c == '\v':
			t[c] = cSpace
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c >= 0x80:
			t[c] = cIdentStart | cIdentCont | cTag
		case c >= '0' && c <= '9':
			t[c] = cDigit | cIdentCont | cTag
		case c == '$':
			t[c] = cIdentCont
		}
	}
	return t
}()

const bom = "\xEF\xBB\xBF"

// lexer cuts SQL text into tokens following one dialect's rules. It never
// allocates; tokens are offsets into src.
type lexer struct {
	src   string
	d     Dialect
	pos   int
	delim string // custom MySQL delimiter; "" while it is ";"
	msg   string // why the last tokError was returned
}

// next returns the token at lx.pos and advances past it.
func (lx *lexer) next() token {
	src, i := lx.src, lx.pos
	if i >= len(src) {
		return token{tokEOF, i, i}
	}
	c := src[i]
	if lx.delim != "" && c == lx.delim[0] && strings.HasPrefix(src[i:], lx.delim) {
		return lx.emit(tokDelim, i, i+len(lx.delim))
	}
	cls := charClass[c]
	switch {
	case cls&cSpace != 0:
		j := i + 1
		for j < len(src) && charClass[src[j]]&cSpace != 0 {
			j++
		}
		return lx.emit(tokSpace, i, j)
	case cls&cIdentStart != 0:
		if i == 0 && strings.HasPrefix(src, bom) {
			return lx.emit(tokSpace, 0, len(bom))
		}
		j := lx.scanWord(i + 1)
		if j == i+1 && (c == 'E' || c == 'e') && j < len(src) && src[j] == '\'' && (lx.d == Postgres || lx.d == generic) {
			return lx.quoted(i, j, '\'', true, tokString, "unterminated escape string E'...'")
		}
		return lx.emit(tokWord, i, lx.cutDelim(i, j))
	case cls&cDigit != 0:
		j := i + 1
		for j < len(src) && (charClass[src[j]]&cIdentCont != 0 || src[j] == '.') {
			if src[j] == '$' && j+1 < len(src) && src[j+1] == '{' {
				break
			}
			j++
		}
		return lx.emit(tokNumber, i, lx.cutDelim(i, j))
	}
	switch c {
	case '\'':
		return lx.quoted(i, i, '\'', lx.d == MySQL, tokString, "unterminated string literal")
	case '"':
		if lx.d == MySQL {
			return lx.quoted(i, i, '"', true, tokString, `unterminated string literal "..."`)
		}
		return lx.quoted(i, i, '"', false, tokIdent, `unterminated quoted identifier "..."`)
	case '`':
		if lx.d != Postgres {
			return lx.quoted(i, i, '`', false, tokIdent, "unterminated quoted identifier `...`")
		}
	case '[':
		if lx.d == SQLite {
			k := strings.IndexByte(src[i+1:], ']')
			if k < 0 {
				return lx.fail(i, "unterminated quoted identifier [...]")
			}
			return lx.emit(tokIdent, i, i+1+k+1)
		}
	case '-':
		if i+1 < len(src) && src[i+1] == '-' {
			// MySQL needs whitespace or a control character after "--",
			// so that "x--1" stays an expression.
			// At the start of a line or right after a ";", though, Flyway
			// and the mysql client take "--text" for a comment, and so do we.
			if lx.d != MySQL || i+2 == len(src) || src[i+2] <= ' ' || lineStart(src, i) {
				return lx.lineComment(i)
			}
		}
	case '#':
		if lx.d == MySQL {
			return lx.lineComment(i)
		}
	case '/':
		if i+1 < len(src) && src[i+1] == '*' {
			return lx.blockComment(i)
		}
	case '$':
		if lx.d == Postgres || lx.d == generic {
			return lx.dollar(i)
		}
	}
	return lx.emit(tokPunct, i, i+1)
}

func (lx *lexer) emit(k tokKind, start, end int) token {
	lx.pos = end
	return token{k, start, end}
}

func (lx *lexer) fail(start int, msg string) token {
	lx.pos = len(lx.src)
	lx.msg = msg
	return token{tokError, start, len(lx.src)}
}

// scanWord returns the end of the identifier characters from j. It stops
// before "${" so that Envsub sees references glued to a name (tbl_${X}).
func (lx *lexer) scanWord(j int) int {
	src := lx.src
	for j < len(src) && charClass[src[j]]&cIdentCont != 0 {
		if src[j] == '$' && j+1 < len(src) && src[j+1] == '{' {
			break
		}
		j++
	}
	return j
}

// cutDelim shortens a word or number that contains the custom delimiter, as
// the mysql client does with "END//" or a delimiter made of letters.
func (lx *lexer) cutDelim(start, end int) int {
	if lx.delim == "" {
		return end
	}
	if k := strings.Index(lx.src[start:end], lx.delim); k > 0 {
		return start + k
	}
	return end
}

// quoted scans a literal or identifier that opens with q at open; start is
// where the token begins (before a prefix such as E). A doubled quote is an
// escaped quote; with backslash, so is \q.
func (lx *lexer) quoted(start, open int, q byte, backslash bool, k tokKind, msg string) token {
	src := lx.src
	j := open + 1
	if !backslash {
		for {
			n := strings.IndexByte(src[j:], q)
			if n < 0 {
				return lx.fail(start, msg)
			}
			j += n + 1
			if j < len(src) && src[j] == q {
				j++
				continue
			}
			return lx.emit(k, start, j)
		}
	}
	for j < len(src) {
		switch src[j] {
		case '\\':
			j += 2
			continue
		case q:
			if j+1 < len(src) && src[j+1] == q {
				j += 2
				continue
			}
			return lx.emit(k, start, j+1)
		}
		j++
	}
	return lx.fail(start, msg)
}

func (lx *lexer) lineComment(i int) token {
	k := strings.IndexByte(lx.src[i:], '\n')
	if k < 0 {
		return lx.emit(tokComment, i, len(lx.src))
	}
	return lx.emit(tokComment, i, i+k)
}

// blockComment scans /* */. PostgreSQL's nest; MySQL's /*! and /*M! are
// executable comments, kept whole as statement text.
func (lx *lexer) blockComment(i int) token {
	src := lx.src
	if lx.d == Postgres || lx.d == generic {
		depth := 1
		j := i + 2
		for j+1 < len(src) {
			switch {
			case src[j] == '*' && src[j+1] == '/':
				depth--
				j += 2
				if depth == 0 {
					return lx.emit(tokComment, i, j)
				}
			case src[j] == '/' && src[j+1] == '*':
				depth++
				j += 2
			default:
				j++
			}
		}
		return lx.fail(i, "unterminated block comment /*")
	}
	kind := tokComment
	if lx.d == MySQL && (strings.HasPrefix(src[i+2:], "!") || strings.HasPrefix(src[i+2:], "M!")) {
		kind = tokExec
	}
	k := strings.Index(src[i+2:], "*/")
	if k < 0 {
		if kind == tokExec {
			return lx.fail(i, "unterminated executable comment /*!")
		}
		return lx.fail(i, "unterminated block comment /*")
	}
	return lx.emit(kind, i, i+2+k+2)
}

// dollar scans what starts with "$" in PostgreSQL: a dollar-quoted string
// ($$...$$ or $tag$...$tag$), a parameter ($1) or a lone "$".
func (lx *lexer) dollar(i int) token {
	src := lx.src
	j := i + 1
	switch {
	case j < len(src) && src[j] == '$':
		j++
	case j < len(src) && charClass[src[j]]&cIdentStart != 0:
		for j < len(src) && charClass[src[j]]&cTag != 0 {
			j++
		}
		if j == len(src) || src[j] != '$' {
			return lx.emit(tokPunct, i, i+1)
		}
		j++
	case j < len(src) && charClass[src[j]]&cDigit != 0:
		for j < len(src) && charClass[src[j]]&cDigit != 0 {
			j++
		}
		return lx.emit(tokPunct, i, j)
	default:
		return lx.emit(tokPunct, i, i+1)
	}
	tag := src[i:j]
	k := strings.Index(src[j:], tag)
	if k < 0 {
		return lx.fail(i, "unterminated dollar-quoted string "+tag)
	}
	return lx.emit(tokDollar, i, j+k+len(tag))
}

// lineStart reports whether only blanks stand between offset i and the
// start of its line or the ";" that ended the statement before it.
func lineStart(src string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch src[j] {
		case ' ', '\t':
			continue
		case '\n', '\r', ';':
			return true
		}
		return false
	}
	return true
}
