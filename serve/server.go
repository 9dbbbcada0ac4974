package serve

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
	"github.com/strata-db/strata/serve/guard"
)

// DefaultAddr is where `strata serve` listens unless told otherwise: the
// loopback interface only.
const DefaultAddr = "127.0.0.1:9465"

//go:embed static
var static embed.FS

// StatusSource reads a target's migrations; *migrate.Provider is one.
type StatusSource interface {
	Status(ctx context.Context) ([]migrate.MigrationStatus, error)
}

// Target is one database the server watches.
type Target struct {
	// Name labels the target in the page, the JSON and the metrics.
	Name string
	// Database describes it, without a password.
	Database string
	Source   StatusSource
	// Probe, when set, tells whether a runner holds the lock now.
	Probe *guard.Probe
	// Checks, when set, gives the last integrity check results.
	Checks CheckSource
}

// CheckSource reads the last integrity check results of a target.
type CheckSource interface {
	LastChecks(ctx context.Context) ([]Check, error)
}

// ChecksEvery is how often a target's check results are read again.
const ChecksEvery = 15 * time.Second

// Options configure a [Server].
type Options struct {
	// Interval between polls of each target (default 1s).
	Interval time.Duration
	// Token, when set, is the bearer token every request but /healthz
	// must carry.
	Token string
	// History is how many recent migrations the status lists (default 20).
	History int
	// Logger receives poll errors (default: discard).
	Logger *slog.Logger
}

// Server serves the status of its targets. It is safe for concurrent use.
type Server struct {
	targets []Target
	o       Options
	mu      sync.RWMutex
	status  Status
	rates   map[rateKey]*rate
	samples map[string][]Sample
	polled  chan struct{}
	once    sync.Once
	checks  map[string]checksCache
}

type checksCache struct {
	at     time.Time
	checks []Check
}

type rateKey struct{ target, version, table string }

type rate struct {
	rows int64
	at   time.Time
	rate float64
}

// Status is the document of /api/status.
type Status struct {
	// Version is the applied version of the first target.
	Version     string         `json:"version"`
	GeneratedAt time.Time      `json:"generated_at"`
	Targets     []TargetStatus `json:"targets"`
}

// TargetStatus is one target's state.
type TargetStatus struct {
	Name     string `json:"name"`
	Database string `json:"database,omitempty"`
	// Version is the highest applied version ("0" when none).
	Version string `json:"version"`
	// Locked: a runner holds the lock now.
	Locked  bool `json:"locked"`
	Pending int  `json:"pending"`
	// Active lists the migrations running, expanded (waiting for
	// `strata complete`) or failed, with their progress.
	Active []Migration `json:"active"`
	// History lists the most recent migrations, newest first.
	History []Migration `json:"history"`
	// Checks are the last integrity check results known.
	Checks []Check `json:"checks"`
	// Throughput is the rows/s of the target's backfills over the last
	// minutes, one sample per poll.
	Throughput []Sample `json:"throughput"`
	Error      string   `json:"error,omitempty"`
}

