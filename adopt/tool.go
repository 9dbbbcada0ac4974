package adopt

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// Tool names a migration tool whose history strata adopts.
type Tool string

// The tools strata adopts, as `strata adopt --from` names them.
const (
	GolangMigrate Tool = "golang-migrate"
	Goose         Tool = "goose"
	Flyway        Tool = "flyway"
	Dbmate        Tool = "dbmate"
	Atlas         Tool = "atlas"
	Prisma        Tool = "prisma"
	Django        Tool = "django"
	Rails         Tool = "rails"
	Laravel       Tool = "laravel"
	Liquibase     Tool = "liquibase"
	Sqitch        Tool = "sqitch"
)

// Tools returns every tool strata adopts, in the order [Detect] looks.
func Tools() []Tool {
	return []Tool{GolangMigrate, Goose, Flyway, Dbmate, Atlas, Prisma, Django, Rails, Laravel, Liquibase, Sqitch}
}

// ParseTool reads a tool's name as `--from` takes it.
func ParseTool(s string) (Tool, error) {
	for _, t := range Tools() {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	names := make([]string, 0, len(Tools()))
	for _, t := range Tools() {
		names = append(names, string(t))
	}
	return "", fmt.Errorf("unknown tool %q (known: %s)", s, strings.Join(names, ", "))
}

// ErrNoHistory is returned by [Detect] when the database holds no history
// table of a tool strata knows.
var ErrNoHistory = errors.New("no other migration tool's history table found")

// AmbiguousError is returned by [Detect] when the database holds the
// history tables of more than one tool.
type AmbiguousError struct{ Tools []Tool }

func (e *AmbiguousError) Error() string {
	names := make([]string, len(e.Tools))
	for i, t := range e.Tools {
		names[i] = string(t)
	}
	return fmt.Sprintf("the database holds the history of %s; name the one to adopt with --from %s", strings.Join(names, " and "), names[0])
}

// Detect names the tool whose history table the database holds, looking
// in the connection's default schema (and sqitch's and Atlas's own
// schemas). It returns [ErrNoHistory] when there is none and an
// [*AmbiguousError] when there are several.
func Detect(ctx context.Context, q migrate.Querier, d dialect.Dialect) (Tool, error) {
	var found []Tool
	for _, t := range Tools() {
		ok, err := present(ctx, q, d, t)
		if err != nil {
			return "", err
		}
		if ok {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w (looked for %s); name the tool with --from, or use `strata baseline V` for a database no tool migrated", ErrNoHistory, strings.Join(tableNames(), ", "))
	case 1:
		return found[0], nil
	}
	return "", &AmbiguousError{Tools: found}
}

func tableNames() []string {
	return []string{"schema_migrations", "goose_db_version", "flyway_schema_history", "atlas_schema_revisions", "_prisma_migrations", "django_migrations", "migrations", "databasechangelog", "sqitch.changes"}
}

// present reports whether the database holds t's history table, with the
// columns that tell it from another tool's table of the same name
// (golang-migrate, dbmate and Rails all keep schema_migrations).
func present(ctx context.Context, q migrate.Querier, d dialect.Dialect, t Tool) (bool, error) {
	cols := func(table dialect.Table) (map[string]bool, error) {
		ti, err := d.DescribeTable(ctx, q, table)
		if missing(d, err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("look for %s's history table %s: %w", t, table, err)
		}
		out := map[string]bool{}
		for _, c := range ti.Columns {
			out[strings.ToLower(c.Name)] = true
		}
		return out, nil
	}
	has := func(table dialect.Table, want ...string) (bool, error) {
		c, err := cols(table)
		if err != nil || c == nil {
			return false, err
		}
		for _, w := range want {
			if !c[w] {
				return false, nil
			}
		}
		return true, nil
	}
	switch t {
	case GolangMigrate:
		return has(dialect.Table{Name: "schema_migrations"}, "version", "dirty")
	case Dbmate, Rails:
		c, err := cols(dialect.Table{Name: "schema_migrations"})
		if err != nil || c == nil || c["dirty"] {
			return false, err
		}
		meta, err := has(dialect.Table{Name: "ar_internal_metadata"}, "key", "value")
		return meta == (t == Rails), err
	case Goose:
		return has(dialect.Table{Name: "goose_db_version"}, "version_id", "is_applied")
	case Flyway:
		return has(dialect.Table{Name: "flyway_schema_history"}, "installed_rank", "success")
	case Atlas:
		_, ok, err := atlasTable(ctx, q, d)
		return ok, err
	case Prisma:
		return has(dialect.Table{Name: "_prisma_migrations"}, "migration_name", "finished_at")
	case Django:
		return has(dialect.Table{Name: "django_migrations"}, "app", "name")
	case Laravel:
		return has(dialect.Table{Name: "migrations"}, "migration", "batch")
	case Liquibase:
		_, ok, err := liquibaseTable(ctx, q, d)
		return ok, err
	case Sqitch:
		return has(dialect.Table{Schema: "sqitch", Name: "changes"}, "change_id", "change")
	}
	return false, fmt.Errorf("unknown tool %q", t)
}

// atlasTable finds atlas_schema_revisions: in the connection's schema when
// Atlas was given a schema-bound URL, else in its own schema of that name.
func atlasTable(ctx context.Context, q migrate.Querier, d dialect.Dialect) (dialect.Table, bool, error) {
	for _, t := range []dialect.Table{{Name: "atlas_schema_revisions"}, {Schema: "atlas_schema_revisions", Name: "atlas_schema_revisions"}} {
		_, err := d.DescribeTable(ctx, q, t)
		if err == nil {
			return t, true, nil
		}
		if !missing(d, err) {
			return t, false, fmt.Errorf("look for atlas's history table %s: %w", t, err)
		}
	}
	return dialect.Table{}, false, nil
}

// liquibaseTable finds databasechangelog, which Liquibase creates in upper
// case on MySQL.
func liquibaseTable(ctx context.Context, q migrate.Querier, d dialect.Dialect) (dialect.Table, bool, error) {
	for _, t := range []dialect.Table{{Name: "databasechangelog"}, {Name: "DATABASECHANGELOG"}} {
		_, err := d.DescribeTable(ctx, q, t)
		if err == nil {
			return t, true, nil
		}
		if !missing(d, err) {
			return t, false, fmt.Errorf("look for liquibase's history table %s: %w", t, err)
		}
	}
	return dialect.Table{}, false, nil
}

// missing reports whether err says the table (or its schema: SQLite has no
// atlas_schema_revisions or sqitch schema to look in) does not exist.
func missing(d dialect.Dialect, err error) bool {
	return err != nil && (errors.Is(err, dialect.ErrNotFound) || d.IsMissingObject(err))
}
