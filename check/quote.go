package check

import (
	"fmt"
	"strings"
)

// Engines the checks know how to write SQL for.
const (
	Postgres = "postgres"
	MySQL    = "mysql"
	SQLite   = "sqlite"
)

func validEngine(e string) error {
	switch e {
	case Postgres, MySQL, SQLite:
		return nil
	}
	return fmt.Errorf("check: unknown engine %q (want postgres, mysql or sqlite)", e)
}

// quoteIdent quotes one identifier for engine.
func quoteIdent(engine, name string) string {
	if engine == MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteName quotes a possibly schema-qualified name (schema.table).
func quoteName(engine, name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = quoteIdent(engine, p)
	}
	return strings.Join(parts, ".")
}

func quoteList(engine string, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(engine, n)
	}
	return strings.Join(q, ", ")
}

// quoteString quotes a string literal.
func quoteString(engine, s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if engine == MySQL {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + s + "'"
}
