package online

import "github.com/strata-db/strata/dialect"

// quoting writes names and strings into the SQL an online migration runs,
// the way its dialect quotes them ([dialect.Quoter]): the one place each
// engine's quoting is written.
type quoting struct{ q dialect.Quoter }

// ident quotes one identifier.
func (w quoting) ident(s string) string { return w.q.Quote(s) }

// qualified quotes schema.name; an empty schema leaves the name bare.
func (w quoting) qualified(schema, name string) string {
	return dialect.QuoteQualified(w.q, schema, name)
}

// literal quotes a string literal.
func (w quoting) literal(s string) string { return w.q.QuoteLiteral(s) }

// list quotes each identifier and joins them with ", ".
func (w quoting) list(names []string) string { return dialect.QuoteList(w.q, names) }

// maxName is the longest identifier, in bytes, that online generates: the
// shorter of PostgreSQL's limit (63; longer names are cut) and MySQL's
// (64; longer names are refused), so that a generated name means the same
// on either.
const maxName = 63

// truncName keeps a generated identifier within maxName.
func truncName(s string) string {
	if len(s) <= maxName {
		return s
	}
	return s[:maxName]
}

// builder builds an operation's SQL: the [Exec] that runs it, or the plan
// that shows it.
type builder interface {
	ident(s string) string
	qualified(schema, name string) string
	literal(s string) string
	list(names []string) string
	// q quotes a table of the migration's schema.
	q(table string) string
	quoter() quoting
}

var (
	_ builder = (*Exec)(nil)
	_ builder = (*plan)(nil)
)

// quoter returns w itself, for code that only quotes.
func (w quoting) quoter() quoting { return w }
