// Package dialect is the one place that knows how the SQL engines strata
// works with differ. Each engine lives in a sub-package (dialect/postgres,
// dialect/mysql for MySQL and MariaDB, dialect/sqlite) whose Dialect value
// satisfies [Dialect]; no other package compares engine names.
//
// # What a Dialect answers
//
// The migration runner's needs: the history table's DDL, the runner's lock
// ([Dialect.Lock]), whether DDL is transactional, timeouts and
// placeholders. And, through small interfaces every Dialect embeds:
//
//   - [Quoter]: an identifier ([Quoter.Quote]) and a string literal
//     ([Quoter.QuoteLiteral]) written so the server reads back exactly
//     the name or text, whatever the session's settings;
//     [QuoteQualified], [QuoteList] and [QuoteLiterals] build on it.
//   - [Describer]: a table's definition as the catalog keeps it
//     ([TableInfo]: columns with types, defaults, identity and generated
//     expressions; primary key in key order; unique constraints; indexes
//     with expressions, predicates and methods; foreign keys; checks), the
//     tables of a schema, and a row estimate. A missing table is
//     [ErrNotFound].
//   - [Versioner]: the server's product and version ([Version]).
//   - [Classifier]: what an error means ([Class]: missing object, lock
//     timeout, deadlock, unique violation, lost connection, cancelled) and
//     the engine's code for it.
//   - [Sessions]: a session's id, stopping a statement the driver cannot,
//     handing a connection back to the pool clean, and whether the engine
//     allows one writer only.
//
// To get the Dialect of a URL or of an *sql.DB the application opened, use
// package connect (connect.Open, connect.Detect): this package cannot
// import its engines.
//
// # Using it
//
//	ti, err := d.DescribeTable(ctx, db, dialect.Table{Name: "orders"})
//	if errors.Is(err, dialect.ErrNotFound) { … }
//	stmt := "ALTER TABLE " + ti.Table().Qualified(d) + " ADD COLUMN note text DEFAULT " + d.QuoteLiteral(note)
//	if _, err := db.ExecContext(ctx, stmt); err != nil {
//		if class, _ := d.Classify(err); class.Retryable() { … try again … }
//	}
//
// # Adding an engine
//
// Add a package that implements [Dialect] (with a compile-time conformance
// line) and run the conformance suite in dialect/dialecttest from its
// tests against a real server. An engine is done when the suite passes.
//
// Every Dialect in this tree is a value type, safe for concurrent use.
package dialect
