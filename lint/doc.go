// Package lint reads SQL migrations and reports the statements that would
// block a running application: the lock each statement takes and on which
// object, whether it rewrites or scans the whole table, whether it can run
// inside a transaction, and the safe way to write it.
//
// SQL is parsed with the engines' own grammars: PostgreSQL's parser
// (libpg_query, through github.com/pganalyze/pg_query_go, including the
// PL/pgSQL inside DO blocks and the SQL strings they EXECUTE) and TiDB's
// MySQL grammar. Rules depend on the server version where the server's
// behaviour changed (PostgreSQL 11 adds columns with a non-volatile default
// without a rewrite, 12 uses a validated CHECK for SET NOT NULL; MySQL 8.0.12
// and 8.0.29 add and drop columns instantly).
//
// The entry point is [New]:
//
//	l, err := lint.New(lint.Options{Engine: lint.Postgres, ServerVersion: "15"})
//	rep, err := l.LintFile(ctx, "20261124_add_index.sql", src)
//	for _, f := range rep.Findings {
//		fmt.Println(f.File, f.Line, f.Rule, f.Message)
//	}
//	_ = lint.WriteText(os.Stdout, rep, lint.TextOptions{})
//
// A [Linter] is safe for concurrent use. The package never prints: the
// formatters ([WriteText], [WriteJSON], [WriteSARIF], [WriteGitHub]) write to
// the io.Writer they are given. [Trace] runs a migration on a scratch copy of a
// PostgreSQL schema and reports the locks really taken.
//
// Each [Finding] names the file, line and column, the rule, the lock and the
// object it is taken on, whether the table is rewritten or scanned, the
// impact in one sentence, a rewrite to paste ([Finding.Fix]) and, where
// strata has one, the same change as an online (expand/contract) migration
// ([Finding.Online]). [Report.Statements] lists what every statement locks.
// The rules are listed by [Rules] and in RULES.md.
//
// Whether a column type change rewrites the table depends on the column's
// old type, which a migration rarely states: without it (from an earlier
// statement, [Options.History] or [Options.ColumnTypes]) the change is
// refused. [ReadLiveColumns] reads the old types, and whether an index
// covers each column, from the database; [Linter.InspectLive] does so for
// the safety gate of `strata up`.
//
// A table created earlier in the same file is new: indexing it, adding
// constraints to it or updating it is not reported. A file runs in one
// transaction unless it says otherwise (strata:no-transaction, goose's NO
// TRANSACTION, dbmate's transaction:false), manages its own with
// BEGIN/COMMIT, or, for strata's own format, holds a statement that cannot
// run in one (strata then runs it without a transaction, as the engine
// does). Inside a transaction, the locks of earlier statements are held by
// later ones: that is what validate-in-transaction and
// backfill-in-ddl-transaction report.
//
// Findings can be silenced on one statement with a comment that gives a
// reason,
//
//	-- strata:lint-ignore drop-column -- the app stopped reading it in v41
//	ALTER TABLE users DROP COLUMN legacy_name;
//
// (before the first statement it covers the whole file), and rules can be set
// to error, warning or off per project with [Config], which strata.yaml embeds
// under the key lint.
package lint
