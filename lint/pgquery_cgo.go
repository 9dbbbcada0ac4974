//go:build cgo

package lint

import (
	"errors"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
)

// The PostgreSQL grammar is libpg_query, compiled with cgo. These wrappers
// are the only calls into it, so that strata still builds (with PostgreSQL
// linting unavailable) where no C compiler is installed.

func pgParse(sql string) (*pg.ParseResult, error) { return pg.Parse(sql) }

func pgDeparse(tree *pg.ParseResult) (string, error) { return pg.Deparse(tree) }

func pgParsePlPgSQLToJSON(src string) (string, error) { return pg.ParsePlPgSqlToJSON(src) }

func pgSplitWithScanner(sql string, trimSpace bool) ([]string, error) {
	return pg.SplitWithScanner(sql, trimSpace)
}

// pgErrorCursor returns the 1-based character position a parse error
// points at, and its message.
func pgErrorCursor(err error) (int, string, bool) {
	var pe *pgparser.Error
	if errors.As(err, &pe) && pe.Cursorpos > 0 {
		return pe.Cursorpos, pe.Message, true
	}
	return 0, "", false
}
