// Package online changes busy PostgreSQL tables without stopping the
// application: declarative operations run in two phases, as pgroll does.
//
// A migration is a YAML file of operations (see [Parse]), with pgroll's
// field names:
//
//	operations:
//	  - add_column:
//	      table: t
//	      column: {name: c, type: bigint, nullable: false}
//	      up: a * 2
//
// [Runner.Start] expands: it creates the new shape beside the old (a new
// column, a new table, a duplicate of a column whose type changes),
// installs triggers that keep both shapes in step whichever one a writer
// uses, backfills existing rows in batches, and creates a schema
// strata_v<version> whose views show the new shape. The old shape stays the
// physical tables. An application moves to the new shape by setting
// search_path to the version schema: the triggers take a session whose
// current_schema() is the version schema for a new-shape writer, and any
// other for an old-shape one. [Runner.Complete] contracts: in one
// short transaction it drops the triggers and the old shape and renames the
// new shape into place. [Runner.Abort] undoes Start from any partial state,
// leaving the old shape and every row as they were.
//
// Safety rules are always on. Every statement that takes a lock the
// application would queue behind runs under lock_timeout (500ms by default)
// and is retried with backoff and jitter, so no application query waits
// longer than one lock timeout behind strata, however long another
// transaction holds the table; after MaxLockWait the run stops with a
// [*LockTimeoutError] naming the blocking session. Indexes are built
// CONCURRENTLY and constraints added NOT VALID then validated, which block
// no reader or writer. Backfills walk the primary key (or a unique NOT NULL
// key) in batches sized to a target time, each its own transaction, pause
// on replication lag and load, and save their cursor in the [State] after
// every batch, so a killed run resumes where it stopped.
//
// The migration engine owns history and locking: it passes the saved
// [State] back to resume and stores each new one through a [StateStore]:
//
//	r := &online.Runner{DB: db}
//	m, err := online.Parse("V42_split_name.yaml", data)
//	...
//	err = r.Start(ctx, "42", m, saved, store) // strata up
//	err = r.Complete(ctx, "42", m, st, store) // strata complete
//	err = r.Abort(ctx, "42", m, st, store)    // strata abort
package online
