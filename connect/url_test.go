package connect

import (
	"errors"
	"strings"
	"testing"
)

// TestParseNamesTheWrongPartOfAMalformedURL: each malformed URL is a
// *URLError naming the part that is wrong, and never holds the password.
func TestParseNamesTheWrongPartOfAMalformedURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url, part, says string
	}{
		{"an unknown scheme", "mongo://u:SECRETPW@h/x", "scheme", `unknown database URL scheme "mongo"`},
		{"a scheme without its colon", "postgres//u:SECRETPW@127.0.0.1:1/x", "scheme", `a ':' is missing after "postgres"`},
		{"a key=value string", "host=127.0.0.1 user=u password=SECRETPW dbname=x", "scheme", "key=value"},
		{"an empty URL", "", "scheme", "empty"},
		{"a bogus sslmode", "postgres://u:SECRETPW@h/x?sslmode=bogus", "sslmode", `sslmode "bogus" is not one of disable`},
		{"a bad escape in the password", "postgres://u:SECRET%zzPW@h/x", "user info", "bad %-escape in the user info"},
		{"a bad escape in the path", "postgres://u:SECRETPW@h/x%g1", "path", "bad %-escape in the path"},
		{"a bad escape in the query", "mysql://u:SECRETPW@h/x?charset=%", "query", "bad %-escape in the query"},
		{"a port that is no number", "mysql://u:SECRETPW@127.0.0.1:badport/x", "port", "port is not a number"},
		{"a bogus tls", "mysql://u:SECRETPW@127.0.0.1/x?tls=bogus", "tls", "parameter tls=bogus"},
		{"sqlite without a path", "sqlite:", "path", "names no file"},
		{"sqlite with a bad query", "sqlite:x.db?a=%zz", "query", "query does not parse"},
		{"a PostgreSQL parameter pgx rejects", "postgres://u:SECRETPW@h/x?connect_timeout=soon", "URL", "PostgreSQL driver rejects it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(c.url)
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %v, want a *URLError", c.url, err)
			}
			if ue.Part != c.part || !strings.Contains(err.Error(), c.says) {
				t.Errorf("Parse(%q) = part %q: %v; want part %q saying %q", c.url, ue.Part, err, c.part, c.says)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error shows the password: %v", err)
			}
			ue.Source = "flag --database"
			if !strings.HasSuffix(err.Error(), "(the URL comes from flag --database)") {
				t.Errorf("with Source: %v", err)
			}
		})
	}
}

func TestUnknownSchemeIsStillErrUnknownScheme(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"mongo://x", "not a url", "postgres//u:p@h/x"} {
		if _, err := Engine(u); !errors.Is(err, ErrUnknownScheme) {
			t.Errorf("Engine(%q) = %v, want ErrUnknownScheme", u, err)
		}
		if _, err := Parse(u); !errors.Is(err, ErrUnknownScheme) {
			t.Errorf("Parse(%q) = %v, want ErrUnknownScheme", u, err)
		}
	}
}

func TestParseAcceptsWhatOpenAccepts(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"postgres://u:p%40ss@127.0.0.1:5432/db?sslmode=disable",
		"postgresql://h/db",
		"pgx://h/db?sslmode=verify-full",
		"mysql://root@127.0.0.1:3306/db?charset=utf8mb4,utf8&tls=skip-verify",
		"mariadb://root@h/db",
		"sqlite:data/app.db",
		"sqlite::memory:",
		"sqlite:///abs/path.db?_pragma=foreign_keys(1)",
	} {
		c, err := Parse(u)
		if err != nil {
			t.Errorf("Parse(%q): %v", u, err)
			continue
		}
		if c.Engine == "" || c.dsn == "" {
			t.Errorf("Parse(%q) = %+v", u, c)
		}
	}
}
