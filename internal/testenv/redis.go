package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	redisEnv     = "STRATA_TEST_REDIS"
	redisDefault = "redis://127.0.0.1:6379"
)

// Redis keeps its claims in database 0 and hands out databases 1 to
// redisDatabases-1, the count a default server has.
const (
	redisDatabases = 16
	redisClaimKey  = "strata:testenv:claim:"
	// redisClaimTTL outlives scripts/test's 20 minute timeout, so a claim
	// left by a killed test binary frees itself.
	redisClaimTTL = 30 * time.Minute
	// redisClaimWait bounds the wait for another test to free a database.
	redisClaimWait = 2 * time.Minute
)

// Redis returns the URL of a Redis database that only this test uses, such
// as redis://127.0.0.1:6379/7, emptied before the test and again after it.
//
// The server is the one in STRATA_TEST_REDIS (default redis://127.0.0.1:6379).
// Redis has only a few numbered databases, so Redis claims one of 1 to 15
// with a key in database 0 that the claim's cleanup removes; when every one
// is taken it waits up to two minutes for one to be freed, then fails.
// Tests must not use database 0.
//
// An unreachable server skips the test, or fails it when CI is true.
func Redis(t testing.TB) string {
	t.Helper()
	return redisAt(t, envOr(redisEnv, redisDefault))
}

type redisServer struct {
	admin string

	once    sync.Once
	url     *url.URL
	err     error
	invalid bool
}

// redisServers maps a server URL to its *redisServer.
var redisServers sync.Map

func redisAt(t testing.TB, admin string) string {
	t.Helper()
	v, _ := redisServers.LoadOrStore(admin, &redisServer{admin: admin})
	s := v.(*redisServer)
	s.once.Do(s.open)
	if s.invalid {
		t.Fatalf("testenv: %s: %v", redisEnv, s.err)
		return ""
	}
	if s.err != nil {
		unavailable(t, "Redis", redact(admin), redisEnv, s.err)
		return ""
	}

	db, token, err := s.claim()
	if err != nil {
		t.Fatalf("testenv: claim a Redis database on %s: %v", redact(admin), err)
		return ""
	}
	t.Cleanup(func() {
		if err := s.release(db, token); err != nil {
			t.Errorf("testenv: release Redis database %d on %s: %v", db, redact(admin), err)
		}
	})
	u := *s.url
	u.Path = "/" + strconv.Itoa(db)
	return u.String()
}

func (s *redisServer) open() {
	u, err := url.Parse(s.admin)
	if err != nil || u.Scheme != "redis" || u.Host == "" {
		s.err, s.invalid = fmt.Errorf("not a Redis URL: %s", redact(s.admin)), true
		return
	}
	s.url = u
	c, err := s.dial()
	if err != nil {
		s.err = err
		return
	}
	defer c.Close()
	reply, err := c.do("PING")
	if err == nil && reply != "PONG" {
		err = fmt.Errorf("PING answered %q, want PONG", reply)
	}
	s.err = err
}

// claim takes a free database and empties it.
func (s *redisServer) claim() (db int, token string, err error) {
	c, err := s.dial()
	if err != nil {
		return 0, "", err
	}
	defer c.Close()
	token = newName()
	ttl := strconv.FormatInt(redisClaimTTL.Milliseconds(), 10)
	deadline := time.Now().Add(redisClaimWait)
	for {
		// Start at a random database so parallel tests rarely race for one.
		first := 1 + rand.IntN(redisDatabases-1)
		for i := range redisDatabases - 1 {
			db = 1 + (first-1+i)%(redisDatabases-1)
			reply, err := c.do("SET", redisClaimKey+strconv.Itoa(db), token, "NX", "PX", ttl)
			if errors.Is(err, errRedisNil) {
				continue // claimed by another test
			}
			if err != nil {
				return 0, "", err
			}
			if reply != "OK" {
				return 0, "", fmt.Errorf("SET NX answered %q", reply)
			}
			if _, err := c.do("SELECT", strconv.Itoa(db)); err != nil {
				return 0, "", err
			}
			if _, err := c.do("FLUSHDB"); err != nil {
				return 0, "", err
			}
			return db, token, nil
		}
		if time.Now().After(deadline) {
			return 0, "", fmt.Errorf("databases 1 to %d stayed claimed by other tests for %v", redisDatabases-1, redisClaimWait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// redisRelease deletes a claim only if it is still the caller's.
const redisRelease = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`

// release empties db and gives it back.
func (s *redisServer) release(db int, token string) error {
	c, err := s.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.do("SELECT", strconv.Itoa(db)); err != nil {
		return err
	}
	if _, err := c.do("FLUSHDB"); err != nil {
		return err
	}
	if _, err := c.do("SELECT", "0"); err != nil {
		return err
	}
	_, err = c.do("EVAL", redisRelease, "1", redisClaimKey+strconv.Itoa(db), token)
	return err
}

// dial connects and authenticates when the URL has a password.
func (s *redisServer) dial() (*respConn, error) {
	nc, err := net.DialTimeout("tcp", s.url.Host, connectTimeout)
	if err != nil {
		return nil, err
	}
	c := &respConn{conn: nc, r: bufio.NewReader(nc)}
	if pass, ok := s.url.User.Password(); ok {
		args := []string{"AUTH", pass}
		if user := s.url.User.Username(); user != "" {
			args = []string{"AUTH", user, pass}
		}
		if _, err := c.do(args...); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// errRedisNil is the nil reply, as SET NX gives when the key exists.
var errRedisNil = errors.New("redis: nil reply")

// respConn speaks just enough of the Redis protocol (RESP2) for testenv.
type respConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func (c *respConn) Close() error { return c.conn.Close() }

// do sends one command and returns a simple, integer or bulk string reply.
func (c *respConn) do(args ...string) (string, error) {
	if err := c.conn.SetDeadline(time.Now().Add(adminTimeout)); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c.conn, b.String()); err != nil {
		return "", fmt.Errorf("send %s: %w", args[0], err)
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read reply to %s: %w", args[0], err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty reply to %s", args[0])
	}
	switch kind, rest := line[0], line[1:]; kind {
	case '+', ':':
		return rest, nil
	case '-':
		return "", fmt.Errorf("%s: %s", args[0], rest)
	case '$':
		n, err := strconv.Atoi(rest)
		if err != nil {
			return "", fmt.Errorf("bad reply to %s: %q", args[0], line)
		}
		if n < 0 {
			return "", errRedisNil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return "", fmt.Errorf("read reply to %s: %w", args[0], err)
		}
		return string(buf[:n]), nil
	default:
		return "", fmt.Errorf("unexpected reply to %s: %q", args[0], line)
	}
}
