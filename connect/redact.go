package connect

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Passwords are hidden once, here, where a URL enters strata: [Redact]
// gives the text that may be shown, [secrets] every secret a URL holds, so
// that text from elsewhere (a driver's error) can be scrubbed of each.
// Both work on anything a user might pass as a URL: a well-formed URL, one
// net/url rejects, one without its "://", a key=value connection string or
// a go-sql-driver DSN.

// secretKeys are the query and key=value parameters whose values are
// secrets, in lower case without leading underscores.
var secretKeys = map[string]bool{
	"password": true, "pass": true, "passwd": true, "pwd": true, "sslpassword": true, "sslkey": true,
	"secret": true, "token": true, "auth_token": true, "access_token": true, "api_key": true, "apikey": true, "key": true,
}

// isSecretKey reports whether parameter k holds a secret.
func isSecretKey(k string) bool {
	k = strings.ToLower(strings.TrimLeft(strings.TrimSpace(k), "_"))
	if uk, err := url.QueryUnescape(k); err == nil {
		k = uk
	}
	return secretKeys[k] || strings.HasSuffix(k, "password") || strings.HasSuffix(k, "secret") || strings.HasSuffix(k, "token")
}

const hidden = "xxxxx"

// Redact returns rawURL with every secret replaced by "xxxxx": the
// userinfo's password, the values of query parameters such as password,
// sslpassword, sslkey or token, and the password of a key=value connection
// string. Text that does not parse as a URL has everything between its
// "://" (or "//", or its start) and its last '@' hidden, so a malformed URL
// never shows its password either.
func Redact(rawURL string) string {
	if isKeyValue(rawURL) {
		return redactKeyValue(rawURL)
	}
	u, exact := parseExact(rawURL)
	if !exact {
		return redactLoose(rawURL)
	}
	r := *u
	r.RawQuery = redactQuery(u.RawQuery)
	if u.User == nil {
		return r.String()
	}
	return r.Redacted()
}

// parseExact parses rawURL and reports whether the parse can be trusted to
// have found the userinfo: a scheme://authority URL with at most one '@',
// inside its authority. An unescaped '@', '/', '?' or '#' in a password
// makes a URL that net/url splits in one place and a driver in another, so
// any other '@' makes it ambiguous.
func parseExact(rawURL string) (*url.URL, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Opaque != "" || !strings.Contains(rawURL, "://") {
		return nil, false
	}
	return u, ambiguousAt(rawURL) == ""
}

// ambiguousAt says what is ambiguous about the '@'s of a scheme://
// URL: "" when there is at most one and it ends the userinfo.
func ambiguousAt(rawURL string) string {
	n := strings.Count(rawURL, "@")
	if n == 0 {
		return ""
	}
	start := authorityStart(rawURL)
	end := len(rawURL)
	if j := strings.IndexAny(rawURL[start:], "/?#"); j >= 0 {
		end = start + j
	}
	switch {
	case n > 1:
		return "more than one '@'"
	case strings.IndexByte(rawURL[start:end], '@') < 0:
		return "an '@' after the host"
	}
	return ""
}

// authorityStart returns where the text after the scheme starts: after
// "://", after "//", or after "scheme:" for an opaque URL; 0 otherwise.
func authorityStart(s string) int {
	if i := strings.Index(s, "://"); i >= 0 {
		return i + 3
	}
	if i := strings.Index(s, "//"); i >= 0 {
		return i + 2
	}
	if i := strings.IndexByte(s, ':'); i > 0 && schemeRe.MatchString(s[:i]) && knownScheme(s[:i]) {
		return i + 1
	}
	return 0
}

var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// redactLoose redacts text net/url cannot be trusted with.
func redactLoose(s string) string {
	start := authorityStart(s)
	if at := strings.LastIndexByte(s, '@'); at >= start && at > 0 {
		s = s[:start] + hidden + s[at:]
	}
	if q := strings.IndexByte(s, '?'); q >= 0 {
		s = s[:q+1] + redactQuery(s[q+1:])
	}
	return s
}

// redactQuery hides the values of secret parameters, keeping the rest of
// the query as written.
func redactQuery(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if ok && isSecretKey(k) {
			parts[i] = k + "=" + hidden
		}
	}
	return strings.Join(parts, "&")
}

// kvRe matches one key=value pair of a libpq-style connection string; the
// value may be single-quoted with \' and \\ escapes.
var kvRe = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'?|[^\s]*)`)

