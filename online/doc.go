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
// search_path to the version schema, then the tables' schema
// (SET search_path = strata_v42, public): the triggers take a session whose
// current_schema() is the version schema for a new-shape writer, and any
// other for an old-shape one. [Runner.Complete] contracts: in one
// short transaction it drops the triggers and the old shape, renames the
// new shape into place and drops the version schema. [Runner.Abort] undoes
// Start from any partial state, leaving the old shape and every row as they
// were, and drops the version schema too.
//
// # Version schemas
//
// A version schema exists exactly while its migration is expanded: Start
// creates it, Complete and Abort drop it. After Complete there is one shape
// again, the physical tables, and nothing may keep depending on their
// columns: a view left over them would make every later plain migration that
// changes a column's type or drops a column fail. An application whose
// search_path still names the dropped schema is not broken by it:
// PostgreSQL skips a schema of search_path that does not exist, so it reads
// the final tables through the next entry (public), and as an old-shape
// client of the next online migration, as it should. Two things change
// for it at the cut-over: SELECT * returns a column that alter_column
// rebuilt (a type change) at the end of the row, and a statement it
// prepared before the cut-over that returns such a row must be prepared
// again (PostgreSQL reports "cached plan must not change result type" once).
// Complete also drops the version schemas of older versions left by
// earlier releases of strata, except those of migrations still expanded
// ([Runner.KeepVersions]): while two migrations of different tables are
// expanded at once, each version schema shows every table, and completing
// one rebuilds the other's views of the tables it changed over their final
// shape, in the cut-over transaction; aborting one takes the tables and
// columns it added out of the other's views first. While a migration is expanded, a plain
// migration cannot change the type of, or drop, a column its views show:
// complete or abort it first.
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
// # Preconditions
//
// [Runner.Check] reads the live catalog and reports, before anything
// changes, every operation that cannot run: a table or column that does not
// exist (as the earlier operations of the file leave the new shape), a name
// already taken, an unknown type, a table without the primary key (or unique
// index over NOT NULL columns) a backfill walks, a view or foreign key that
// would stop Complete from dropping a column or table. Each problem is a
// [*PreconditionError] naming the file and line, the operation (number and
// kind) and the field. Start runs it first, so a migration that cannot run
// fails with nothing changed; [Step.Preflight] runs it for `strata plan`.
//
// # Engines
//
// Online migrations run on PostgreSQL. A Runner takes its engine knowledge
// from its Dialect (quoting, table definitions, error classes, timeouts,
// the session's schema): what only online asks of an engine (which relation
// holds a name, what depends on a column, server load, who holds a lock) is
// read through one internal seam, so that another engine is one more
// implementation of it beside its own DDL. [Supports] says whether an
// engine can run them; any other fails with [ErrUnsupported] before
// anything changes.
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
