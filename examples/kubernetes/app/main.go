// Command app is the application of the Kubernetes example
// (docs/ci-and-deployment.md): a web service whose readiness and write
// requests follow strata's guard.
//
//	GET  /readyz   200 when the schema is at least SchemaVersion, 503 before
//	               (the readiness probe)
//	GET  /healthz  200 while the process runs (the liveness probe)
//	GET  /users    reads: served during a migration
//	POST /users    writes: 503 with Retry-After while a migration runs
package main

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/strata-db/strata/serve/guard"
)

// SchemaVersion is the newest migration this build of the application
// needs (the version of the last file in migrations/).
const SchemaVersion = "20260102100000"

// guardOptions let reads through during a migration; writes get 503 and
// Retry-After until it is done.
var guardOptions = guard.Options{AllowReadOnly: true}

func main() {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	srv := &http.Server{Addr: ":8080", Handler: newHandler(db, guardOptions), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler routes the probes around the guard and the application
// behind it.
func newHandler(db *sql.DB, o guard.Options) http.Handler {
	probe := guard.NewProbe(db, o)
	app := http.NewServeMux()
	app.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if err := db.QueryRowContext(r.Context(), "SELECT count(*) FROM users").Scan(&n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("users: " + strconv.Itoa(n) + "\n"))
	})
	app.HandleFunc("POST /users", func(w http.ResponseWriter, r *http.Request) {
		_, err := db.ExecContext(r.Context(), "INSERT INTO users (id, email, name) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM users), $1, $2)",
			r.FormValue("email"), r.FormValue("name"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		// Not ready on a schema older than this build needs: the init
		// container has not run, or failed. A migration in progress does
		// not make a pod unready (every pod would be, and the service
		// would have no endpoints): the guard answers writes with 503
		// and Retry-After instead, and reads go through.
		if err := guard.Ready(r.Context(), db, SchemaVersion, o); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("/", probe.Middleware(app))
	return mux
}
