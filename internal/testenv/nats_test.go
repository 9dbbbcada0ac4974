package testenv

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNATS(t *testing.T) {
	t.Parallel()
	dsn := NATS(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "nats" {
		t.Fatalf("NATS() = %q, want nats://host:port", dsn)
	}

	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("greeting = %q, %v", line, err)
	}

	// A message to a subject of this test's own comes back to it.
	subject := "strata.testenv." + newName()
	fmt.Fprintf(conn, "CONNECT {\"verbose\":false}\r\nSUB %s 1\r\nPUB %s 5\r\nhello\r\nPING\r\n", subject, subject)
	var got []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		line = strings.TrimSpace(line)
		if line == "PONG" {
			break
		}
		got = append(got, line)
	}
	want := []string{"MSG " + subject + " 1 5", "hello"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("received %q, want %q", got, want)
	}
}
