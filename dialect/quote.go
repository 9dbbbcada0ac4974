package dialect

import "strings"

// Quoter writes names and strings into SQL for one engine. There is one
// correct form per engine, and every package that builds SQL uses it.
type Quoter interface {
	// Quote quotes one identifier so that any name, including reserved
	// words, mixed case and names with quotes, backticks, backslashes or
	// spaces in them, is safe to build into SQL and names exactly that
	// object. An identifier cannot hold a NUL byte on any engine, and
	// PostgreSQL cuts names longer than 63 bytes.
	Quote(ident string) string
	// QuoteLiteral writes s as a string literal that the server reads back
	// as exactly s, whatever the session's settings
	// (standard_conforming_strings, MySQL's NO_BACKSLASH_ESCAPES). It is for
	// DDL, where no bind parameter can stand; values in DML should be
	// passed as parameters ([Dialect.Placeholder]).
	QuoteLiteral(s string) string
}

// QuoteQualified quotes schema.name with q; an empty schema leaves the name
// unqualified, so the connection's default schema applies.
func QuoteQualified(q Quoter, schema, name string) string {
	if schema == "" {
		return q.Quote(name)
	}
	return q.Quote(schema) + "." + q.Quote(name)
}

// QuoteList quotes each identifier with q and joins them with ", ", as in a
// column list.
func QuoteList(q Quoter, idents []string) string {
	out := make([]string, len(idents))
	for i, s := range idents {
		out[i] = q.Quote(s)
	}
	return strings.Join(out, ", ")
}

// QuoteLiterals quotes each string with q and joins them with ", ", as in
// an IN list or an enum definition.
func QuoteLiterals(q Quoter, values []string) string {
	out := make([]string, len(values))
	for i, s := range values {
		out[i] = q.QuoteLiteral(s)
	}
	return strings.Join(out, ", ")
}

// QuoteDoubled quotes ident between two quote characters, doubling each one in
// it: the rule of SQL's "ident" and of MySQL's `ident`. Engine packages
// use it; callers use [Quoter.Quote].
func QuoteDoubled(ident string, quote byte) string {
	q := string(quote)
	return q + strings.ReplaceAll(ident, q, q+q) + q
}