// isKeyValue reports whether s looks like "host=… user=… password=…".
func isKeyValue(s string) bool {
	if strings.Contains(s, "://") {
		return false
	}
	return kvStartRe.MatchString(s)
}

var kvStartRe = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_]*\s*=`)

func redactKeyValue(s string) string {
	return kvRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := kvRe.FindStringSubmatch(m)
		if !isSecretKey(sub[1]) {
			return m
		}
		return sub[1] + "=" + hidden
	})
}

// secrets returns every secret in rawURL, in each form it may appear in
// text: as written and decoded. Empty strings are left out.
func secrets(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		out = append(out, s)
		if d, err := url.QueryUnescape(s); err == nil && d != s {
			out = append(out, d)
		}
		if d, err := url.PathUnescape(s); err == nil && d != s {
			out = append(out, d)
		}
		if len(s) >= 2 && s[0] == '\'' {
			out = append(out, strings.Trim(s, "'"))
		}
	}
	if isKeyValue(rawURL) {
		for _, m := range kvRe.FindAllStringSubmatch(rawURL, -1) {
			if isSecretKey(m[1]) {
				add(m[2])
			}
		}
		return out
	}
	query := ""
	if u, exact := parseExact(rawURL); exact {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		// The password as written, which may be escaped differently from
		// how net/url re-encodes it.
		authority := rawURL[strings.Index(rawURL, "://")+3:]
		if end := strings.IndexAny(authority, "/?#"); end >= 0 {
			authority = authority[:end]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			if _, pw, ok := strings.Cut(authority[:at], ":"); ok {
				add(pw)
			}
		}
		query = u.RawQuery
	} else {
		start := authorityStart(rawURL)
		if at := strings.LastIndexByte(rawURL, '@'); at > start {
			if _, pw, ok := strings.Cut(rawURL[start:at], ":"); ok {
				add(pw)
			}
		}
		if q := strings.IndexByte(rawURL, '?'); q >= 0 {
			query = rawURL[q+1:]
		}
	}
	for p := range strings.SplitSeq(query, "&") {
		if k, v, ok := strings.Cut(p, "="); ok && isSecretKey(k) {
			add(v)
		}
	}
	return out
}

// Password returns rawURL's password, also from text that net/url cannot
// parse (everything between the user's ':' and the last '@'), so that even a
// malformed URL can be scrubbed from messages. A URL without a userinfo
// password gives its password query parameter, if any.
func Password(rawURL string) string { return password(rawURL) }

func password(rawURL string) string {
	if isKeyValue(rawURL) {
		for _, m := range kvRe.FindAllStringSubmatch(rawURL, -1) {
			if strings.EqualFold(m[1], "password") {
				return strings.Trim(m[2], "'")
			}
		}
		return ""
	}
	if u, exact := parseExact(rawURL); exact {
		if p, ok := u.User.Password(); ok {
			return p
		}
		return u.Query().Get("password")
	}
	start := authorityStart(rawURL)
	if at := strings.LastIndexByte(rawURL, '@'); at > start {
		if _, pw, ok := strings.Cut(rawURL[start:at], ":"); ok {
			return pw
		}
	}
	return ""
}

// Scrub replaces every occurrence of password in s, for text that may quote
// a URL or DSN.
func Scrub(s, password string) string { return scrub(s, password) }

func scrub(s, password string) string {
	if password == "" {
		return s
	}
	if len(password) < 4 {
		// A short password is also a common substring ("p" of
		// "postgres"): hide it only where a URL or DSN puts it.
		for _, pat := range []string{":%s@", "password=%s", "=%s&", "=%s "} {
			s = strings.ReplaceAll(s, fmt.Sprintf(pat, password), fmt.Sprintf(pat, hidden))
		}
		if strings.HasSuffix(s, "="+password) {
			s = strings.TrimSuffix(s, password) + hidden
		}
		return s
	}
	s = strings.ReplaceAll(s, password, hidden)
	if esc := url.QueryEscape(password); esc != password {
		s = strings.ReplaceAll(s, esc, hidden)
	}
	if esc := url.PathEscape(password); esc != password {
		s = strings.ReplaceAll(s, esc, hidden)
	}
	return s
}

// scrubAll scrubs every secret of a URL from s.
func scrubAll(s string, secrets []string) string {
	for _, p := range secrets {
		s = scrub(s, p)
	}
	return s
}
