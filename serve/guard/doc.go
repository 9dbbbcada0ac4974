// Package guard keeps an application from serving requests while strata
// changes its database's schema, and from starting on a schema older than
// it needs.
//
// [Middleware] wraps an http.Handler. While a strata runner holds its lock
// on the database (PostgreSQL: the advisory lock in pg_locks; MySQL:
// IS_USED_LOCK; SQLite: its lease, each engine's dialect.Watcher), or a
// migration is recorded as running in the history table,
// it answers 503 Service Unavailable with a Retry-After header. The answer
// is cached for Options.CacheFor, so the guard costs at most one query per
// interval however many requests arrive. Options.AllowReadOnly lets GET,
// HEAD and OPTIONS requests through. The engine is Options.Dialect, or is
// detected with detect.Driver or detect.Server (wrapped drivers included); a database whose
// engine cannot be told fails its checks, never guessed.
//
//	mux := http.NewServeMux()
//	...
//	h := guard.Middleware(db, guard.Options{AllowReadOnly: true})(mux)
//	http.ListenAndServe(":8080", h)
//
// [Ready] lets an application refuse to start on an old schema:
//
//	if err := guard.Ready(ctx, db, "20261124140000"); err != nil {
//		log.Fatal(err) // errors.Is(err, guard.ErrSchemaTooOld)
//	}
package guard
