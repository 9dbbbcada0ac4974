// Package connect turns a database URL into an open *sql.DB and the
// [dialect.Dialect] that goes with it. The URL's scheme picks the engine:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://)
//	mysql://user:pass@host:3306/db?param=value          (also mariadb://)
//	sqlite:path/to/file.db, sqlite:///abs/path.db, sqlite::memory:
//
// Passwords never leave this package in text: [Redact] hides them, and the
// errors Open returns name the URL only in redacted form.
package connect

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
)

// Target is an open database and its dialect. Close it when done.
type Target struct {
	DB      *sql.DB
	Dialect dialect.Dialect
	// URL is the URL it was opened from, with any password hidden.
	URL string
	// Password is the URL's password, so callers can scrub it from text
	// that did not come from this package (driver errors, for one).
	Password string
}

// Close closes the database.
func (t *Target) Close() error { return t.DB.Close() }

// ErrUnknownScheme is returned for a URL whose scheme names no engine.
var ErrUnknownScheme = errors.New("unknown database URL scheme")

// Engine returns "postgres", "mysql" or "sqlite" for rawURL.
func Engine(rawURL string) (string, error) {
	scheme, _, ok := strings.Cut(rawURL, ":")
	if !ok {
		return "", fmt.Errorf("%w in %q: want postgres://, mysql:// or sqlite:", ErrUnknownScheme, Redact(rawURL))
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql", "pgx":
		return "postgres", nil
	case "mysql", "mariadb":
		return "mysql", nil
	case "sqlite", "sqlite3", "file":
		return "sqlite", nil
	}
	return "", fmt.Errorf("%w %q in %q: want postgres://, mysql:// or sqlite:", ErrUnknownScheme, scheme, Redact(rawURL))
}

// Open opens rawURL and checks that the server answers within the context's
// deadline (10 seconds when ctx has none).
func Open(ctx context.Context, rawURL string) (*Target, error) {
	engine, err := Engine(rawURL)
	if err != nil {
		return nil, err
	}
	t := &Target{URL: Redact(rawURL), Password: password(rawURL)}
	switch engine {
	case "postgres":
		u := rawURL
		if strings.HasPrefix(u, "pgx:") {
			u = "postgres:" + strings.TrimPrefix(u, "pgx:")
		}
		t.DB, err = sql.Open("pgx", u)
		t.Dialect = postgres.Dialect{}
	case "mysql":
		var dsn string
		dsn, err = MySQLDSN(rawURL)
		if err == nil {
			t.DB, err = sql.Open("mysql", dsn)
		}
		t.Dialect = mysql.Dialect{}
	case "sqlite":
		var dsn string
		var memory bool
		dsn, memory, err = SQLiteDSN(rawURL)
		if err == nil {
			t.DB, err = sql.Open("sqlite", dsn)
		}
		if err == nil && memory {
			// A shared in-memory database lives while one connection
			// does; keep one open for the Target's lifetime.
			t.DB.SetMaxIdleConns(4)
			t.DB.SetConnMaxIdleTime(0)
			t.DB.SetConnMaxLifetime(0)
		}
		t.Dialect = sqlite.Dialect{}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", t.URL, scrub(err.Error(), t.Password))
	}
	pctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	if err := t.DB.PingContext(pctx); err != nil {
		t.DB.Close()
		return nil, &ConnectError{URL: t.URL, Err: errors.New(scrub(err.Error(), t.Password)), cause: err}
	}
	if engine == "mysql" {
		var version string
		if err := t.DB.QueryRowContext(pctx, "SELECT VERSION()").Scan(&version); err == nil {
			t.Dialect = mysql.Dialect{MariaDB: strings.Contains(strings.ToLower(version), "mariadb")}
		}
	}
	return t, nil
}

// ConnectError says that the database did not answer.
type ConnectError struct {
	URL   string // redacted
	Err   error  // scrubbed of the password
	cause error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("connect to %s: %v (is the server running and the URL right? check --database or STRATA_DATABASE_URL)", e.URL, e.Err)
}

// Unwrap returns the driver's error, so errors.Is(err, context.DeadlineExceeded) works.
func (e *ConnectError) Unwrap() error { return e.cause }

