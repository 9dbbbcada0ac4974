package testenv

import (
	"context"
	"slices"
	"sync"
	"testing"
)

func TestForEachEngineGivesEachEngineAnOpenFreshDatabase(t *testing.T) {
	var mu sync.Mutex
	var ran []string
	ForEachEngine(t, func(t *testing.T, e Engine) {
		t.Parallel()
		mu.Lock()
		ran = append(ran, e.Name)
		mu.Unlock()
		if e.Dialect == nil || e.DB == nil || e.URL == "" || e.Dialect.Name() != e.Name {
			t.Fatalf("engine %+v", e)
		}
		ctx := context.Background()
		if _, err := e.DB.ExecContext(ctx, "CREATE TABLE fresh (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatalf("the database is not fresh or not writable: %v", err)
		}
		tables, err := e.Dialect.Tables(ctx, e.DB, "")
		if err != nil || len(tables) != 1 {
			t.Errorf("tables = %v, %v; want only the one this test made", tables, err)
		}
	})
	t.Run("only", func(t *testing.T) {
		var only []string
		ForEachEngine(t, func(t *testing.T, e Engine) { only = append(only, e.Name) }, "sqlite")
		if !slices.Equal(only, []string{"sqlite"}) {
			t.Errorf("ForEachEngine(…, \"sqlite\") ran %q", only)
		}
	})
	t.Cleanup(func() {
		slices.Sort(ran)
		if inCI() && !slices.Equal(ran, []string{"mysql", "postgres", "sqlite"}) {
			t.Errorf("ForEachEngine ran %q, want every engine", ran)
		}
	})
}
