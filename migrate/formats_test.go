package migrate_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

// TestFormatFixtures runs one directory per supported format, written as
// that tool's users write it (directives in every spelling the tool
// accepts), on PostgreSQL: each file runs the way its tool would run it,
// then the directory goes up, down to 0 and up again.
func TestFormatFixtures(t *testing.T) {
	// want: version → format and how the up part runs ("tx", "no-tx",
	// "as-written").
	cases := []struct {
		dir  string
		want map[migrate.Version]string
	}{
		{"strata", map[migrate.Version]string{"1": "strata tx", "2": "strata no-tx"}},
		{"golang-migrate", map[migrate.Version]string{"1": "golang-migrate tx", "2": "golang-migrate as-written"}},
		{"goose", map[migrate.Version]string{"1": "goose tx", "2": "goose no-tx", "3": "goose tx"}},
		{"flyway", map[migrate.Version]string{"1": "flyway tx", "1.1": "flyway no-tx", "R__orders_view": "flyway tx"}},
		{"dbmate", map[migrate.Version]string{"20240101000000": "dbmate tx", "20240102000000": "dbmate no-tx"}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := testenv.Open(t, "postgres", testenv.Postgres(t))
			p, err := migrate.NewProvider(e.DB, os.DirFS("testdata/formats/"+c.dir), migrate.WithDialect(e.Dialect))
			if err != nil {
				t.Fatal(err)
			}
			pl, err := p.Plan(ctx, migrate.Request{Direction: migrate.Up})
			if err != nil {
				t.Fatal(err)
			}
			got := map[migrate.Version]string{}
			for _, st := range pl.Steps {
				mode := "tx"
				switch {
				case st.Script.ManagesTransaction:
					mode = "as-written"
				case !st.Transactional:
					mode = "no-tx"
				}
				v := st.Migration.Version
				if st.Migration.Repeatable {
					v = migrate.Version("R__" + st.Migration.Name)
				}
				got[v] = string(st.Migration.Format) + " " + mode
			}
			if len(got) != len(c.want) {
				t.Fatalf("steps %v, want %v", got, c.want)
			}
			for v, w := range c.want {
				if got[v] != w {
					t.Errorf("%s: %q, want %q", v, got[v], w)
				}
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatalf("up: %v", err)
			}
			if _, err := p.DownTo(ctx, "0"); err != nil {
				t.Fatalf("down --to 0: %v", err)
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
		})
	}
}

// The runner's parse keeps the directives of each script, so the linter
// reads the file as the runner does: lint-ignore comments above and after
// statements, the section markers in the tool's own spelling.
func TestScriptsKeepTheirDirectives(t *testing.T) {
	t.Parallel()
	ms, err := migrate.Load(os.DirFS("testdata/formats/strata"), migrate.LoadOptions{Engine: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ms[1].Up.Directives {
		got = append(got, d.Name+"@"+itoa(d.Line)+":"+itoa(d.Col))
	}
	if want := "up@1:1 no-transaction@2:1 lint-ignore@3:61"; strings.Join(got, " ") != want {
		t.Fatalf("directives %s, want %s", strings.Join(got, " "), want)
	}
	if ms[0].Up.LockTimeout.String() != "2s" || ms[0].Down.LockTimeout.String() != "2s" {
		t.Errorf("-- STRATA:Lock-Timeout above the sections sets both: %s %s", ms[0].Up.LockTimeout, ms[0].Down.LockTimeout)
	}
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		if n /= 10; n == 0 {
			return s
		}
	}
}
