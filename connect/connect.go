package connect

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
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
	// [Target.Scrub] scrubs every secret of the URL.
	Password string

	secrets []string
}

// Close closes the database. A Target without one (that of a store
// engine, which package engine closes) has nothing to close.
func (t *Target) Close() error {
	if t.DB == nil {
		return nil
	}
	return t.DB.Close()
}

// Scrub hides every secret of the Target's URL (password, sslpassword, …)
// in s, for text that did not come from this package.
func (t *Target) Scrub(s string) string {
	s = scrubAll(s, t.secrets)
	return scrub(s, t.Password)
}

// Open parses rawURL ([Parse]), opens it and checks that the server
// answers within the context's deadline (10 seconds when ctx has none). A
// malformed URL is a [*URLError]; a server that does not answer is a
// [*ConnectError]. Neither's text holds a secret of the URL.
func Open(ctx context.Context, rawURL string) (*Target, error) {
	c, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return c.Open(ctx)
}

// Open opens the database c describes and checks that it answers, as
// [Open] does.
func (c *Config) Open(ctx context.Context) (*Target, error) {
	t := &Target{URL: c.URL, Password: c.Password, secrets: c.secrets}
	var err error
	switch c.Engine {
	case "postgres":
		t.DB, err = sql.Open(c.driver, c.dsn)
		t.Dialect = postgres.Dialect{}
	case "mysql":
		t.DB, err = c.openMySQL()
		t.Dialect = mysql.Dialect{}
	case "sqlite":
		t.DB, err = sql.Open(c.driver, c.dsn)
		if err == nil && c.memory {
			// A shared in-memory database lives while one connection
			// does; keep one open for the Target's lifetime.
			t.DB.SetMaxIdleConns(4)
			t.DB.SetConnMaxIdleTime(0)
			t.DB.SetConnMaxLifetime(0)
		}
		t.Dialect = sqlite.Dialect{}
	default:
		err = fmt.Errorf("no engine %q", c.Engine)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", t.URL, t.Scrub(err.Error()))
	}
	pctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	if err := t.DB.PingContext(pctx); err != nil {
		t.DB.Close()
		return nil, &ConnectError{URL: t.URL, Err: errors.New(t.Scrub(err.Error())), cause: err}
	}
	if c.Engine == "mysql" {
		if v, err := t.Dialect.ServerVersion(pctx, t.DB); err == nil {
			t.Dialect = mysql.Dialect{MariaDB: v.Flavor == dialect.MariaDB}
		}
	}
	return t, nil
}

// openMySQL opens through a connector whose logger scrubs the URL's
// secrets: the driver logs connection errors on its own.
func (c *Config) openMySQL() (*sql.DB, error) {
	cfg, err := driver.ParseDSN(c.dsn)
	if err != nil {
		return nil, err
	}
	out := c.logOut
	if out == nil {
		out = os.Stderr
	}
	cfg.Logger = &scrubLogger{secrets: c.secrets, out: log.New(out, "[mysql] ", log.Ldate|log.Ltime)}
	conn, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

// scrubLogger is the MySQL driver's logger with secrets hidden.
type scrubLogger struct {
	secrets []string
	out     driver.Logger
}

func (l *scrubLogger) Print(v ...any) { l.out.Print(scrubAll(fmt.Sprint(v...), l.secrets)) }

// ConnectError says that the database did not answer: the URL was well
// formed, and the server could not be reached or refused the login.
type ConnectError struct {
	URL string // redacted
	Err error  // scrubbed of the password
	// Source says where the URL came from, as in [URLError]; empty unless
	// a caller filled it in.
	Source string
	cause  error
}

func (e *ConnectError) Error() string {
	where := "check --database or STRATA_DATABASE_URL"
	if e.Source != "" {
		where = "it comes from " + e.Source
	}
	return fmt.Sprintf("connect to %s: %v (is the server running and the URL right? %s)", e.URL, e.Err, where)
}

// Unwrap returns the driver's error, so errors.Is(err, context.DeadlineExceeded) works.
func (e *ConnectError) Unwrap() error { return e.cause }

// MySQLDSN converts mysql://user:pass@host:port/db?params into the
// go-sql-driver DSN. parseTime is on so DATETIME columns scan into
// time.Time; multiStatements stays off: strata splits files itself so that
// it can report the statement that failed. A malformed URL is a
// [*URLError].
func MySQLDSN(rawURL string) (string, error) {
	dsn, err := mysqlDSN(rawURL)
	var ue *URLError
	if errors.As(err, &ue) {
		ue.URL = Redact(rawURL)
		ue.Err = errors.New(scrubAll(ue.Err.Error(), secrets(rawURL)))
	}
	return dsn, err
}

func mysqlDSN(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		_, err = checkURL(rawURL, func(part string, err error) error { return &URLError{Part: part, Err: err} })
		return "", err
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
		if perr := mysqlParamError(u.RawQuery); perr != nil {
			return "", perr
		}
		return "", &URLError{Part: "URL", Err: fmt.Errorf("the MySQL driver rejects it (%s)", scrub(driverReason(err), cfg.Passwd))}
	}
	return dsn, nil
}

// SQLiteDSN converts a sqlite: URL into the modernc.org/sqlite DSN, with a
// busy timeout so concurrent runners wait for each other instead of failing.
// memory reports an in-memory database, which is given a unique shared-cache
// name so every connection of one *sql.DB sees the same data. A malformed
// URL is a [*URLError].
func SQLiteDSN(rawURL string) (dsn string, memory bool, err error) {
	dsn, memory, err = sqliteDSN(rawURL)
	var ue *URLError
	if errors.As(err, &ue) {
		ue.URL = Redact(rawURL)
	}
	return dsn, memory, err
}

// LocalFile returns the file that holds the database rawURL names, for an
// engine that keeps a database in a local file and creates it on first open
// (SQLite), so that a caller can tell a typo in the path from a database
// before opening creates an empty one. ok is false for a server's URL, an
// in-memory database and a malformed URL (Open reports that one).
func LocalFile(rawURL string) (path string, ok bool) {
	if e, err := engineOf(rawURL); err != nil || e != "sqlite" {
		return "", false
	}
	dsn, memory, err := sqliteDSN(rawURL)
	if err != nil || memory {
		return "", false
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if q, err := url.ParseQuery(query); err == nil && q.Get("mode") == "memory" {
		return "", false
	}
	return path, true
}

func sqliteDSN(rawURL string) (dsn string, memory bool, err error) {
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
		return "", false, &URLError{Part: "path", Err: errors.New("names no file: want sqlite:path/to/file.db or sqlite::memory:")}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", false, &URLError{Part: "query", Err: errors.New("the query does not parse as key=value&key=value (write a literal % as %25)")}
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
