package connect

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"

	driver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrUnknownScheme is returned (wrapped in a [*URLError]) for a URL whose
// scheme names no engine.
var ErrUnknownScheme = errors.New("unknown database URL scheme")

// URLError says what is wrong with a database URL: a usage mistake that no
// retry fixes, unlike a server that does not answer ([*ConnectError]).
// Its text never holds a secret of the URL.
type URLError struct {
	// URL is the URL with its secrets hidden ([Redact]).
	URL string
	// Part names the part that is wrong: "scheme", "user info", "host",
	// "port", "path", "query", "sslmode", or the name of another
	// parameter ("tls").
	Part string
	// Source says where the URL came from ("flag --database", "env
	// STRATA_DATABASE_URL", "strata.yaml environment prod", "transfer
	// spec copy.yaml: source"). The library leaves it empty; a caller that
	// knows fills it in before reporting the error.
	Source string
	// Err says what is wrong with Part.
	Err error
}

func (e *URLError) Error() string {
	s := fmt.Sprintf("database URL %s: %v", e.URL, e.Err)
	if e.Source != "" {
		s += " (the URL comes from " + e.Source + ")"
	}
	return s
}

// Unwrap returns Err, so errors.Is(err, ErrUnknownScheme) works.
func (e *URLError) Unwrap() error { return e.Err }

// Config is a database URL checked and turned into what a driver takes.
// Parse makes one; Open takes one as a URL. It holds the URL's secrets:
// print only URL.
type Config struct {
	// Engine is "postgres", "mysql" or "sqlite".
	Engine string
	// URL is the URL with its secrets hidden.
	URL string
	// Password is the URL's password, so callers can scrub it from text
	// that did not come from this package.
	Password string

	driver  string    // database/sql driver name
	dsn     string    // what the driver takes
	memory  bool      // a SQLite in-memory database
	secrets []string  // every secret of the URL, for scrubbing
	logOut  io.Writer // where the MySQL driver logs; os.Stderr when nil
}

// Parse checks rawURL and turns it into a Config without connecting. Every
// mistake it finds is a [*URLError] naming the part that is wrong.
func Parse(rawURL string) (*Config, error) {
	c := &Config{URL: Redact(rawURL), Password: password(rawURL), secrets: secrets(rawURL)}
	bad := func(part string, err error) error {
		return &URLError{URL: c.URL, Part: part, Err: errors.New(scrubAll(err.Error(), c.secrets))}
	}
	engine, err := engineOf(rawURL)
	if err != nil {
		return nil, &URLError{URL: c.URL, Part: "scheme", Err: err}
	}
	c.Engine = engine
	switch engine {
	case "postgres":
		err = c.parsePostgres(rawURL, bad)
	case "mysql":
		err = c.parseMySQL(rawURL, bad)
	case "sqlite":
		err = c.parseSQLite(rawURL, bad)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Engine returns "postgres", "mysql" or "sqlite" for rawURL, from its
// scheme alone; an unknown scheme is a [*URLError] wrapping
// [ErrUnknownScheme].
func Engine(rawURL string) (string, error) {
	e, err := engineOf(rawURL)
	if err != nil {
		return "", &URLError{URL: Redact(rawURL), Part: "scheme", Err: err}
	}
	return e, nil
}

const wantSchemes = "want postgres://, mysql:// or sqlite:"

func engineOf(rawURL string) (string, error) {
	if strings.TrimSpace(rawURL) == "" {
		return "", fmt.Errorf("%w: the URL is empty; %s", ErrUnknownScheme, wantSchemes)
	}
	scheme, _, ok := strings.Cut(rawURL, ":")
	if ok && schemeRe.MatchString(scheme) {
		if e := engineFor(scheme); e != "" {
			return e, nil
		}
		if e := storeEngine(scheme); e != "" {
			return "", fmt.Errorf("%w %q: %s is not a SQL database, and this needs one (%s)", ErrUnknownScheme, scheme, e, wantSchemes)
		}
		return "", fmt.Errorf("%w %q: %s", ErrUnknownScheme, scheme, wantSchemes)
	}
	if isKeyValue(rawURL) {
		return "", fmt.Errorf("%w: a key=value connection string has none; write it as a URL, postgres://user:password@host:5432/database", ErrUnknownScheme)
	}
	// "postgres//host" lost its ':'; name the scheme it meant.
	for _, s := range []string{"postgresql", "postgres", "mysql", "mariadb", "sqlite3", "sqlite"} {
		if len(rawURL) > len(s) && strings.EqualFold(rawURL[:len(s)], s) && (rawURL[len(s)] == '/' || rawURL[len(s)] == '@') {
			return "", fmt.Errorf("%w: the URL has no scheme (a ':' is missing after %q?); %s", ErrUnknownScheme, rawURL[:len(s)], wantSchemes)
		}
	}
	return "", fmt.Errorf("%w: the URL has none; %s", ErrUnknownScheme, wantSchemes)
}

func engineFor(scheme string) string {
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql", "pgx":
		return "postgres"
	case "mysql", "mariadb":
		return "mysql"
	case "sqlite", "sqlite3", "file":
		return "sqlite"
	}
	return ""
}

func knownScheme(s string) bool { return engineFor(s) != "" }

// checkURL parses rawURL with net/url and names the part a failure is in,
// without echoing what is there (it may be a password).
func checkURL(rawURL string, bad func(string, error) error) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err == nil {
		if what := ambiguousAt(rawURL); what != "" {
			return nil, bad("user info", fmt.Errorf("the URL has %s: percent-encode '@' as %%40 in the user name, password and parameters, and '/', '?', '#' in a password", what))
		}
		return u, nil
	}
	var ee url.EscapeError
	if errors.As(err, &ee) || strings.Contains(err.Error(), "invalid URL escape") {
		part := escapePart(rawURL)
		return nil, bad(part, fmt.Errorf("a bad %%-escape in the %s: %% must be followed by two hex digits (write a literal %% as %%25)", part))
	}
	if strings.Contains(err.Error(), "invalid port") {
		return nil, bad("port", errors.New("the port is not a number (a password with '/', '?', '#' or '@' in it must be percent-encoded)"))
	}
	if strings.Contains(err.Error(), "invalid userinfo") {
		return nil, bad("user info", errors.New("the user name or password holds a character that must be percent-encoded"))
	}
	return nil, bad("URL", errors.New("net/url cannot parse it (check its punctuation; percent-encode special characters in the password)"))
}

