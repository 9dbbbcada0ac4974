package testenv

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

var mysqlURLs = []struct {
	name string
	url  string
	want string
}{
	{"the default admin URL has no database",
		"mysql://root@127.0.0.1:3306/",
		"root@tcp(127.0.0.1:3306)/?parseTime=true&multiStatements=false"},
	{"user, password, database and parameters carry over",
		"mysql://app:s3cret@db.internal:3307/shop?tls=skip-verify&charset=utf8mb4",
		"app:s3cret@tcp(db.internal:3307)/shop?tls=skip-verify&charset=utf8mb4&parseTime=true&multiStatements=false"},
	{"the mariadb scheme means the same",
		"mariadb://root@127.0.0.1:3306/db",
		"root@tcp(127.0.0.1:3306)/db?parseTime=true&multiStatements=false"},
	{"the port defaults to 3306",
		"mysql://app@localhost/shop",
		"app@tcp(localhost:3306)/shop?parseTime=true&multiStatements=false"},
	{"a URL without a user gives a DSN without one",
		"mysql://127.0.0.1/shop",
		"tcp(127.0.0.1:3306)/shop?parseTime=true&multiStatements=false"},
	{"parameters the URL sets are not overridden",
		"mysql://root@h:3306/db?multiStatements=true&parseTime=false",
		"root@tcp(h:3306)/db?multiStatements=true&parseTime=false"},
	{"a password with reserved characters is decoded",
		"mysql://root:p%40ss%2Fw%3Ard@h:3306/db",
		"root:p@ss/w:rd@tcp(h:3306)/db?parseTime=true&multiStatements=false"},
	{"an IPv6 host keeps its brackets",
		"mysql://root@[::1]:3306/db",
		"root@tcp([::1]:3306)/db?parseTime=true&multiStatements=false"},
	{"a slash in a parameter value is escaped",
		"mysql://root@h:3306/db?time_zone=Europe/Berlin",
		"root@tcp(h:3306)/db?time_zone=Europe%2FBerlin&parseTime=true&multiStatements=false"},
	{"a database name with reserved characters is escaped",
		"mysql://root@h:3306/my%3Fdb",
		"root@tcp(h:3306)/my%3Fdb?parseTime=true&multiStatements=false"},
}

func TestMySQLDriverDSN(t *testing.T) {
	t.Parallel()
	for _, c := range mysqlURLs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := MySQLDriverDSN(c.url)
			if err != nil {
				t.Fatalf("MySQLDriverDSN(%q): %v", c.url, err)
			}
			if got != c.want {
				t.Errorf("MySQLDriverDSN(%q)\n got %q\nwant %q", c.url, got, c.want)
			}
			checkRoundTrip(t, c.url, got)
		})
	}
}

func TestMySQLDriverDSNRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		url  string
	}{
		{"another scheme", "postgres://root:hunter2@127.0.0.1:5432/db"},
		{"a URL without a host", "mysql://root:hunter2@/db"},
		{"an opaque URL", "mysql:root:hunter2@localhost/db"},
		{"a host that is not a host name", "mysql://root:hunter2@]/db"},
		{"a port that is not a number", "mysql://root:hunter2@127.0.0.1:port/db"},
		{"a database name with a slash", "mysql://root:hunter2@h/a/b"},
		{"a user name with a colon", "mysql://a%3Ab:hunter2@h/db"},
		{"a parameter the driver does not accept", "mysql://root:hunter2@h/db?parseTime=maybe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := MySQLDriverDSN(c.url)
			if err == nil {
				t.Fatalf("MySQLDriverDSN(%q) = %q, want an error", c.url, got)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// checkRoundTrip asserts that the driver reads dsn as the URL meant it.
func checkRoundTrip(t *testing.T, rawURL, dsn string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("driver rejects %q: %v", dsn, err)
	}
	pass, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "3306"
	}
	checks := []struct{ what, got, want string }{
		{"user", cfg.User, u.User.Username()},
		{"password", cfg.Passwd, pass},
		{"net", cfg.Net, "tcp"},
		{"address", cfg.Addr, net.JoinHostPort(u.Hostname(), port)},
		{"database", cfg.DBName, strings.TrimPrefix(u.Path, "/")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("driver reads %s of %q as %q, want %q", c.what, dsn, c.got, c.want)
		}
	}
	if _, set := u.Query()["parseTime"]; !set && !cfg.ParseTime {
		t.Errorf("%q does not set parseTime", dsn)
	}
	if _, set := u.Query()["multiStatements"]; !set && cfg.MultiStatements {
		t.Errorf("%q allows multiple statements", dsn)
	}
}

func FuzzMySQLDriverDSN(f *testing.F) {
	for _, c := range mysqlURLs {
		f.Add(c.url)
	}
	f.Add("mysql://u:p@h:1/d?loc=Local&timeout=1s")
	f.Fuzz(func(t *testing.T, rawURL string) {
		dsn, err := MySQLDriverDSN(rawURL)
		if err != nil {
			return
		}
		checkRoundTrip(t, rawURL, dsn)
	})
}
