package migratebench

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"time"
)

// WireCounter is a TCP proxy in front of a PostgreSQL server that counts
// what clients send and how many round trips they wait for. A round trip is
// one ReadyForQuery message from the server: the client sent a simple Query
// or an extended-protocol Sync and waited for the answer.
type WireCounter struct {
	ln       net.Listener
	upstream string

	mu    sync.Mutex
	stats WireStats
	wg    sync.WaitGroup
}

// WireStats is what a [WireCounter] saw.
type WireStats struct {
	Connections int
	RoundTrips  int            // ReadyForQuery messages from the server
	Messages    map[byte]int   // client messages by type: 'Q' simple query, 'P' parse, 'B' bind, 'E' execute, 'S' sync, ...
	Statements  map[string]int // SQL of 'Q' and 'P' messages by their first keyword (BEGIN, CREATE, INSERT, ...)
	// Wait is the time from a client's Query or Sync to the server's
	// ReadyForQuery, by the first keyword of the statement it ran (prefixed
	// with Q for simple, X for extended protocol): the time the client
	// spent waiting for the server.
	Wait        map[string]time.Duration
	WaitN       map[string]int
	ClientBytes int64
	ServerBytes int64
}

// NewWireCounter listens on a free port of 127.0.0.1 and forwards every
// connection to upstream (host:port).
func NewWireCounter(upstream string) (*WireCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w := &WireCounter{ln: ln, upstream: upstream}
	w.Reset()
	go w.accept()
	return w, nil
}

// Addr is the proxy's host:port.
func (w *WireCounter) Addr() string { return w.ln.Addr().String() }

// Close stops listening and waits for the open connections to end.
func (w *WireCounter) Close() error {
	err := w.ln.Close()
	w.wg.Wait()
	return err
}

// Reset zeroes the counters.
func (w *WireCounter) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats = WireStats{Messages: map[byte]int{}, Statements: map[string]int{}, Wait: map[string]time.Duration{}, WaitN: map[string]int{}}
}

// Stats returns a copy of the counters.
func (w *WireCounter) Stats() WireStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Messages, s.Statements = map[byte]int{}, map[string]int{}
	s.Wait, s.WaitN = map[string]time.Duration{}, map[string]int{}
	for k, v := range w.stats.Messages {
		s.Messages[k] = v
	}
	for k, v := range w.stats.Statements {
		s.Statements[k] = v
	}
	for k, v := range w.stats.Wait {
		s.Wait[k] = v
	}
	for k, v := range w.stats.WaitN {
		s.WaitN[k] = v
	}
	return s
}

func (w *WireCounter) accept() {
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", w.upstream)
		if err != nil {
			c.Close()
			continue
		}
		w.mu.Lock()
		w.stats.Connections++
		w.mu.Unlock()
		st := &connState{prepared: map[string]string{}}
		w.wg.Add(2)
		go func() {
			defer w.wg.Done()
			w.pipe(u, c, true, st)
			u.(*net.TCPConn).CloseWrite()
		}()
		go func() {
			defer w.wg.Done()
			w.pipe(c, u, false, st)
			c.(*net.TCPConn).CloseWrite()
		}()
	}
}

// connState follows one connection's extended-protocol statements, so that
// the wait for a Sync is put down to the statement it executed.
type connState struct {
	prepared map[string]string // statement name -> kind
	pending  string            // kind of the last Parse or Bind since the last Sync
	waiting  []waiter          // Query or Sync messages not yet answered
}

type waiter struct {
	kind string
	at   time.Time
}

