// Package sqlsplit cuts the text of a SQL migration into the statements a
// database can execute one at a time, for PostgreSQL, MySQL/MariaDB and
// SQLite.
//
// The migration runner executes each statement on its own and reports a
// failure at file:line; the linter classifies each statement. Both need the
// same answer to "where does this statement end?", and a regular expression
// cannot give it: a ";" inside a string, a comment, a PL/pgSQL body or a
// MySQL trigger does not end anything. So sqlsplit is a lexer, a
// byte-at-a-time state machine that knows each dialect's quoting and
// comment rules, plus a small tracker of BEGIN ... END nesting.
//
// # Splitting
//
// [Split] is the entry point:
//
//	stmts, err := sqlsplit.Split(string(body), sqlsplit.Options{Dialect: sqlsplit.Postgres})
//	if err != nil {
//		return fmt.Errorf("%s:%w", name, err) // "0042_users.sql:line 12:5: unterminated ..."
//	}
//	for _, st := range stmts {
//		if _, err := tx.ExecContext(ctx, st.SQL); err != nil {
//			return fmt.Errorf("%s:%d: %w", name, st.Line, err)
//		}
//	}
//
// Each [Statement] carries its text without the delimiter, and where it
// starts and ends. When the text is a section of a larger file, set
// [Options.FirstLine] so that lines match the file.
//
// What ends a statement is a ";" outside strings, quoted identifiers,
// comments and dollar quotes, and outside compound bodies:
//
//   - PostgreSQL: dollar-quoted bodies ($$ ... $$, $fn$ ... $fn$) are one
//     token; SQL-standard bodies (BEGIN ATOMIC ... END) nest, counting
//     CASE ... END inside them. Block comments nest, and E'...' strings
//     honour backslash escapes.
//   - MySQL and MariaDB: in CREATE PROCEDURE, FUNCTION, TRIGGER and EVENT
//     (and MariaDB's BEGIN NOT ATOMIC), BEGIN ... END, IF ... END IF,
//     CASE ... END [CASE], LOOP, WHILE and REPEAT nest; IF(...) and
//     REPEAT(...) calls do not. Files written for the mysql client may use
//     DELIMITER lines instead: while a custom delimiter is set, only it ends
//     statements. Strings honour backslash escapes, "..." is a string, and
//     /*! ... */ executable comments are statement text.
//   - SQLite: CREATE TRIGGER ... BEGIN ... END nests, counting CASE ... END;
//     identifiers may be quoted with double quotes, backquotes or brackets.
//
// A plain BEGIN; ... COMMIT; is three statements: callers that manage the
// transaction themselves should notice it with [IsTransactionControl].
//
// Text that never closes (an unterminated string, comment, dollar quote or
// block) is a [*SyntaxError] that points at where the unclosed thing was
// opened, because the end of the file is rarely where the mistake is.
//
// # Classifying
//
// [Keywords] returns a statement's leading words, upper-cased, for
// classification. [IsTransactionControl] recognises BEGIN, COMMIT, ROLLBACK
// and their spellings; [NoTransaction] recognises statements that cannot
// run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...)
// and says why.
//
// # Variables
//
// [Envsub] replaces ${NAME} and ${NAME:-default} in SQL text, leaving
// strings, quoted identifiers, comments and dollar-quoted bodies alone. Run
// it before Split; it keeps line numbers as long as values have no
// newlines.
//
// # Limits
//
// sqlsplit splits; it does not parse. It assumes MySQL's default sql_mode
// (backslash escapes on, "..." a string; not ANSI_QUOTES or
// NO_BACKSLASH_ESCAPES), PostgreSQL's standard_conforming_strings = on, and
// it does not understand psql meta-commands or COPY ... FROM stdin data.
//
// All functions are safe for concurrent use; none keeps state between
// calls.
package sqlsplit
