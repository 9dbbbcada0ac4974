package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

// startCommand is what a developer runs to bring every server up.
const startCommand = "scripts/services start"

// Timeouts for talking to the servers. A server that needs longer than
// connectTimeout to accept a connection counts as unreachable.
const (
	connectTimeout = 10 * time.Second
	adminTimeout   = 60 * time.Second
)

// namePrefix starts every database this package creates, so leftovers from
// a killed test binary are easy to find and remove.
const namePrefix = "strata_test_"

// newName returns a database name that is unique across processes.
func newName() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return namePrefix + hex.EncodeToString(b[:])
}

// envOr returns the environment variable key, or def when it is unset or
// empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// inCI reports whether the environment variable CI holds a true value.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// unavailable ends the test because a server could not be used: a failure
// under CI, a skip elsewhere. The caller must return right after it, since a
// fake [testing.TB] may not stop the goroutine.
func unavailable(t testing.TB, server, addr, envVar string, err error) {
	t.Helper()
	msg := fmt.Sprintf("testenv: %s is not available at %s (%s sets the address): %v; start it with `%s`",
		server, addr, envVar, err, startCommand)
	if inCI() {
		t.Fatalf("%s", msg)
		return
	}
	t.Skipf("%s (skipped because CI is not true)", msg)
}

// redact returns rawURL with any password replaced, for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "<unparsable URL>"
	}
	return u.Redacted()
}

// withDatabase returns the URL admin with its path replaced by /name.
func withDatabase(admin *url.URL, name string) string {
	u := *admin
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}