// pipe copies src to dst message by message, counting. The client's first
// message (StartupMessage or SSLRequest) has no type byte.
func (w *WireCounter) pipe(dst io.Writer, src io.Reader, fromClient bool, st *connState) {
	r := bufio.NewReaderSize(src, 64<<10)
	bw := bufio.NewWriterSize(dst, 64<<10)
	first := fromClient
	var hdr [5]byte
	for {
		var typ byte
		var n int
		if first {
			if _, err := io.ReadFull(r, hdr[:4]); err != nil {
				return
			}
			n = int(binary.BigEndian.Uint32(hdr[:4]))
			if _, err := bw.Write(hdr[:4]); err != nil {
				return
			}
			first = n == 8 // an SSLRequest/GSSENCRequest is followed by the real StartupMessage
			n -= 4
		} else {
			if _, err := io.ReadFull(r, hdr[:5]); err != nil {
				return
			}
			typ = hdr[0]
			n = int(binary.BigEndian.Uint32(hdr[1:5])) - 4
			if _, err := bw.Write(hdr[:5]); err != nil {
				return
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if _, err := bw.Write(body); err != nil {
			return
		}
		w.count(fromClient, typ, body, 5+n, st)
		// Forward at once when nothing more is buffered, so the proxy never
		// holds back a message the other side waits for.
		if r.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return
			}
		}
	}
}

func (w *WireCounter) count(fromClient bool, typ byte, body []byte, size int, st *connState) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !fromClient {
		w.stats.ServerBytes += int64(size)
		if typ == 'Z' {
			w.stats.RoundTrips++
			if len(st.waiting) > 0 {
				wt := st.waiting[0]
				st.waiting = st.waiting[1:]
				w.stats.Wait[wt.kind] += now.Sub(wt.at)
				w.stats.WaitN[wt.kind]++
			}
		}
		return
	}
	w.stats.ClientBytes += int64(size)
	if typ == 0 {
		return
	}
	w.stats.Messages[typ]++
	switch typ {
	case 'Q':
		sql, _, _ := strings.Cut(string(body), "\x00")
		kind := keyword(sql)
		w.stats.Statements["Q "+kind]++
		st.waiting = append(st.waiting, waiter{"Q " + kind, now})
	case 'P':
		name, rest, _ := strings.Cut(string(body), "\x00")
		sql, _, _ := strings.Cut(rest, "\x00")
		kind := keyword(sql)
		w.stats.Statements["P "+kind]++
		st.prepared[name] = kind
		st.pending = "X prepare " + kind
	case 'B':
		_, rest, _ := strings.Cut(string(body), "\x00") // portal
		name, _, _ := strings.Cut(rest, "\x00")
		st.pending = "X " + st.prepared[name]
	case 'S':
		kind := st.pending
		if kind == "" {
			kind = "X sync"
		}
		st.pending = ""
		st.waiting = append(st.waiting, waiter{kind, now})
	}
}

func keyword(sql string) string {
	if f := strings.Fields(sql); len(f) > 0 {
		return strings.ToUpper(strings.TrimRight(f[0], ";"))
	}
	return "(empty)"
}

// String lists the counters, one per line.
func (s WireStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connections %d, round trips %d, client bytes %d, server bytes %d\n", s.Connections, s.RoundTrips, s.ClientBytes, s.ServerBytes)
	var types []string
	for t, n := range s.Messages {
		types = append(types, fmt.Sprintf("%c=%d", t, n))
	}
	sort.Strings(types)
	fmt.Fprintf(&b, "client messages: %s\n", strings.Join(types, " "))
	keys := make([]string, 0, len(s.Statements))
	for k := range s.Statements {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return s.Statements[keys[i]] > s.Statements[keys[j]] || s.Statements[keys[i]] == s.Statements[keys[j]] && keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-28s %d\n", k, s.Statements[k])
	}
	keys = keys[:0]
	var total time.Duration
	for k, d := range s.Wait {
		keys = append(keys, k)
		total += d
	}
	sort.Slice(keys, func(i, j int) bool { return s.Wait[keys[i]] > s.Wait[keys[j]] })
	fmt.Fprintf(&b, "waiting for the server: %s in all\n", total.Round(time.Millisecond))
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-28s %5d x %8s = %s\n", k, s.WaitN[k], (s.Wait[k] / time.Duration(s.WaitN[k])).Round(time.Microsecond), s.Wait[k].Round(time.Millisecond))
	}
	return b.String()
}
