// Package serve is `strata serve`: a read-only HTTP server that shows where
// the migrations of one or more databases stand.
//
//	/            a status page (embedded HTML and a little JS): the applied
//	             version, a live progress bar and throughput chart for each
//	             running or expanded migration, recent history, errors
//	/api/status  the same as JSON; "version" is the first target's applied
//	             version, "targets" has every target
//	/metrics     Prometheus metrics from the same poll
//	/healthz     200 while the server runs (never needs the token)
//
// A [Server] polls each [Target] every Options.Interval; requests read the
// last poll, so a busy page adds no load on the database. With
// Options.Token set, /api/status and /metrics need "Authorization: Bearer
// TOKEN" (or ?token=TOKEN); the page itself holds no data and passes its
// ?token on to its requests.
//
// Package guard, beside it, is the middleware applications use to stop
// serving while a migration runs.
package serve
