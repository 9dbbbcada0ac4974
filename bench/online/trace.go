package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A tracer samples pg_stat_activity (and, for strata's sessions, the strong
// relation locks they hold) every 10 ms while a change runs, so the longest
// client transactions of a phase can be matched with what the server was
// doing meanwhile: which wait event each client had, who blocked it, and
// which statement strata was running.

const traceQuery = `
SELECT extract(epoch FROM clock_timestamp())::float8, a.pid, COALESCE(a.datname, '') = current_database(),
  CASE WHEN a.datname = current_database() THEN a.application_name ELSE COALESCE(a.datname, '') END, COALESCE(a.state, ''),
  COALESCE(a.wait_event_type, ''), COALESCE(a.wait_event, ''),
  CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid)::text ELSE '' END,
  COALESCE(extract(epoch FROM clock_timestamp() - a.xact_start)::float8, 0),
  left(regexp_replace(a.query, '\s+', ' ', 'g'), 160),
  CASE WHEN a.application_name LIKE 'strata%' THEN COALESCE((SELECT string_agg(l.mode || ':' || l.relation::regclass::text, ',' ORDER BY l.relation)
    FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.locktype = 'relation'
      AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')), '') ELSE '' END
FROM pg_stat_activity a
WHERE a.pid <> pg_backend_pid() AND a.state IN ('active', 'idle in transaction')
  AND a.backend_type = 'client backend'`

// sample is one row of the trace.
type sample struct {
	at                float64
	pid               int
	ours              bool   // a session of the bench's database
	app, state        string // app is the database's name for other databases' sessions
	waitType, wait    string
	blockers          string
	xactAge           float64
	query, strongLock string
}

type tracer struct {
	mu      sync.Mutex
	samples []sample
	events  []traceEvent
	cancel  context.CancelFunc
	done    chan struct{}
}

// traceEvent is a log line of strata's runner (debug level: every DDL
// before it runs) with the time it was written.
type traceEvent struct {
	at  float64
	msg string
}

// startTrace samples db's sessions every interval until stop.
func startTrace(ctx context.Context, db *sql.DB, interval time.Duration) (*tracer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	stmt, err := conn.PrepareContext(ctx, traceQuery)
	if err != nil {
		conn.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &tracer{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		defer conn.Close()
		defer stmt.Close()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rows, err := stmt.QueryContext(ctx)
			if err != nil {
				continue
			}
			var got []sample
			for rows.Next() {
				var s sample
				if rows.Scan(&s.at, &s.pid, &s.ours, &s.app, &s.state, &s.waitType, &s.wait, &s.blockers, &s.xactAge, &s.query, &s.strongLock) == nil {
					got = append(got, s)
				}
			}
			rows.Close()
			t.mu.Lock()
			t.samples = append(t.samples, got...)
			t.mu.Unlock()
		}
	}()
	return t, nil
}

func (t *tracer) stop() {
	t.cancel()
	<-t.done
}

// Handle records the runner's log lines (slog.Handler).
func (t *tracer) Enabled(context.Context, slog.Level) bool { return true }
func (t *tracer) WithAttrs([]slog.Attr) slog.Handler       { return t }
func (t *tracer) WithGroup(string) slog.Handler            { return t }
func (t *tracer) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "version" || a.Key == "phase" {
			return true
		}
		v := a.Value.String()
		if len(v) > 140 {
			v = v[:140] + "…"
		}
		fmt.Fprintf(&b, " %s=%s", a.Key, v)
		return true
	})
	t.mu.Lock()
	t.events = append(t.events, traceEvent{at: float64(r.Time.UnixNano()) / 1e9, msg: b.String()})
	t.mu.Unlock()
	return nil
}

// write saves the raw trace as trace.tsv in dir.
func (t *tracer) write(dir string) error {
	f, err := os.Create(filepath.Join(dir, "trace.tsv"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.events {
		fmt.Fprintf(w, "%.3f\tstrata\t%s\n", e.at, e.msg)
	}
	for _, s := range t.samples {
		fmt.Fprintf(w, "%.3f\t%d\t%s\t%s\t%s:%s\t%s\t%.3f\t%s\t%s\n", s.at, s.pid, s.app, s.state, s.waitType, s.wait, s.blockers, s.xactAge, s.strongLock, s.query)
	}
	return w.Flush()
}

// explain describes, for the n longest client transactions overlapping w,
// what the trace saw while each ran: the clients' wait events, who they
// waited for, strata's sessions' statements and strong locks, and the
// runner's log lines.
func (t *tracer) explain(ts []txn, w window, n int) []string {
	var in []txn
	for _, x := range ts {
		if !x.failed && x.start <= w.t1 && x.end >= w.t0 {
			in = append(in, x)
		}
	}
	sort.Slice(in, func(i, j int) bool { return in[i].lat > in[j].lat })
	if len(in) > n {
		in = in[:n]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, x := range in {
		out = append(out, fmt.Sprintf("  txn %.1f ms, %s – %s", x.lat, clock(x.start), clock(x.end)))
		waits, others := map[string]int{}, map[string]int{}
		strata := map[string]bool{}
		var order []string
		for _, s := range t.samples {
			if s.at < x.start-0.01 || s.at > x.end+0.01 {
				continue
			}
			if !s.ours {
				// Other jobs on the same server share its WAL and disk.
				others[s.app+" "+s.waitType+":"+s.wait]++
				continue
			}
			if s.app == "pgbench" {
				k := s.waitType + ":" + s.wait
				if k == ":" {
					k = "cpu"
				}
				if s.blockers != "" && s.blockers != "{}" {
					k += " blocked by " + s.blockers
				}
				waits[k]++
				continue
			}
			d := fmt.Sprintf("pid %d %s [%s:%s] %s %q", s.pid, s.app, s.waitType, s.wait, s.strongLock, s.query)
			if !strata[d] && len(order) < 12 {
				strata[d] = true
				order = append(order, fmt.Sprintf("%s xact %.0f ms %s", clock(s.at), s.xactAge*1000, d))
			}
		}
		ws := top(waits, 0)
		out = append(out, "    client samples: "+strings.Join(ws, ", "))
		if len(others) > 0 {
			out = append(out, "    other databases' active sessions: "+strings.Join(top(others, 4), ", "))
		}
		for _, o := range order {
			out = append(out, "    "+o)
		}
		for _, e := range t.events {
			if e.at >= x.start-0.2 && e.at <= x.end {
				out = append(out, "    log "+clock(e.at)+" "+e.msg)
			}
		}
	}
	return out
}

// top lists counts as "key×n", largest first; at most n of them (0: all).
func top(counts map[string]int, n int) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return counts[keys[i]] > counts[keys[j]] || counts[keys[i]] == counts[keys[j]] && keys[i] < keys[j]
	})
	if n > 0 && len(keys) > n {
		keys = keys[:n]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "×" + strconv.Itoa(counts[k])
	}
	return out
}

// lockTime estimates, from the samples of w, how long strata's sessions
// waited for a relation lock (the application queues behind such a wait)
// and how long they held a strong lock on a table, one sampling interval
// per sample, and the longest stretch of each.
func (t *tracer) lockTime(w window, interval time.Duration) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait, hold, waitRun, holdRun, waitMax, holdMax int
	last := map[int]float64{} // pid: time of its previous sample
	for _, s := range t.samples {
		if !s.ours || !strings.HasPrefix(s.app, "strata") || s.at < w.t0 || s.at > w.t1 {
			continue
		}
		if prev, ok := last[s.pid]; !ok || s.at-prev > 2*interval.Seconds() {
			waitRun, holdRun = 0, 0
		}
		last[s.pid] = s.at
		if s.waitType == "Lock" && s.wait == "relation" {
			wait++
			waitRun++
			waitMax = max(waitMax, waitRun)
		} else {
			waitRun = 0
		}
		if s.strongLock != "" {
			hold++
			holdRun++
			holdMax = max(holdMax, holdRun)
		} else {
			holdRun = 0
		}
	}
	ms := func(n int) int64 { return (time.Duration(n) * interval).Milliseconds() }
	return fmt.Sprintf("strata_lock_wait_ms=%d (longest %d) strata_strong_lock_held_ms=%d (longest %d)", ms(wait), ms(waitMax), ms(hold), ms(holdMax))
}

func clock(sec float64) string {
	return time.Unix(0, int64(sec*1e9)).Format("15:04:05.000")
}
