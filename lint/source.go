package lint

import (
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/strata-db/strata/migrate"
)

// part is the byte range of one section (up or down) of a file.
type part struct {
	start, end int
	down       bool
	// noTx: the file says the part runs outside a transaction.
	noTx bool
}

// sourceFile is the text one part of a migration file is linted from: the
// statements of the runner's parse laid out at their places in the file
// (see layout), with what the runner read from its directives.
type sourceFile struct {
	text        string
	format      migrate.Format // the tool the file was written for
	parts       []part
	noTx        bool // a file-level no-transaction directive
	lockTimeout bool // -- strata:lock-timeout
	lines       []int
	// preIgnores are lint-ignore directives above the first section
	// marker: they cover the whole file.
	preIgnores []ignore
}

// reFlyway matches Flyway's file names (V1__x.sql, U1__x.sql, R__x.sql), for
// their version and for telling an undo file.
var reFlyway = regexp.MustCompile(`^([VUR])(\d+(?:[._]\d+)*)?__`)

// isDownFile reports whether a file is named as the down part of a
// migration: golang-migrate's .down.sql, Flyway's U file.
func isDownFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	if strings.HasSuffix(base, ".down.sql") {
		return true
	}
	return strings.HasPrefix(filepath.Base(name), "U") && reFlyway.MatchString(filepath.Base(name))
}

// masked returns the file's text with everything outside p blanked (newlines
// kept), so a parser's offsets are file offsets.
func (sf *sourceFile) masked(p part) string {
	if p.start == 0 && p.end == len(sf.text) {
		return sf.text
	}
	b := []byte(sf.text)
	for i := range b {
		if (i < p.start || i >= p.end) && b[i] != '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// position maps a byte offset to a 1-based line and column (in characters).
func position(text string, lines []int, off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(text) {
		off = len(text)
	}
	i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, utf8.RuneCountInString(text[lines[i]:off]) + 1
}

// comment is one comment in the SQL text.
type comment struct {
	text string // without the -- or /* */ markers
	off  int
}

// skipLeading returns the offset of the first token at or after from (before
// to), skipping whitespace and comments, and the comments it skipped.
// MySQL also has # comments.
func skipLeading(s string, from, to int, hash bool) (int, []comment) {
	var cs []comment
	i := from
	for i < to {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < to && s[i+1] == '-', hash && c == '#':
			j := strings.IndexByte(s[i:to], '\n')
			end := to
			if j >= 0 {
				end = i + j
			}
			start := i + 2
			if c == '#' {
				start = i + 1
			}
			cs = append(cs, comment{text: s[start:end], off: i})
			i = end
		case c == '/' && i+1 < to && s[i+1] == '*':
			depth, j := 1, i+2
			for j < to && depth > 0 {
				if s[j] == '*' && j+1 < to && s[j+1] == '/' {
					depth--
					j += 2
					continue
				}
				if !hash && s[j] == '/' && j+1 < to && s[j+1] == '*' {
					depth++
					j += 2
					continue
				}
				j++
			}
			end := j - 2
			if end < i+2 {
				end = i + 2
			}
			cs = append(cs, comment{text: s[i+2 : end], off: i})
			i = j
		default:
			return i, cs
		}
	}
	return to, cs
}

// ignore is one strata:lint-ignore comment.
type ignore struct {
	rules  []string
	reason string
	off    int
}

var reIgnore = regexp.MustCompile(`^\s*strata:lint-ignore\s+(.*)$`)

// parseIgnore reads a lint-ignore comment; ok is false for other comments.
func parseIgnore(c comment) (ig ignore, ok bool) {
	m := reIgnore.FindStringSubmatch(c.text)
	if m == nil {
		return ignore{}, false
	}
	rest := m[1]
	ids := rest
	if i := strings.Index(rest, "--"); i >= 0 {
		ids = rest[:i]
		ig.reason = strings.TrimSpace(rest[i+2:])
	}
	for _, f := range strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		ig.rules = append(ig.rules, strings.ToLower(f))
	}
	ig.off = c.off
	return ig, true
}

func (ig ignore) covers(rule string) bool {
	for _, r := range ig.rules {
		if r == rule || r == "all" || r == "*" {
			return true
		}
	}
	return false
}

// sortByVersion orders migration file names by their leading version
// number (numerically), then by name.
func sortByVersion(names []string) {
	key := func(n string) (string, bool) {
		b := n
		if m := reFlyway.FindStringSubmatch(n); m != nil && m[2] != "" {
			b = m[2]
		}
		j := 0
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == 0 {
			return "", false
		}
		return b[:j], true
	}
	sort.SliceStable(names, func(i, j int) bool {
		a, aok := key(names[i])
		b, bok := key(names[j])
		if aok && bok {
			a = strings.TrimLeft(a, "0")
			b = strings.TrimLeft(b, "0")
			if len(a) != len(b) {
				return len(a) < len(b)
			}
			if a != b {
				return a < b
			}
		} else if aok != bok {
			return aok
		}
		return names[i] < names[j]
	})
}

// firstLine returns the statement's first line, trimmed, for messages.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }
