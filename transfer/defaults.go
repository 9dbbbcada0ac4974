package transfer

import (
	"regexp"
	"strings"
)

// defaultValue is a column default in a form every engine can write.
type defaultValue struct {
	kind defaultKind
	text string // the literal's text or the number
	b    bool
}

type defaultKind int

const (
	defLiteral defaultKind = iota // a string
	defNumber                     // a number, as written
	defBool
	defNow // the current time
)

var (
	reNumber = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
	reNow    = regexp.MustCompile(`^(?i)(now\(\)|current_timestamp(\(\d*\))?|localtimestamp(\(\d*\))?|transaction_timestamp\(\)|statement_timestamp\(\)|datetime\('now'\))$`)
)

// parseDefault reads a default as the source's catalog prints it. It
// returns nil with no reason for no default (NULL), and nil with a reason
// for one that does not translate between engines.
func parseDefault(expr string, src engine) (*defaultValue, string) {
	e := strings.TrimSpace(expr)
	for len(e) > 1 && e[0] == '(' && e[len(e)-1] == ')' && balanced(e[1:len(e)-1]) {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	if m := reCast.FindStringSubmatch(e); m != nil && reNumber.MatchString(m[1]) {
		e = m[1] // 0::numeric
	}
	switch l := strings.ToLower(e); {
	case l == "" || l == "null" || strings.HasPrefix(l, "null::"):
		return nil, ""
	case l == "true" || l == "false":
		return &defaultValue{kind: defBool, b: l == "true"}, ""
	case reNumber.MatchString(e):
		return &defaultValue{kind: defNumber, text: e}, ""
	case reNow.MatchString(e):
		return &defaultValue{kind: defNow}, ""
	}
	if s, ok := src.unquote(e); ok {
		return &defaultValue{kind: defLiteral, text: s}, ""
	}
	return nil, "an expression: only constants, booleans and the current time are carried (add it with a migration)"
}

// balanced reports whether s closes every parenthesis it opens, so that
// "(a) + (b)" is not taken for one parenthesised expression.
func balanced(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// fit adjusts v to the target column c: a number or text for a boolean
// column, a boolean for a number column, a numeric text for a number. It
// says why a default cannot stay.
func (v defaultValue) fit(c Column) (defaultValue, string) {
	num := isIntKind(c.Kind) || c.Kind == KUint64 || c.Kind == KDecimal || c.Kind == KFloat32 || c.Kind == KFloat64
	switch {
	case v.kind == defNow && c.Kind != KDatetime && c.Kind != KTimestamp && c.Kind != KTimestampTZ:
		return v, "the current time does not fit a " + string(c.Kind) + " column"
	case c.Kind == KBool && v.kind == defNumber:
		return defaultValue{kind: defBool, b: strings.Trim(v.text, "+-0.") != ""}, ""
	case c.Kind == KBool && v.kind == defLiteral:
		b, err := convert(v.text, "bool")
		if err != nil {
			return v, "'" + v.text + "' is not a boolean"
		}
		return defaultValue{kind: defBool, b: b.(bool)}, ""
	case v.kind == defBool && num:
		return defaultValue{kind: defNumber, text: pick(v.b, "1", "0")}, ""
	case v.kind == defLiteral && num && reNumber.MatchString(strings.TrimSpace(v.text)):
		return defaultValue{kind: defNumber, text: strings.TrimSpace(v.text)}, ""
	case v.kind == defLiteral && c.isDateish() && isZeroDate(v.text):
		return v, "a zero date, which becomes NULL"
	}
	return v, ""
}

// unquoteDoubled reads 'text' with quotes doubled.
func unquoteDoubled(lit string) (string, bool) {
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		return "", false
	}
	body := lit[1 : len(lit)-1]
	if strings.Count(body, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(body, "''", ""), "'") {
		return "", false // two literals, such as 'a' || 'b'
	}
	return strings.ReplaceAll(body, "''", "'"), true
}

// unescapeBackslashes reads C-style escapes: \\ \' \b \f \n \r \t
// \v, MySQL's \0 and \Z; any other escaped character stands for itself.
func unescapeBackslashes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		if j := strings.IndexByte("btnrfv0Z", s[i]); j >= 0 {
			b.WriteByte("\b\t\n\r\f\v\x00\x1a"[j])
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isZeroDate(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 10 && s[4] == '-' && (s[:4] == "0000" || s[5:7] == "00" || s[8:10] == "00")
}