// Migration is one migration in a status.
type Migration struct {
	Version    string     `json:"version"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	State      string     `json:"state"`
	At         time.Time  `json:"at,omitzero"`
	DurationMS int64      `json:"duration_ms"`
	AppliedBy  string     `json:"applied_by,omitempty"`
	Error      string     `json:"error,omitempty"`
	Backfills  []Backfill `json:"backfills,omitempty"`
	// Statements is the recorded progress of a SQL migration run outside
	// a transaction (statements done).
	Progress json.RawMessage `json:"progress,omitempty"`
}

// Backfill is the progress of one backfill pass.
type Backfill struct {
	Table         string  `json:"table"`
	Rows          int64   `json:"rows"`
	Total         int64   `json:"total"`
	Percent       float64 `json:"percent"`
	Done          bool    `json:"done"`
	RowsPerSecond float64 `json:"rows_per_second"`
	ETASeconds    float64 `json:"eta_seconds,omitempty"`
}

// Check is one integrity check result.
type Check struct {
	// Version is the migration the check ran with.
	Version string    `json:"version,omitempty"`
	Phase   string    `json:"phase,omitempty"`
	Name    string    `json:"name"`
	OK      bool      `json:"ok"`
	Message string    `json:"message,omitempty"`
	At      time.Time `json:"at"`
}

// Sample is one throughput measurement.
type Sample struct {
	At            time.Time `json:"t"`
	RowsPerSecond float64   `json:"rows_per_second"`
}

// New returns a server over targets; call [Server.Run] or
// [Server.Poll] before its handler has anything to show.
func New(targets []Target, o Options) *Server {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.History <= 0 {
		o.History = 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{targets: targets, o: o, rates: map[rateKey]*rate{}, samples: map[string][]Sample{}, polled: make(chan struct{}), checks: map[string]checksCache{}}
	s.status = Status{Version: "0", Targets: []TargetStatus{}}
	return s
}

// Run polls the targets until ctx ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		s.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll reads every target once and updates the status.
func (s *Server) Poll(ctx context.Context) {
	now := time.Now()
	out := Status{GeneratedAt: now, Targets: make([]TargetStatus, 0, len(s.targets))}
	for _, t := range s.targets {
		out.Targets = append(out.Targets, s.pollTarget(ctx, t, now))
	}
	out.Version = "0"
	if len(out.Targets) > 0 {
		out.Version = out.Targets[0].Version
	}
	s.mu.Lock()
	s.status = out
	s.mu.Unlock()
	s.once.Do(func() { close(s.polled) })
}

func (s *Server) pollTarget(ctx context.Context, t Target, now time.Time) TargetStatus {
	ts := TargetStatus{Name: t.Name, Database: t.Database, Version: "0", Active: []Migration{}, History: []Migration{}, Checks: []Check{}, Throughput: []Sample{}}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	sts, err := t.Source.Status(qctx)
	if err != nil {
		ts.Error = err.Error()
		s.o.Logger.Warn("read status", "target", t.Name, "error", err)
	}
	if t.Probe != nil {
		st := t.Probe.Check(qctx)
		ts.Locked = st.Locked
	}
	version := migrate.Version("0")
	var total float64
	var done []Migration
	for _, st := range sts {
		m := Migration{Version: string(st.Version), Name: st.Name, Kind: string(st.Kind), State: string(st.State), At: st.AppliedAt,
			DurationMS: st.DurationMS, AppliedBy: st.AppliedBy, Error: st.Error}
		switch st.State {
		case migrate.StatePending:
			ts.Pending++
			continue
		case migrate.StateApplied:
			if !st.Repeatable && st.Version.Compare(version) > 0 {
				version = st.Version
			}
		case migrate.StateRunning, migrate.StateExpanded, migrate.StateFailed:
			m.Backfills, m.Progress = s.backfills(t.Name, st, now)
			for _, b := range m.Backfills {
				total += b.RowsPerSecond
			}
			ts.Active = append(ts.Active, m)
		}
		done = append(done, m)
	}
	ts.Version = string(version)
	if t.Checks != nil {
		s.mu.Lock()
		c, ok := s.checks[t.Name]
		s.mu.Unlock()
		if !ok || now.Sub(c.at) >= ChecksEvery {
			cs, err := t.Checks.LastChecks(qctx)
			if err != nil {
				s.o.Logger.Warn("read check results", "target", t.Name, "error", err)
			}
			c = checksCache{at: now, checks: cs}
			s.mu.Lock()
			s.checks[t.Name] = c
			s.mu.Unlock()
		}
		ts.Checks = append(ts.Checks, c.checks...)
	}
	for i := len(done) - 1; i >= 0 && len(ts.History) < s.o.History; i-- {
		ts.History = append(ts.History, done[i])
	}
	s.mu.Lock()
	smp := append(s.samples[t.Name], Sample{At: now, RowsPerSecond: total})
	for len(smp) > 0 && now.Sub(smp[0].At) > 5*time.Minute {
		smp = smp[1:]
	}
	s.samples[t.Name] = smp
	ts.Throughput = append(ts.Throughput, smp...)
	s.mu.Unlock()
	return ts
}

// backfills reads an online migration's recorded backfill progress and
// works out each pass's rate from the previous poll.
func (s *Server) backfills(target string, st migrate.MigrationStatus, now time.Time) ([]Backfill, json.RawMessage) {
	if len(st.Progress) == 0 {
		return nil, nil
	}
	if st.Kind != migrate.KindOnline {
		return nil, st.Progress
	}
	state, err := online.ParseState(st.Progress)
	if err != nil || state == nil {
		return nil, st.Progress
	}
	var out []Backfill
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range state.Backfills {
		bf := Backfill{Table: b.Table, Rows: b.Rows, Total: max(b.Total, b.Rows), Done: b.Done}
		if bf.Total > 0 {
			bf.Percent = float64(int(1000*float64(bf.Rows)/float64(bf.Total))) / 10
		}
		if b.Done {
			bf.Percent = 100
		}
		k := rateKey{target, string(st.Version), b.Table}
		r := s.rates[k]
		switch {
		case r == nil || b.Rows < r.rows:
			s.rates[k] = &rate{rows: b.Rows, at: now}
		case st.State == migrate.StateRunning && !b.Done:
			if dt := now.Sub(r.at).Seconds(); dt > 0 {
				cur := float64(b.Rows-r.rows) / dt
				if r.rate == 0 {
					r.rate = cur
				} else {
					r.rate = 0.5*r.rate + 0.5*cur
				}
			}
			r.rows, r.at = b.Rows, now
			bf.RowsPerSecond = float64(int64(r.rate))
			if r.rate > 0 && bf.Total > bf.Rows {
				bf.ETASeconds = math.Ceil(float64(bf.Total-bf.Rows) / r.rate)
			}
		}
		out = append(out, bf)
	}
	return out, nil
}

// Status returns the last poll's status.
func (s *Server) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.status
}

// Handler serves the page, the API and the metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	page, _ := fs.Sub(static, "static")
	mux.Handle("GET /{$}", http.FileServerFS(page))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(page)))
	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s.Status())
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{s: s})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	return s.auth(readOnly(mux))
}

// readOnly refuses every method but GET and HEAD: the server changes
// nothing.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "strata serve is read-only", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) auth(next http.Handler) http.Handler {
	if s.o.Token == "" {
		return next
	}
	want := []byte(s.o.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The page and its assets hold no data; the page passes ?token on
		// to its API requests.
		if r.URL.Path == "/healthz" || r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		got := r.URL.Query().Get("token")
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			got = strings.TrimPrefix(h, "Bearer ")
		}
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="strata"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ListenAndServe serves on addr until ctx ends, polling the targets
// meanwhile. A listen error is returned at once.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve is [Server.ListenAndServe] on a listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.Run(pctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
