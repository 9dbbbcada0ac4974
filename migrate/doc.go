// Package migrate is strata's migration engine: it reads a migration
// directory, plans what a request would do, and runs the plan against one
// database under a lock, recording each step in a history.
//
// # Directories
//
// A directory (any [fs.FS], so an [embed.FS] works) holds versioned
// migrations in the formats of the tools people already use, read as
// those tools read them:
//
//   - strata: VERSION_name.sql with "-- strata:up" and "-- strata:down"
//     sections, or no sections (all up), and directives such as
//     "-- strata:no-transaction", "-- strata:lock-timeout 2s",
//     "-- strata:envsub", "-- strata:lint-ignore RULE -- reason";
//   - golang-migrate: VERSION_name.up.sql and VERSION_name.down.sql;
//   - goose: "-- +goose Up", "-- +goose Down", StatementBegin/End,
//     NO TRANSACTION and ENVSUB ON/OFF, case-insensitive as goose reads
//     them;
//   - dbmate: "-- migrate:up" and "-- migrate:down", with transaction:false;
//   - Flyway: V1__name.sql, U1__name.sql, R__name.sql, ${placeholders} and
//     V1__name.sql.conf script configuration (executeInTransaction);
//   - YAML documents (VERSION_name.yaml) that a [StepRunner] claims, such as
//     the online (expand/contract) operations of package online;
//   - Go functions ([GoMigration]), passed with [WithGoMigrations].
//
// [Load] reads and parses every file once: the statements of each script
// with their file:line, how they must run (in one transaction with the
// history row, outside one, or as written when the file has its own
// BEGIN/COMMIT) and the file's directives. Every malformed file is
// reported at once as [ParseErrors], before any connection is used. The
// linter works from the same parse ([Script.Directives]).
//
// # Running
//
// [NewProvider] loads a directory for one database. [Provider.Plan]
// returns what a [Request] would do as plain data; [Provider.Run] (and
// Up, UpTo, Down, DownTo, Redo) takes the runner lock, plans again under
// it, and executes:
//
//	p, err := migrate.NewProvider(db, migrations)
//	if err != nil {
//		return err // *ParseError: file:line: what is wrong
//	}
//	res, err := p.Up(ctx)
//	var merr *migrate.MigrationError
//	if errors.As(err, &merr) {
//		log.Print(merr.Outcome) // what was applied, what was undone, what to run next
//	}
//
// A run refuses, before anything runs, to go over a migration left failed
// or running ([ErrDirty]), an applied file that was edited ([ErrDrift]), a
// pending migration older than the newest applied one ([ErrOutOfOrder]),
// and a strata.sum that does not match ([ErrSumMismatch]). A migration
// that fails outside a transaction is undone with its down section when it
// has one; the [MigrationError] says exactly what state it left.
//
// # History and lock
//
// History lives behind a [Store], which also holds the runner lock
// ([Locker]). [SQLStore], the default, is the strata_schema_migrations
// table created through the database's dialect, written in the same
// transaction as each migration. A store for an engine without
// transactions implements the same six methods with conditional writes and
// holds the lock as a lease with a heartbeat; its contract is on [Store].
//
// # Plugging in
//
//   - [WithStepRunner]: a kind of migration other than SQL and Go.
//   - [WithChecker]: integrity checks before and after each migration.
//   - [WithSafety]: a safety gate (package lint's Linter) that refuses
//     statements locking or rewriting tables in use.
//   - [WithObserver]: every event of a run, for logs, progress and metrics.
//
// A Provider is safe for concurrent use; two providers, or two processes,
// never run one migration twice.
package migrate
