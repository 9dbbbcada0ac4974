// Package check proves data is right before and after a migration:
// integrity assertions (not_null, unique, orphans, row_count, sql) and
// chunked checksums that compare two tables, two queries, or one table in
// two databases (PostgreSQL against MySQL/MariaDB included).
//
// Checks are declared in YAML, in the checks: key of a YAML migration or in
// a V_name.checks.yaml file beside a SQL migration:
//
//	pre:
//	  - not_null: {table: users, columns: [email]}
//	  - orphans: {table: orders, column: user_id, references: users.id}
//	post:
//	  - unique: {table: users, columns: [email], severity: warn}
//	  - row_count: {table: users_v2, equals: users, tolerance: 0}
//	  - checksum: {source: users, target: users_v2, key: [id], columns: [email, name]}
//	  - sql: {query: "SELECT count(*) FROM users WHERE email NOT LIKE '%@%'", expect: {value: 0}}
//
// [New] returns a [Checker] that the runner calls through
// [migrate.WithChecker]: pre-checks block a migration, post-checks run in
// its transaction (or trigger its automatic rollback). A check that cannot
// run (a missing table, bad SQL) counts as failed, naming the check's
// file:line.
//
// [Compare] is the checksum on its own, as `strata verify` uses it:
//
//	d, err := check.Compare(ctx,
//		check.Side{DB: pg.DB, Dialect: pg.Dialect, Table: "orders"}, // pg, my: connect.Open
//		check.Side{DB: my.DB, Dialect: my.Dialect, Table: "orders"},
//		check.CompareOptions{Key: "id"})
//	for _, k := range d.Keys {
//		fmt.Println(k.Kind, k.Key) // changed id=42, missing on target id=7, ...
//	}
//
// It cuts an integer key into ranges of about 100,000 rows (other keys,
// text, uuid, dates, are cut at keys read from the source's index: both
// sides must then order them alike, which across engines takes binary
// collations); each side sums
// a per-row hash over 64 sub-ranges of a range on the server, only the
// sub-ranges whose count or sum differ are split again, and only ranges of
// 64 keys or fewer are read into the client, as key and row hash. When
// both sides are PostgreSQL with the same column types the row hash is
// PostgreSQL's own (each type's extended hash); otherwise it is the MD5 of a
// type-normalised rendering that both engines produce identically:
// integers in decimal, decimals without trailing zeros, text as UTF-8,
// timestamps as microseconds since the epoch in UTC (timestamptz and MySQL
// TIMESTAMP as instants, timestamp and DATETIME as wall-clock UTC), dates
// as YYYY-MM-DD, booleans as 1/0, bytes in hex, and NULL as \N.
//
// Restore points: a migration that cannot roll back by transaction can
// name tables to copy before it runs (-- strata:restore-point t1,t2 in a SQL
// file, restore_point: [t1, t2] in YAML). The [Checker] copies them after
// the pre-checks pass, as strata_rp_VERSION_TABLE beside each table, in
// key-range batches, and records them in [CatalogTable];
// [RestorePoints.Restore] puts the rows back in one transaction and
// [RestorePoints.Prune] drops old copies.
//
// Reports: a [Report] lists every check with its status, count and first
// offending keys; [WriteText] and [WriteJSON] print it, [Store] keeps it in
// [ReportTable]. The history table has no column for reports or restore
// points yet, so they live in those two tables.
//
// Checkers and Compare are safe for concurrent use.
package check
