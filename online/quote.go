package online

import "strings"

// quoteIdent quotes one identifier for PostgreSQL so that any name,
// including reserved words and names holding quotes, is safe in SQL.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteQualified quotes schema.name; an empty schema leaves the name bare.
func quoteQualified(schema, name string) string {
	if schema == "" {
		return quoteIdent(name)
	}
	return quoteIdent(schema) + "." + quoteIdent(name)
}

// quoteLiteral quotes a string literal, doubling quotes and using the E”
// form when backslashes are present so standard_conforming_strings does not
// matter.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// quoteList quotes each identifier and joins them with ", ".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// truncName keeps a generated identifier within PostgreSQL's 63-byte limit.
func truncName(s string) string {
	if len(s) <= 63 {
		return s
	}
	return s[:63]
}
