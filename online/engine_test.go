package online_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
)

// Online migrations take their engine from the dialect they are given, and
// run on PostgreSQL only for now: another engine is refused before
// anything runs, naming it, rather than sent PostgreSQL's SQL.
func TestOnlineMigrationsRefuseAnEngineTheyDoNotSupport(t *testing.T) {
	t.Parallel()
	if !online.Supports(postgres.Dialect{}) || online.Supports(mysql.Dialect{}) || online.Supports(sqlite.Dialect{}) {
		t.Fatal("Supports must say PostgreSQL only")
	}
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		ctx := context.Background()
		files := fstest.MapFS{
			"1_items.sql":   {Data: []byte("CREATE TABLE items (id int PRIMARY KEY, a int NOT NULL);\n")},
			"2_double.yaml": {Data: []byte("operations:\n  - add_column: {table: items, column: {name: c, type: int, nullable: true}, up: a * 2}\n")},
		}
		p, err := migrate.NewProvider(e.DB, files, migrate.WithDialect(e.Dialect),
			migrate.WithStepRunner(migrate.KindOnline, &online.Step{}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Up(ctx)
		if !errors.Is(err, online.ErrUnsupported) || !strings.Contains(err.Error(), e.Dialect.Name()) {
			t.Fatalf("up of an online migration on %s: %v, want ErrUnsupported naming the engine", e.Name, err)
		}
		if v, _ := p.Version(ctx); v != "1" {
			t.Errorf("version after the refusal = %s, want 1: the online migration must not be recorded", v)
		}
	}, "mysql", "sqlite")
}
