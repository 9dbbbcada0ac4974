package testenv

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
)

// redisConn connects to the database in a URL from [Redis].
func redisConn(t *testing.T, rawURL string) *respConn {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	s := &redisServer{url: u}
	c, err := s.dial()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.do("SELECT", u.Path[1:]); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRedis(t *testing.T) {
	t.Parallel()
	var dsn string
	t.Run("gives an empty database the test can write to", func(t *testing.T) {
		dsn = Redis(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		db, err := strconv.Atoi(u.Path[1:])
		if u.Scheme != "redis" || err != nil || db < 1 || db >= redisDatabases {
			t.Fatalf("Redis() = %q, want redis://host:port/<1 to 15>", dsn)
		}
		c := redisConn(t, dsn)
		defer c.Close()
		if n, err := c.do("DBSIZE"); err != nil || n != "0" {
			t.Fatalf("DBSIZE = %q, %v; want 0", n, err)
		}
		if _, err := c.do("SET", "greeting", "hello"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.do("GET", "greeting"); err != nil || v != "hello" {
			t.Errorf("GET = %q, %v; want hello", v, err)
		}
	})
	if dsn == "" {
		t.Skip("no database")
	}

	t.Run("empties and frees the database when the test ends", func(t *testing.T) {
		c := redisConn(t, dsn)
		defer c.Close()
		if _, err := c.do("GET", "greeting"); !errors.Is(err, errRedisNil) {
			t.Errorf("GET after cleanup: %v, want nil reply", err)
		}
		u, _ := url.Parse(dsn)
		if _, err := c.do("SELECT", "0"); err != nil {
			t.Fatal(err)
		}
		// Another test may have claimed the database since; it is free
		// unless the old claim is still there, which no other test holds.
		if v, err := c.do("GET", redisClaimKey+u.Path[1:]); err == nil && !freshName.MatchString(v) {
			t.Errorf("claim key holds %q", v)
		}
	})

	t.Run("gives every claim its own database", func(t *testing.T) {
		t.Parallel()
		seen := map[string]bool{}
		for range 4 {
			dsn := Redis(t)
			if seen[dsn] {
				t.Errorf("%q handed out twice", dsn)
			}
			seen[dsn] = true
		}
	})
}
