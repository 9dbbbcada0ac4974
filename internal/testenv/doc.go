// Package testenv gives tests a fresh database on a real local server.
//
// Each helper creates a database that no other test uses, registers its
// removal with [testing.TB.Cleanup] and returns a URL in the form the rest
// of strata accepts:
//
//	func TestApply(t *testing.T) {
//		t.Parallel()
//		dsn := testenv.Postgres(t) // postgres://postgres@127.0.0.1:5432/strata_test_1f...?sslmode=disable
//		db, err := sql.Open("pgx", dsn)
//		...
//	}
//
// Code that must behave the same on every engine is tested once with
// [ForEachEngine], which runs a subtest per engine with a fresh database,
// already open, and its dialect:
//
//	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
//		t.Parallel()
//		// e.Name, e.URL, e.Dialect, e.DB
//	})
//
// [Postgres] and [MySQL] create a database named strata_test_<random hex>
// and drop it when the test ends, closing any connection the test left
// open. [SQLite] returns a file in [testing.TB.TempDir]. [Redis] claims one
// of the server's numbered databases for the test and empties it before and
// after. [NATS] only checks that the server answers: tests must use subjects
// and stream names of their own, for example from the test's name.
//
// The servers are the ones scripts/services starts. Their addresses can be
// changed with environment variables:
//
//	STRATA_TEST_PG     postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//	STRATA_TEST_MYSQL  mysql://root@127.0.0.1:3306/
//	STRATA_TEST_REDIS  redis://127.0.0.1:6379
//	STRATA_TEST_NATS   nats://127.0.0.1:4222
//
// The PostgreSQL and MySQL URLs name an administrative connection that may
// create and drop databases; the URL handed to a test keeps its user,
// password, host and parameters and replaces the database.
//
// When a server cannot be reached the test is skipped with a message naming
// the server, the address tried and the command that starts it. When the
// environment variable CI is true the test fails instead: CI never passes
// by skipping.
//
// The administrative connections are opened once per test binary and shared;
// every function in this package is safe for concurrent use by parallel
// tests. Database names come from crypto/rand, so test binaries running at
// the same time against the same server do not collide.
package testenv
