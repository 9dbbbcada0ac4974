package main

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
)

// TestRun runs the library example on SQLite and PostgreSQL, twice: the
// second run finds nothing to do.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", testenv.SQLite}, {"postgres", testenv.Postgres}} {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url(t)
			var out strings.Builder
			if err := run(context.Background(), url, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			for _, want := range []string{"up 1_create_users in ", "up 2_add_name in ", "up 3_fill_names in ", "3 applied\n", "3 fill_names applied\n", "names: ada, grace\n"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("first run: no %q in\n%s", want, out.String())
				}
			}
			out.Reset()
			if err := run(context.Background(), url, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "0 applied\n") {
				t.Errorf("second run: want 0 applied, got\n%s", out.String())
			}
		})
	}
}
