package connect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRedactHidesPasswords(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"postgres://u:hunter2@h:5432/db":                            "postgres://u:xxxxx@h:5432/db",
		"mysql://root@h/db":                                         "mysql://root@h/db",
		"postgres://u:hun%ter2@h:5432/db":                           "postgres://xxxxx@h:5432/db",
		"sqlite:dev.db":                                             "sqlite:dev.db",
		"postgres//u:SECRETPW@127.0.0.1:1/x":                        "postgres//xxxxx@127.0.0.1:1/x",
		"postgres://h/db?sslmode=disable&password=QUERYPW":          "postgres://h/db?sslmode=disable&password=xxxxx",
		"postgres://h/db?sslpassword=S1x&sslkey=/k/key.pem&user=u":  "postgres://h/db?sslpassword=xxxxx&sslkey=xxxxx&user=u",
		"postgres://h/db?PWD=a&Pass=b&_token=c&api_key=d&app=e":     "postgres://h/db?PWD=xxxxx&Pass=xxxxx&_token=xxxxx&api_key=xxxxx&app=e",
		"mysql://u:pa/ss@h/db":                                      "mysql://xxxxx@h/db",
		"postgres://u:12?x@h/db":                                    "postgres://xxxxx@h/db",
		"host=h user=u password=KVSECRET dbname=x":                  "host=h user=u password=xxxxx dbname=x",
		`host=h password='a b\' c' dbname=x`:                        "host=h password=xxxxx dbname=x",
		"u:DSNPASS@tcp(h:3306)/db":                                  "xxxxx@tcp(h:3306)/db",
		"mysql:root:hunter2@localhost/db":                           "mysql:xxxxx@localhost/db",
		"mysql://u:secret@tcp(127.0.0.1:1)/x?password=also":         "mysql://xxxxx@tcp(127.0.0.1:1)/x?password=xxxxx",
		"postgres://u:p%40ss@h/db?application_name=me":              "postgres://u:xxxxx@h/db?application_name=me",
		"postgres://u:p@h/db?options=-c%20search_path%3Dapp#frag@x": "postgres://xxxxx@x",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrubLoggerHidesSecretsFromDriverLogs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, err := Parse("mysql://u:LOGSECRET@127.0.0.1:1/x?password=LOGQUERY")
	if err != nil {
		t.Fatal(err)
	}
	c.logOut = &buf
	db, err := c.openMySQL()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := &scrubLogger{secrets: c.secrets, out: logTo(&buf)}
	l.Print("could not use requested auth plugin with u:LOGSECRET and ", "LOGQUERY")
	if s := buf.String(); strings.Contains(s, "LOGSECRET") || strings.Contains(s, "LOGQUERY") || !strings.Contains(s, "xxxxx") {
		t.Errorf("driver log = %q", s)
	}
}

// secretMarker brackets every fuzzed secret, so that a leak of either end
// is found in any text, whatever the secret holds.
const secretStart, secretEnd = "Zq7", "7Qz"

// urlForms are the shapes a URL with a secret is written in, the secret
// as %s; esc says how the secret is written there.
var urlForms = []struct {
	tmpl string
	esc  func(string) string
}{
	{"postgres://u:%s@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", url.PathEscape},
	{"postgres://u:%s@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", raw},
	{"postgres//u:%s@127.0.0.1:1/x", raw},
	{"postgres://u@127.0.0.1:1/x?sslmode=bogus&password=%s", url.QueryEscape},
	{"postgres://127.0.0.1:1/x?sslpassword=%s&sslmode=disable&connect_timeout=2", url.QueryEscape},
	{"postgres://u:%s@127.0.0.1:1/x%%zz", raw},
	{"postgres://u:%s@127.0.0.1:1/x?sslmode=disable&connect_timeout=soon", url.PathEscape},
	{"mysql://u:%s@127.0.0.1:1/x?tls=bogus", url.PathEscape},
	{"mysql://u:%s@127.0.0.1:1/x?timeout=2s", url.PathEscape},
	{"mysql://u:%s@127.0.0.1:1/x", raw},
	{"mysql://u:%s@127.0.0.1:badport/x", raw},
	{"mysql://u:%s@tcp(127.0.0.1:1)/x", raw},
	{"host=127.0.0.1 user=u password=%s dbname=x", kvQuote},
	{"mongo://u:%s@h/x", raw},
	{"u:%s@tcp(127.0.0.1:1)/x", raw},
	{"sqlite:x.db?a=%%zz&password=%s", url.QueryEscape},
}

func raw(s string) string { return s }

// kvQuote writes s as a libpq key=value value: quoted, with ' and \
// escaped.
func kvQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// FuzzURLSecrets builds URLs of every form around a fuzzed password and
// checks that the password reaches no error text, no redacted URL and no
// driver log, whether or not the URL is well formed and whether or not a
// server answers.
func FuzzURLSecrets(f *testing.F) {
	for i := range urlForms {
		for _, s := range []string{"hunter2", "p@ss/w?rd#1", "a:b:c", "%zz", "it's \\ x", "ünï cödé", "&password=x", ""} {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, form uint8, s string) {
		if strings.ContainsAny(s, "\x00\n\r") {
			return // no URL form carries these
		}
		fm := urlForms[int(form)%len(urlForms)]
		secret := secretStart + s + secretEnd
		u := fmt.Sprintf(fm.tmpl, fm.esc(secret))
		leaks := func(what, text string) {
			t.Helper()
			if strings.Contains(text, secretStart) || strings.Contains(text, secretEnd) {
				t.Errorf("%s shows the password of %q: %s", what, u, text)
			}
		}
		leaks("Redact", Redact(u))
		if _, err := Engine(u); err != nil {
			leaks("Engine", err.Error())
		}
		if _, err := MySQLDSN(u); err != nil {
			leaks("MySQLDSN", err.Error())
		}
		if _, _, err := SQLiteDSN(u); err != nil {
			leaks("SQLiteDSN", err.Error())
		}
		c, err := Parse(u)
		if err != nil {
			leaks("Parse", err.Error())
			return
		}
		leaks("Config.URL", c.URL)
		var logs bytes.Buffer
		c.logOut = &logs
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		tg, err := c.Open(ctx)
		if err == nil {
			tg.Close()
			return
		}
		leaks("Open", err.Error())
		var ce *ConnectError
		if errors.As(err, &ce) {
			leaks("ConnectError.Err", ce.Err.Error())
		}
		leaks("the driver's log", logs.String())
	})
}

func logTo(w *bytes.Buffer) interface{ Print(...any) } {
	return printer{w}
}

type printer struct{ w *bytes.Buffer }

func (p printer) Print(v ...any) { fmt.Fprint(p.w, v...) }
