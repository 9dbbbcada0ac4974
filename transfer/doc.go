// Package transfer copies and reshapes tables between database engines
// (PostgreSQL, MySQL/MariaDB and SQLite in every direction), fast,
// resumable and verified: `strata transfer spec.yaml`.
//
// A [Spec] names a source, a target and table mappings:
//
//	source: mysql://root@127.0.0.1:3306/shop
//	target: postgres://postgres@127.0.0.1:5432/shop
//	tables:
//	  - from: items
//	    key: id            # or [order_id, product_id]
//	    create: true       # CREATE TABLE from the source's schema (see below)
//	    rules:
//	      - convert: {column: price, to: price_cents, type: cents}
//	      - filter: "status != 'deleted'"
//
// [Run] reads each source table in key order, in pages of chunk_rows rows
// (keyset pagination, so composite and text keys work and memory holds a
// few chunks whatever the table's size). Workers map the rows ([Row]: a
// set of named values), apply the rules (expressions in expr-lang/expr) and
// write each chunk in one transaction together with its checkpoint row in
// strata_transfer_chunks: PostgreSQL through COPY, MySQL and SQLite through
// multi-row INSERTs. A run killed at any point resumes (Options.Resume)
// from the chunks that committed, with no row written twice.
//
// No row vanishes: a row a rule rejects, a value the target cannot hold
// (a chunk the target refuses is bisected under savepoints down to the
// rows at fault) goes to strata_transfer_quarantine with its source key and
// the error; a filter counts it as skipped; MySQL zero dates become NULL and
// are counted. Each table's [TableResult] satisfies
// read = written + quarantined + skipped. max_errors stops a run with too
// many bad rows.
//
// Reshaping is per mapping: several mappings of one source split a table
// (users → users + addresses), from: a SELECT with a JOIN merges tables,
// explode: turns a comma list or JSON array into a junction table,
// lookups: fetch a value from another table, and references: check
// foreign keys against the target with orphans: fail | skip | quarantine |
// null. defer_indexes: drops an empty PostgreSQL target's secondary indexes
// and foreign keys for the load and rebuilds them afterwards. [Step] runs a
// transfer: document as a migration step.
//
// create: true creates a missing target table from the source's: types
// mapped between engines, NOT NULL, the primary key, identity columns
// (their counters moved past the copied values after the load), defaults
// that mean the same on the target, and, built after the load, unique
// constraints, secondary indexes and foreign keys. [TableResult.Carried]
// says what was carried, and what was not and why.
//
// After the copy, counts are compared and, where both engines are
// PostgreSQL or MySQL and the key is one integer column, a chunked checksum
// of the columns copied unchanged (package check); [Verify] names the
// columns compared and why any were left out. A transfer that finished is
// done: run again, it copies nothing ([Result.AlreadyDone]).
//
// What differs between engines is asked of package dialect (quoting,
// introspection, error classes, placeholders, identity counters); what
// only transfer needs (how each engine's types read and are written, how
// rows go in fastest) is one engine value per database, in engine_*.go,
// chosen from the server's flavor.
//
// Run is safe to call from several goroutines on different specs.
package transfer
