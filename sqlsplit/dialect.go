package sqlsplit

import (
	"fmt"
	"strings"
)

// Dialect selects the lexical rules of one SQL engine.
type Dialect int

// The dialects Split understands. The zero value is not a dialect: Split
// and Envsub reject it so that a forgotten option fails loudly instead of
// splitting with the wrong quoting rules.
const (
	Postgres Dialect = iota + 1
	MySQL            // also MariaDB
	SQLite
)

// dialectNames are the spellings ParseDialect accepts, and (the first of
// each) the names String returns.
var dialectNames = []struct {
	name string
	d    Dialect
}{
	{"postgres", Postgres}, {"postgresql", Postgres}, {"pgx", Postgres}, {"pg", Postgres},
	{"mysql", MySQL}, {"mariadb", MySQL},
	{"sqlite", SQLite}, {"sqlite3", SQLite},
}

// String returns the dialect's short name: "postgres", "mysql" or "sqlite".
func (d Dialect) String() string {
	for _, n := range dialectNames {
		if n.d == d {
			return n.name
		}
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// ParseDialect returns the dialect named by name, as it appears in a DSN
// scheme or a driver name: "postgres", "postgresql", "pgx", "mysql",
// "mariadb", "sqlite" or "sqlite3" (case-insensitive).
func ParseDialect(name string) (Dialect, error) {
	for _, n := range dialectNames {
		if strings.EqualFold(n.name, name) {
			return n.d, nil
		}
	}
	return 0, fmt.Errorf("sqlsplit: unknown dialect %q (want postgres, mysql or sqlite)", name)
}

func (d Dialect) check() error {
	switch d {
	case Postgres, MySQL, SQLite:
		return nil
	case 0:
		return fmt.Errorf("sqlsplit: no dialect set (want sqlsplit.Postgres, sqlsplit.MySQL or sqlsplit.SQLite)")
	}
	return fmt.Errorf("sqlsplit: unknown dialect %d", int(d))
}
