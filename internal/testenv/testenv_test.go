package testenv

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
)

// fakeTB records how a helper ends a test. Fatalf and Skipf return instead
// of stopping the goroutine, which also checks that helpers return at once.
type fakeTB struct {
	testing.TB // nil: any other method panics, exposing an unexpected call
	fatal      string
	skip       string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }
func (f *fakeTB) Skipf(format string, args ...any)  { f.skip = fmt.Sprintf(format, args...) }

// closedPort returns a loopback address that refuses connections.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnreachableServer(t *testing.T) {
	// No t.Parallel: the cases set CI.
	addr := closedPort(t)
	helpers := []struct {
		server string
		at     func(testing.TB, string) string
		url    string
	}{
		{"PostgreSQL", postgresAt, "postgres://postgres:hunter2@" + addr + "/postgres?sslmode=disable"},
		{"MySQL", mysqlAt, "mysql://root:hunter2@" + addr + "/"},
		{"Redis", redisAt, "redis://:hunter2@" + addr},
		{"NATS", natsAt, "nats://" + addr},
	}
	for _, h := range helpers {
		for _, ci := range []string{"true", ""} {
			name := fmt.Sprintf("%s with CI=%q %s", h.server, ci, map[string]string{"true": "fails", "": "skips"}[ci])
			t.Run(name, func(t *testing.T) {
				t.Setenv("CI", ci)
				f := &fakeTB{}
				if got := h.at(f, h.url); got != "" {
					t.Errorf("returned %q, want empty", got)
				}
				msg, other := f.skip, f.fatal
				if ci == "true" {
					msg, other = f.fatal, f.skip
				}
				if msg == "" || other != "" {
					t.Fatalf("fatal = %q, skip = %q", f.fatal, f.skip)
				}
				for _, want := range []string{h.server, addr, "scripts/services start"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q does not name %q", msg, want)
					}
				}
				if strings.Contains(msg, "hunter2") {
					t.Errorf("message %q shows the password", msg)
				}
			})
		}
	}
}

func TestMisconfiguredAddressFailsEvenOutsideCI(t *testing.T) {
	t.Setenv("CI", "")
	cases := []struct {
		name string
		at   func(testing.TB, string) string
		url  string
	}{
		{"a MySQL URL given for PostgreSQL", postgresAt, "mysql://root@127.0.0.1:3306/"},
		{"a PostgreSQL URL given for MySQL", mysqlAt, "postgres://postgres@127.0.0.1:5432/postgres"},
		{"a Redis URL without a host", redisAt, "redis:///0"},
		{"a NATS URL with another scheme", natsAt, "tcp://127.0.0.1:4222"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeTB{}
			c.at(f, c.url)
			if f.fatal == "" {
				t.Errorf("did not fail (skip = %q)", f.skip)
			}
		})
	}
}

func TestNewNameIsAFreshIdentifier(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^strata_test_[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for range 1000 {
		n := newName()
		if !valid.MatchString(n) {
			t.Fatalf("newName() = %q", n)
		}
		if seen[n] {
			t.Fatalf("newName() repeated %q", n)
		}
		seen[n] = true
	}
}