var badEscape = regexp.MustCompile(`%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)`)

// escapePart names the URL part holding the first bad %-escape.
func escapePart(rawURL string) string {
	loc := badEscape.FindStringIndex(rawURL)
	if loc == nil {
		return "URL"
	}
	i := loc[0]
	start := authorityStart(rawURL)
	rest := rawURL[start:]
	end := start + len(rest)
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		end = start + j
	}
	switch {
	case i < start:
		return "scheme"
	case i < end:
		if at := strings.LastIndexByte(rawURL[:end], '@'); at >= 0 && i < at {
			return "user info"
		}
		return "host"
	}
	if q := strings.IndexByte(rawURL, '?'); q >= 0 && i > q {
		return "query"
	}
	return "path"
}

// checkQuery parses a URL's query, naming a bad %-escape as such.
func checkQuery(raw string, bad func(string, error) error) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err == nil {
		return q, nil
	}
	if badEscape.MatchString(raw) {
		return nil, bad("query", errors.New("a bad %-escape in the query: % must be followed by two hex digits (write a literal % as %25)"))
	}
	return nil, bad("query", errors.New("the query does not parse as key=value&key=value"))
}

var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

func (c *Config) parsePostgres(rawURL string, bad func(string, error) error) error {
	if rest, ok := strings.CutPrefix(rawURL, "pgx:"); ok {
		rawURL = "postgres:" + rest
	}
	u, err := checkURL(rawURL, bad)
	if err != nil {
		return err
	}
	q, err := checkQuery(u.RawQuery, bad)
	if err != nil {
		return err
	}
	if m := q.Get("sslmode"); m != "" && !slices.Contains(sslModes, m) {
		return bad("sslmode", fmt.Errorf("sslmode %q is not one of %s", m, strings.Join(sslModes, ", ")))
	}
	if _, err := pgconn.ParseConfig(rawURL); err != nil {
		// pgconn's text quotes the URL; keep only what it says is wrong.
		msg := err.Error()
		if i := strings.Index(msg, "`: "); i >= 0 {
			msg = msg[i+3:]
		}
		return bad("URL", fmt.Errorf("the PostgreSQL driver rejects it: %s", msg))
	}
	c.driver, c.dsn = "pgx", rawURL
	return nil
}

func (c *Config) parseMySQL(rawURL string, bad func(string, error) error) error {
	u, err := checkURL(rawURL, bad)
	if err != nil {
		return err
	}
	if _, err := checkQuery(u.RawQuery, bad); err != nil {
		return err
	}
	dsn, err := mysqlDSN(rawURL)
	if err == nil {
		c.driver, c.dsn = "mysql", dsn
		return nil
	}
	var ue *URLError
	if errors.As(err, &ue) {
		return bad(ue.Part, ue.Err)
	}
	return bad("URL", err)
}

func (c *Config) parseSQLite(rawURL string, bad func(string, error) error) error {
	dsn, memory, err := sqliteDSN(rawURL)
	if err != nil {
		var ue *URLError
		if errors.As(err, &ue) {
			return bad(ue.Part, ue.Err)
		}
		return bad("URL", err)
	}
	c.driver, c.dsn, c.memory = "sqlite", dsn, memory
	return nil
}

// mysqlParamError names the first parameter of query the driver rejects,
// trying each alone so the message says which one is wrong.
func mysqlParamError(query string) error {
	for p := range strings.SplitSeq(query, "&") {
		if p == "" {
			continue
		}
		key, value, _ := strings.Cut(p, "=")
		if _, err := driver.ParseDSN("tcp(127.0.0.1:3306)/x?" + strings.ReplaceAll(p, "/", "%2F")); err != nil {
			shown := key + "=" + value
			if isSecretKey(key) {
				shown = key + "=" + hidden
			}
			return &URLError{Part: key, Err: fmt.Errorf("parameter %s: the MySQL driver rejects it (%s)", shown, driverReason(err))}
		}
	}
	return nil
}

// driverReason keeps the go-sql-driver message's reason, which never holds
// the DSN.
func driverReason(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "invalid DSN: ")
	return s
}
