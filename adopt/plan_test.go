package adopt

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata/migrate"
)

func load(t *testing.T, fsys fstest.MapFS) []*migrate.Migration {
	t.Helper()
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestFlywayChecksumIsFlywaysCRC(t *testing.T) {
	// Values computed outside Go the way Flyway computes them (CRC-32 of
	// each line's UTF-8 bytes without its line ending, as a signed int).
	cases := []struct {
		name, src string
		want      int32
	}{
		{"a multi-line file", "CREATE TABLE orders (\n    id BIGINT PRIMARY KEY,\n    total_cents BIGINT NOT NULL\n);\n", 1488740305},
		{"line endings do not count", "CREATE TABLE orders (\r\n    id BIGINT PRIMARY KEY,\r\n    total_cents BIGINT NOT NULL\r\n);\r\n", 1488740305},
		{"a byte-order mark does not count", "\ufeffCREATE TABLE orders (\n    id BIGINT PRIMARY KEY,\n    total_cents BIGINT NOT NULL\n);", 1488740305},
		{"a negative checksum", "CREATE OR REPLACE VIEW order_totals AS\nSELECT status, SUM(total_cents) AS cents FROM orders GROUP BY status;\n", -1258240253},
		{"an empty file", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FlywayChecksum([]byte(c.src)); got != c.want {
				t.Errorf("got %d, want %d", got, c.want)
			}
		})
	}
}

func TestPlanListsEveryDisagreement(t *testing.T) {
	fsys := fstest.MapFS{
		"0001_a.sql": {Data: []byte("SELECT 1;")},
		"0002_b.sql": {Data: []byte("SELECT 2;")},
		"0003_c.sql": {Data: []byte("SELECT 3;")},
		"0005_e.sql": {Data: []byte("SELECT 5;")},
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	h := &History{Tool: Goose, Table: "goose_db_version", Rows: []Row{
		{Key: "1", Version: "1", State: Applied, AppliedAt: at, Where: "goose_db_version id 2"},
		{Key: "3", Version: "3", State: Applied, Where: "goose_db_version id 3"},
		{Key: "4", Version: "4", State: Applied, Where: "goose_db_version id 4"},
	}}
	pl := NewPlan(h, load(t, fsys), PlanOptions{FS: fsys, Dir: "db"})
	if len(pl.Adopt) != 2 || pl.Adopt[0].Version != "1" || !pl.Adopt[0].AppliedAt.Equal(at) || pl.Adopt[0].File != "db/0001_a.sql" {
		t.Errorf("adopt: %+v", pl.Adopt)
	}
	kinds := map[string]string{}
	for _, p := range pl.Problems {
		kinds[p.Kind] = p.Message + " / " + p.Fix
	}
	if !strings.Contains(kinds[ProblemNotApplied], "db/0002_b.sql (version 2) was never applied by goose") || !strings.Contains(kinds[ProblemNotApplied], "goose -allow-missing up") {
		t.Errorf("not applied: %q", kinds[ProblemNotApplied])
	}
	if !strings.Contains(kinds[ProblemNoFile], "goose applied 4 (goose_db_version id 4)") {
		t.Errorf("no file: %q", kinds[ProblemNoFile])
	}
	if len(pl.Pending) != 1 || pl.Pending[0].Version != "5" {
		t.Errorf("pending: %+v", pl.Pending)
	}
	if err := pl.Err(); err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("Err: %v", err)
	}
}

func TestPlanLeavesOtherDjangoAppsAlone(t *testing.T) {
	fsys := fstest.MapFS{"0001_polls_0001_initial.sql": {Data: []byte("-- django-migration: polls 0001_initial\n-- strata:up\nSELECT 1;\n")}}
	h := &History{Tool: Django, Table: "django_migrations", Rows: []Row{
		{Key: "contenttypes.0001_initial", State: Applied, Where: "django_migrations id 1"},
		{Key: "auth.0001_initial", State: Applied, Where: "django_migrations id 2"},
		{Key: "polls.0001_initial", State: Applied, Where: "django_migrations id 3"},
		{Key: "polls.0002_gone", State: Applied, Where: "django_migrations id 4"},
	}}
	pl := NewPlan(h, load(t, fsys), PlanOptions{FS: fsys})
	if len(pl.Adopt) != 1 || pl.Adopt[0].Version != "1" {
		t.Errorf("adopt: %+v", pl.Adopt)
	}
	if len(pl.Foreign) != 2 || !strings.HasPrefix(pl.Foreign[0], "contenttypes: 1 migration(s)") {
		t.Errorf("foreign: %q", pl.Foreign)
	}
	if len(pl.Problems) != 1 || pl.Problems[0].Kind != ProblemNoFile || !strings.Contains(pl.Problems[0].Message, "polls.0002_gone") {
		t.Errorf("a row of a covered app without a file is a problem: %+v", pl.Problems)
	}
}

func TestPlanChecksFlywayChecksums(t *testing.T) {
	fsys := fstest.MapFS{
		"V1__a.sql":     {Data: []byte("SELECT 1;\n")},
		"R__views.sql":  {Data: []byte("CREATE VIEW v AS SELECT 1;\n")},
		"V2__below.sql": {Data: []byte("SELECT 2;\n")},
	}
	ms := load(t, fsys)
	v1 := FlywayChecksum(fsys["V1__a.sql"].Data)
	h := &History{Tool: Flyway, UpTo: "2", Rows: []Row{
		{Key: "1", Version: "1", State: Applied, Checksum: itoa(v1), Where: "rank 2"},
		{Key: "R__views.sql", Repeatable: true, State: Applied, Checksum: "42", Where: "rank 3"},
	}}
	pl := NewPlan(h, ms, PlanOptions{FS: fsys})
	if len(pl.Problems) != 0 {
		t.Fatalf("problems: %+v", pl.Problems)
	}
	got := map[migrate.Version]migrate.Adopted{}
	for _, a := range pl.Adopted() {
		got[a.Version] = a
	}
	if len(got) != 3 || got["R__views"].Checksum != "flyway:42" || got["1"].Checksum != "" || !strings.Contains(got["2"].Note, "flyway's baseline 2") {
		t.Errorf("adopted: %+v", got)
	}
	h.Rows[0].Checksum = "7"
	pl = NewPlan(h, ms, PlanOptions{FS: fsys})
	if len(pl.Problems) != 1 || pl.Problems[0].Kind != ProblemEdited || !strings.Contains(pl.Problems[0].Fix, "flyway repair") {
		t.Errorf("an edited versioned file: %+v", pl.Problems)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func TestLaravelVersion(t *testing.T) {
	v, name := LaravelVersion("2014_10_12_000000_create_users_table")
	if v != "20141012000000" || name != "create_users_table" {
		t.Errorf("got %s %s", v, name)
	}
	if v, _ := LaravelVersion("create_users_table"); v != "" {
		t.Errorf("a name without a date has no version, got %s", v)
	}
}
