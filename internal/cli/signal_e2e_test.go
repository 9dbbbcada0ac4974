package cli_test

import (
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testenv"
)

// TestSIGTERMStopsServeWithoutTalkingOfMigrations: serve runs no
// migration, so SIGTERM says it shuts down and exits 0. (Regression: it
// printed "rolling back the current migration and releasing the lock".)
func TestSIGTERMStopsServeWithoutTalkingOfMigrations(t *testing.T) {
	t.Parallel()
	r := newRunner(t, testenv.SQLite(t))
	r.write("0001_a.sql", "CREATE TABLE a (id INTEGER);\n")
	assertCode(t, r.run("up"), 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := r.start("serve", "--addr", addr)
	waitFor(t, p, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	p.signal(syscall.SIGTERM)
	res := p.wait(20 * time.Second)
	assertCode(t, res, 0)
	assertContains(t, res, "stderr", "strata: shutting down the status server (press Ctrl-C again to exit at once)")
	if strings.Contains(res.stderr, "rolling back") || strings.Contains(res.stderr, "migration") {
		t.Errorf("serve talks of migrations on SIGTERM:\n%s", res.stderr)
	}
}
