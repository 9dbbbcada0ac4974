package check_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// TestCheckResultsAreEvents: every check a migration runs is reported as a
// check_result event carrying its result, and a result that blocks the
// migration carries an error, so observers count failed checks.
func TestCheckResultsAreEvents(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		t.Parallel()
		fsys := fstest.MapFS{
			"1_base.sql":         {Data: []byte("CREATE TABLE users (id int PRIMARY KEY, email varchar(100));\nINSERT INTO users VALUES (1, 'a@x'), (2, NULL);\n")},
			"1_base.checks.yaml": {Data: []byte("post:\n  - row_count: {table: users, equals: 2}\n  - not_null: {table: users, columns: [email], severity: warn}\n")},
			"2_more.sql":         {Data: []byte("INSERT INTO users VALUES (3, NULL);\n")},
			"2_more.checks.yaml": {Data: []byte("pre:\n  - not_null: {table: users, columns: [email]}\n")},
		}
		c, err := check.New(e.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var got []string
		obs := migrate.ObserverFunc(func(_ context.Context, ev migrate.Event) {
			if ev.Kind != migrate.EventCheckResult {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			r := ev.Check
			got = append(got, fmt.Sprintf("%s %s %s %s %s count=%d %s:%d err=%v", ev.Version, r.Phase, r.Kind, r.Severity, r.Outcome, r.Count, r.File, r.Line, ev.Err != nil))
		})
		p, err := migrate.NewProvider(e.DB, fsys, migrate.WithDialect(e.Dialect), migrate.WithChecker(c), migrate.WithObserver(obs))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Run(context.Background(), migrate.Request{Direction: migrate.Up}); err == nil {
			t.Fatal("up passed a failing pre-check")
		}
		want := []string{
			"1 post row_count error pass count=2 1_base.checks.yaml:2 err=false",
			"1 post not_null warn fail count=1 1_base.checks.yaml:3 err=false",
			"2 pre not_null error fail count=1 2_more.checks.yaml:2 err=true",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("check_result events:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}, "postgres", "sqlite")
}
