package lint

import (
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// engineNames are the spellings ParseEngine accepts.
var engineNames = map[string]Engine{
	"":           Postgres,
	"postgres":   Postgres,
	"postgresql": Postgres,
	"pg":         Postgres,
	"mysql":      MySQL,
	"mariadb":    MySQL,
}

// ParseEngine maps a name ("postgres", "postgresql", "pg", "mysql",
// "mariadb") to an Engine; the empty name is Postgres.
func ParseEngine(name string) (Engine, error) {
	if e, ok := engineNames[strings.ToLower(strings.TrimSpace(name))]; ok {
		return e, nil
	}
	return "", fmt.Errorf("lint checks PostgreSQL and MySQL (MariaDB) migrations, not %q: want postgres or mysql", name)
}

// ForServer returns the engine and the server version (as
// [Options.ServerVersion] takes it) to lint migrations for the server v
// describes, as [dialect.Versioner] reads it. ok is false for a product the
// linter does not check (SQLite).
func ForServer(v dialect.Version) (e Engine, serverVersion string, ok bool) {
	switch v.Flavor {
	case dialect.PostgreSQL:
		return Postgres, fmt.Sprintf("%d.%d", v.Major, v.Minor), true
	case dialect.MySQL:
		return MySQL, fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch), true
	case dialect.MariaDB:
		return MySQL, fmt.Sprintf("mariadb %d.%d.%d", v.Major, v.Minor, v.Patch), true
	}
	return "", "", false
}
