package migrate

import (
	"fmt"
	"strconv"
	"strings"
)

// Version identifies a migration. It is a positive integer (a timestamp such
// as 20261124120000, or 0001) or, for Flyway directories, dotted parts
// compared part by part as numbers (1.12.10 sorts after 1.2). The canonical
// form has no leading zeros and "." between parts; compare with [Version.Compare].
type Version string

// ParseVersion reads s, accepting "." or "_" between parts as Flyway does.
func ParseVersion(s string) (Version, error) {
	if s == "" {
		return "", fmt.Errorf("empty version")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' })
	if len(parts) == 0 {
		return "", fmt.Errorf("version %q has no digits", s)
	}
	out := make([]string, len(parts))
	nonzero := false
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return "", fmt.Errorf("version %q: part %q is not a number", s, p)
		}
		if n != 0 {
			nonzero = true
		}
		out[i] = strconv.FormatUint(n, 10)
	}
	if !nonzero && s != "0" {
		return "", fmt.Errorf("version %q must be positive", s)
	}
	return Version(strings.Join(out, ".")), nil
}

// MustVersion is ParseVersion for constants; it panics on a bad version.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// VersionInt returns the version for an integer, as Go migrations use.
func VersionInt(n int64) Version { return Version(strconv.FormatInt(n, 10)) }

// Compare returns -1, 0 or +1. Parts compare as numbers; a version that is
// a prefix of another sorts first (1.2 < 1.2.1). Repeatable keys (which are
// not numbers) sort after every version, by name.
func (v Version) Compare(w Version) int {
	if v == w {
		return 0
	}
	vr, wr := v.isRepeatable(), w.isRepeatable()
	switch {
	case vr && wr:
		return strings.Compare(string(v), string(w))
	case vr:
		return 1
	case wr:
		return -1
	}
	vp, wp := strings.Split(string(v), "."), strings.Split(string(w), ".")
	for i := 0; i < len(vp) && i < len(wp); i++ {
		a, _ := strconv.ParseUint(vp[i], 10, 64)
		b, _ := strconv.ParseUint(wp[i], 10, 64)
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(vp) < len(wp):
		return -1
	case len(vp) > len(wp):
		return 1
	}
	return 0
}

// String implements fmt.Stringer.
func (v Version) String() string { return string(v) }

// IsZero reports whether v is the empty version or 0, the state before any
// migration ("down --to 0").
func (v Version) IsZero() bool { return v == "" || v == "0" }

const repeatablePrefix = "R__"

func repeatableKey(name string) Version { return Version(repeatablePrefix + name) }

func (v Version) isRepeatable() bool { return strings.HasPrefix(string(v), repeatablePrefix) }

// plural writes n with the noun's singular or plural form ("1 statement",
// "2 statements"), for messages people read.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
