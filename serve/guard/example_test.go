package guard_test

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"net/http"

	"github.com/strata-db/strata/serve/guard"
)

func Example() {
	db, err := sql.Open("pgx", "postgres://app@127.0.0.1:5432/app")
	if err != nil {
		log.Fatal(err)
	}
	// Refuse to start on a schema older than this build needs.
	if err := guard.Ready(context.Background(), db, "20261124140000"); errors.Is(err, guard.ErrSchemaTooOld) {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) { /* ... */ })
	// 503 + Retry-After for writes while a migration runs; reads go through.
	h := guard.Middleware(db, guard.Options{AllowReadOnly: true})(mux)
	log.Fatal(http.ListenAndServe(":8080", h))
}