// MySQLDSN converts mysql://user:pass@host:port/db?params into the
// go-sql-driver DSN. parseTime is on so DATETIME columns scan into
// time.Time; multiStatements stays off: strata splits files itself so that
// it can report the statement that failed.
func MySQLDSN(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return "", fmt.Errorf("parse %s: %s", Redact(rawURL), scrub(err.Error(), password(rawURL)))
	}
	cfg := driver.NewConfig()
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1:3306"
	} else if u.Port() == "" {
		host += ":3306"
	}
	cfg.Net = "tcp"
	cfg.Addr = host
	if strings.HasPrefix(u.Host, "unix(") {
		cfg.Net = "unix"
		cfg.Addr = strings.TrimSuffix(strings.TrimPrefix(u.Host, "unix("), ")")
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	// Parameters pass through as written (url.Values.Encode would escape
	// the comma in charset=utf8mb4,utf8, which the driver does not
	// unescape); a '/' must not follow the database name in a DSN.
	var extra []string
	for p := range strings.SplitSeq(u.RawQuery, "&") {
		key, _, _ := strings.Cut(p, "=")
		if p == "" || key == "parseTime" || key == "multiStatements" {
			continue
		}
		extra = append(extra, strings.ReplaceAll(p, "/", "%2F"))
	}
	dsn := cfg.FormatDSN()
	if len(extra) > 0 {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + strings.Join(extra, "&")
	}
	if _, err := driver.ParseDSN(dsn); err != nil {
		return "", fmt.Errorf("parse %s: %s", Redact(rawURL), scrub(err.Error(), cfg.Passwd))
	}
	return dsn, nil
}

// SQLiteDSN converts a sqlite: URL into the modernc.org/sqlite DSN, with a
// busy timeout so concurrent runners wait for each other instead of failing.
// memory reports an in-memory database, which is given a unique shared-cache
// name so every connection of one *sql.DB sees the same data.
func SQLiteDSN(rawURL string) (dsn string, memory bool, err error) {
	rest := rawURL
	for _, p := range []string{"sqlite3:", "sqlite:", "file:"} {
		if len(rest) >= len(p) && strings.EqualFold(rest[:len(p)], p) {
			rest = rest[len(p):]
			break
		}
	}
	rest = strings.TrimPrefix(rest, "//")
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return "", false, fmt.Errorf("sqlite URL %q names no file: want sqlite:path/to/file.db or sqlite::memory:", rawURL)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", false, fmt.Errorf("parse sqlite URL %q: %w", rawURL, err)
	}
	if path == ":memory:" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		path = "strata-" + hex.EncodeToString(b)
		q.Set("mode", "memory")
		q.Set("cache", "shared")
		memory = true
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode(), memory, nil
}

// Redact returns rawURL with its password replaced by "xxxxx". Text that does
// not parse as a URL is returned with everything between "://" and "@"
// hidden, so a malformed URL never leaks its password either.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
		return rawURL
	}
	if err == nil {
		return rawURL
	}
	if i := strings.Index(rawURL, "://"); i >= 0 {
		if j := strings.LastIndex(rawURL, "@"); j > i {
			return rawURL[:i+3] + "xxxxx" + rawURL[j:]
		}
	}
	return rawURL
}

// Password returns rawURL's password, also from text that net/url cannot
// parse (everything between the user's ':' and the last '@'), so that even a
// malformed URL can be scrubbed from messages.
func Password(rawURL string) string { return password(rawURL) }

func password(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err == nil {
		if u.User == nil {
			return ""
		}
		p, _ := u.User.Password()
		return p
	}
	i := strings.Index(rawURL, "://")
	if i < 0 {
		return ""
	}
	rest := rawURL[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	_, pass, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return ""
	}
	return pass
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
		for _, pat := range []string{":%s@", "password=%s"} {
			s = strings.ReplaceAll(s, fmt.Sprintf(pat, password), fmt.Sprintf(pat, "xxxxx"))
		}
		return s
	}
	s = strings.ReplaceAll(s, password, "xxxxx")
	if esc := url.QueryEscape(password); esc != password {
		s = strings.ReplaceAll(s, esc, "xxxxx")
	}
	if esc := url.PathEscape(password); esc != password {
		s = strings.ReplaceAll(s, esc, "xxxxx")
	}
	return s
}
