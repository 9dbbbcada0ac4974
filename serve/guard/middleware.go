package guard

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"
)

// Middleware returns a wrapper that answers 503 with Retry-After while a
// migration is under way on db (see [Probe.State]).
func Middleware(db *sql.DB, o Options) func(http.Handler) http.Handler {
	p := NewProbe(db, o)
	return p.Middleware
}

// Middleware wraps next with the probe's guard.
func (p *Probe) Middleware(next http.Handler) http.Handler {
	retry := strconv.Itoa(int((p.o.RetryAfter + time.Second - 1) / time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.o.AllowReadOnly && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions) {
			next.ServeHTTP(w, r)
			return
		}
		s := p.State(r.Context())
		if s.Busy() || (s.Err != nil && p.o.FailClosed) {
			w.Header().Set("Retry-After", retry)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "a database migration is in progress; retry later", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}
