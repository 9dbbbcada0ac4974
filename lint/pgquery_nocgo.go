//go:build !cgo

package lint

import (
	"errors"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// ErrNoPostgresGrammar is returned when strata was built without cgo: the
// PostgreSQL grammar (libpg_query) is C. Rebuild with a C compiler
// installed (apt-get install gcc) and CGO_ENABLED=1.
var ErrNoPostgresGrammar = errors.New("this strata was built without cgo, so it has no PostgreSQL grammar to lint with; install a C compiler (apt-get install gcc) and rebuild")

func pgParse(string) (*pg.ParseResult, error) { return nil, ErrNoPostgresGrammar }

func pgDeparse(*pg.ParseResult) (string, error) { return "", ErrNoPostgresGrammar }

func pgParsePlPgSQLToJSON(string) (string, error) { return "", ErrNoPostgresGrammar }

func pgSplitWithScanner(string, bool) ([]string, error) { return nil, ErrNoPostgresGrammar }

func pgErrorCursor(error) (int, string, bool) { return 0, "", false }
