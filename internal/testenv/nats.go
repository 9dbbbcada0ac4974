package testenv

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	natsEnv     = "STRATA_TEST_NATS"
	natsDefault = "nats://127.0.0.1:4222"
)

// NATS returns the URL of the NATS server in STRATA_TEST_NATS (default
// nats://127.0.0.1:4222) after checking that it answers and has JetStream
// enabled.
//
// The server is shared: unlike the other helpers, NATS creates nothing for
// the test, so each test must use subjects, streams and consumers with names
// of its own, for example derived from t.Name().
//
// An unreachable server skips the test, or fails it when CI is true.
func NATS(t testing.TB) string {
	t.Helper()
	return natsAt(t, envOr(natsEnv, natsDefault))
}

type natsServer struct {
	admin string

	once    sync.Once
	err     error
	invalid bool
}

// natsServers maps a server URL to its *natsServer.
var natsServers sync.Map

func natsAt(t testing.TB, admin string) string {
	t.Helper()
	v, _ := natsServers.LoadOrStore(admin, &natsServer{admin: admin})
	s := v.(*natsServer)
	s.once.Do(s.open)
	if s.invalid {
		t.Fatalf("testenv: %s: %v", natsEnv, s.err)
		return ""
	}
	if s.err != nil {
		unavailable(t, "NATS", redact(admin), natsEnv, s.err)
		return ""
	}
	return admin
}

// open reads the INFO line that a NATS server sends to every new client.
func (s *natsServer) open() {
	u, err := url.Parse(s.admin)
	if err != nil || u.Scheme != "nats" || u.Host == "" {
		s.err, s.invalid = fmt.Errorf("not a NATS URL: %s", redact(s.admin)), true
		return
	}
	conn, err := net.DialTimeout("tcp", u.Host, connectTimeout)
	if err != nil {
		s.err = err
		return
	}
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(connectTimeout)); err != nil {
		s.err = err
		return
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		s.err = fmt.Errorf("read INFO: %w", err)
		return
	}
	payload, ok := strings.CutPrefix(line, "INFO ")
	if !ok {
		s.err = fmt.Errorf("server greeted with %q, want INFO", strings.TrimSpace(line))
		return
	}
	var info struct {
		JetStream bool `json:"jetstream"`
	}
	if err := json.Unmarshal([]byte(payload), &info); err != nil {
		s.err = fmt.Errorf("read INFO: %w", err)
		return
	}
	if !info.JetStream {
		s.err = errors.New("server runs without JetStream (nats-server -js)")
	}
}
