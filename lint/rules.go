package lint

// Rule describes one check in the catalogue.
type Rule struct {
	ID string `json:"id"`
	// Engines the rule applies to.
	Engines []Engine `json:"engines"`
	// Severity is the default level; Config can change it.
	Severity Severity `json:"severity"`
	// Summary says what the rule catches, in one line.
	Summary string `json:"summary"`
}

var (
	pgOnly = []Engine{Postgres}
	myOnly = []Engine{MySQL}
	both   = []Engine{Postgres, MySQL}
)

// rules is the catalogue, in the order the documentation lists it.
var rules = []Rule{
	// Columns.
	{"add-column-volatile-default", pgOnly, Error, "ADD COLUMN with a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval/serial) rewrites the table under ACCESS EXCLUSIVE"},
	{"add-column-default-rewrite", pgOnly, Error, "before PostgreSQL 11, ADD COLUMN with any default rewrites the table"},
	{"add-column-generated", pgOnly, Error, "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED or AS IDENTITY rewrites the table"},
	{"add-column-required", both, Error, "ADD COLUMN ... NOT NULL without a default fails on a table that has rows"},
	{"add-column-constraint", pgOnly, Error, "ADD COLUMN with an inline UNIQUE, PRIMARY KEY or CHECK builds an index or scans the table under ACCESS EXCLUSIVE"},
	{"set-not-null", pgOnly, Error, "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists (PostgreSQL 12+)"},
	{"alter-column-type", both, Error, "changing a column's type rewrites the table (and its indexes) under ACCESS EXCLUSIVE; on PostgreSQL a change to a longer varchar, text, citext, a numeric of higher precision and the same scale, a higher time precision, or timestamp to timestamptz with TimeZone UTC (12+) does not. Judged from the old type, read from the database by strata up and strata lint --database (or an earlier statement, --history): refused when the old type is not known; a change that only rebuilds the column's indexes is refused when the column is indexed, a warning when that is not known"},
	{"rename-column", both, Error, "renaming a column breaks the running code that reads it"},
	{"rename-table", both, Error, "renaming a table breaks the running code that reads it"},
	{"drop-column", both, Error, "dropping a column breaks running code that still reads it, unless a contract step removed every use first"},
	{"drop-table", both, Error, "dropping a table breaks running code that still reads it, unless a contract step removed every use first"},
	// Constraints.
	{"add-foreign-key", pgOnly, Error, "ADD FOREIGN KEY without NOT VALID scans the table while blocking writes on both tables"},
	{"add-check-constraint", pgOnly, Error, "ADD CHECK without NOT VALID scans the table under ACCESS EXCLUSIVE"},
	{"add-unique-constraint", pgOnly, Error, "ADD UNIQUE builds an index under ACCESS EXCLUSIVE; build it CONCURRENTLY and attach it with USING INDEX"},
	{"add-primary-key", pgOnly, Error, "ADD PRIMARY KEY on an existing table builds an index (and may scan for NOT NULL) under ACCESS EXCLUSIVE"},
	{"add-exclusion-constraint", pgOnly, Error, "ADD EXCLUDE builds an index under ACCESS EXCLUSIVE"},
	{"alter-domain-constraint", pgOnly, Error, "ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID) or SET NOT NULL checks every column of that domain, holding SHARE on each table"},
	{"validate-in-transaction", pgOnly, Error, "VALIDATE CONSTRAINT in the same transaction as the ADD ... NOT VALID holds the ADD's lock during the validation scan"},
	// Indexes and maintenance.
	{"create-index-non-concurrent", pgOnly, Error, "CREATE INDEX without CONCURRENTLY blocks writes (SHARE lock) while it reads the whole table"},
	{"concurrently-in-transaction", pgOnly, Error, "CONCURRENTLY cannot run inside a transaction block (or a DO block)"},
	{"statement-not-transactional", pgOnly, Error, "the statement cannot run inside a transaction block"},
	{"drop-index-non-concurrent", pgOnly, Error, "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table"},
	{"reindex-non-concurrent", pgOnly, Error, "REINDEX without CONCURRENTLY blocks writes (and reads through the index) while it rebuilds"},
	{"vacuum-full", pgOnly, Error, "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE"},
	{"cluster", pgOnly, Error, "CLUSTER rewrites the table under ACCESS EXCLUSIVE"},
	{"refresh-matview-non-concurrent", pgOnly, Error, "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view while it runs"},
	{"table-rewrite", pgOnly, Error, "SET TABLESPACE, SET LOGGED/UNLOGGED or SET ACCESS METHOD rewrites the table under ACCESS EXCLUSIVE"},
	{"attach-partition-scan", pgOnly, Error, "ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE unless a validated CHECK constraint implies the bound (a warning when one was validated, since the implication is not checked)"},
	{"detach-partition-non-concurrent", pgOnly, Error, "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent"},
	// Locks and transactions.
	{"lock-table", both, Error, "an explicit LOCK TABLE blocks the application for as long as the transaction lasts"},
	{"lock-timeout-missing", pgOnly, Warning, "DDL without lock_timeout queues behind long transactions and blocks every query behind it"},
	{"update-without-where", both, Error, "UPDATE without WHERE locks every row of an existing table in one long transaction"},
	{"delete-without-where", both, Error, "DELETE without WHERE locks every row of an existing table in one long transaction"},
	{"backfill-in-ddl-transaction", pgOnly, Error, "a large UPDATE/DELETE in the same transaction as DDL holds the DDL's lock for the whole backfill"},
	{"truncate", both, Warning, "TRUNCATE takes ACCESS EXCLUSIVE and removes every row; with CASCADE (an error) also every row of the tables that reference it"},
	{"enum-value-in-transaction", pgOnly, Error, "before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run inside a transaction block"},
	// Types (style).
	{"prefer-jsonb", pgOnly, Warning, "json stores text and cannot be indexed or compared; use jsonb"},
	{"prefer-timestamptz", pgOnly, Warning, "timestamp without time zone loses the offset; use timestamptz"},
	{"prefer-identity", pgOnly, Warning, "serial creates a separately owned sequence; use GENERATED ... AS IDENTITY"},
	{"prefer-text", pgOnly, Warning, "varchar(n) changes need a type change later; use text with a CHECK on length"},
	// Dynamic SQL and ignores.
	{"dynamic-sql", pgOnly, Warning, "EXECUTE of a string built at run time cannot be checked"},
	{"lint-ignore-reason", both, Error, "a strata:lint-ignore comment needs a reason after --"},
	// --trace.
	{"trace-rewrite", pgOnly, Error, "--trace saw the statement rewrite a table that existed before the migration"},
	{"trace-blocking-scan", pgOnly, Error, "--trace saw the statement read a whole existing table under a lock that blocks writes"},
	{"trace-failed", pgOnly, Warning, "--trace ran the statement on a copy of the database's schema and it failed there (the server's error is shown), so its locks are unknown and the rest of the file was not traced"},
	// MySQL / MariaDB.
	{"mysql-blocking-alter", myOnly, Error, "the ALTER cannot run ALGORITHM=INSTANT or INPLACE with LOCK=NONE on this server version: it copies the table and blocks writes"},
	{"mysql-explicit-lock", myOnly, Error, "ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE blocks writes for the whole ALTER"},
	{"mysql-table-rebuild", myOnly, Warning, "the ALTER rebuilds the table in place: writes continue, but it takes long and lags replicas"},
	{"mysql-unknown-algorithm", myOnly, Warning, "the ALTER may copy the table; state ALGORITHM=INPLACE, LOCK=NONE so the server refuses instead of blocking"},
	{"mysql-lock-wait-timeout-missing", myOnly, Warning, "DDL waits for an exclusive metadata lock; without a short lock_wait_timeout it queues behind long transactions and blocks every query behind it"},
	{"mysql-create-index-locking", myOnly, Error, "a FULLTEXT or SPATIAL index is built with LOCK=SHARED: writes are blocked while it builds"},
	{"mysql-multiple-alters", myOnly, Warning, "several ALTERs on one table each take the metadata lock and rebuild; combine them into one"},
}

var ruleByID = func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// Rules returns the rule catalogue.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

// RuleInfo returns the rule with id, and whether it exists.
func RuleInfo(id string) (Rule, bool) {
	r, ok := ruleByID[id]
	return r, ok
}
