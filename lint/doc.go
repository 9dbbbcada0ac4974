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
