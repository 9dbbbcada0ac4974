package online_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
)

// TestEngineRunsOnlineMigrations drives a YAML migration through the
// migration engine: up leaves it expanded with its backfill progress in
// history, complete contracts it, and a second one on the same table is
// refused while the first is expanded; abort undoes it.
func TestEngineRunsOnlineMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	files := fstest.MapFS{
		"1_items.sql":   {Data: []byte("CREATE TABLE items (id bigint PRIMARY KEY, a int NOT NULL);\nINSERT INTO items SELECT g, g FROM generate_series(1, 5000) g;\n")},
		"2_double.yaml": {Data: []byte("operations:\n  - add_column:\n      table: items\n      column: {name: c, type: bigint, nullable: false}\n      up: a * 2\n")},
	}
	var batches int
	newProvider := func() *migrate.Provider {
		p, err := migrate.NewProvider(tg.DB, files, migrate.WithDialect(tg.Dialect),
			migrate.WithStepRunner(migrate.KindOnline, &online.Step{Runner: online.Runner{LockTimeout: 200 * time.Millisecond, BatchTime: 20 * time.Millisecond}}),
			migrate.WithObserver(migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
				if e.Kind == migrate.EventBatchDone {
					batches++
				}
			})))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := newProvider()
	pl, err := p.Plan(ctx, migrate.Request{Direction: migrate.Up})
	if err != nil || len(pl.Steps) != 2 || len(pl.Steps[1].Describe) == 0 {
		t.Fatalf("plan: %+v %v", pl, err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done[1].State != migrate.StateExpanded {
		t.Fatalf("state after up = %s", res.Done[1].State)
	}
	if batches == 0 {
		t.Error("no backfill batch was reported to the observer")
	}
	sts, err := p.Status(ctx)
	if err != nil || sts[1].State != "expanded" || !strings.Contains(string(sts[1].Progress), `"backfills"`) {
		t.Fatalf("status: %+v %v", sts, err)
	}
	var wrong int
	if err := tg.DB.QueryRowContext(ctx, `SELECT count(*) FROM strata_v2.items WHERE c IS DISTINCT FROM a * 2`).Scan(&wrong); err != nil || wrong != 0 {
		t.Fatalf("new shape: %d wrong rows, %v", wrong, err)
	}

	// A second online change of the same table waits for the first.
	files["3_again.yaml"] = &fstest.MapFile{Data: []byte("operations:\n  - add_column:\n      table: items\n      column: {name: d, type: int, nullable: true}\n")}
	_, err = newProvider().Up(ctx)
	if err == nil || !strings.Contains(err.Error(), "already being changed by expanded migration 2") {
		t.Fatalf("second expanded migration on items: %v", err)
	}
	if _, err := newProvider().Abort(ctx, "3"); err != nil {
		t.Fatalf("abort 3: %v", err)
	}
	delete(files, "3_again.yaml")

	if _, err := newProvider().Complete(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := tg.DB.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE c IS DISTINCT FROM a * 2`).Scan(&wrong); err != nil || wrong != 0 {
		t.Fatalf("after complete: %d wrong rows, %v", wrong, err)
	}
	sts, _ = newProvider().Status(ctx)
	if sts[1].State != "applied" {
		t.Fatalf("state after complete = %s", sts[1].State)
	}
	// A completed online migration cannot be undone: its old shape is gone.
	if _, err := newProvider().Down(ctx); !errors.Is(err, migrate.ErrNoDown) {
		t.Fatalf("down of a completed online migration: %v", err)
	}
}

func TestMalformedYAMLFailsAtLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	files := fstest.MapFS{"1_bad.yaml": {Data: []byte("operations:\n  - add_colum:\n      table: items\n")}}
	_, err = migrate.NewProvider(tg.DB, files, migrate.WithDialect(tg.Dialect), migrate.WithStepRunner(migrate.KindOnline, &online.Step{}))
	var pe *migrate.ParseError
	if !errors.As(err, &pe) || pe.File != "1_bad.yaml" || pe.Line != 2 {
		t.Fatalf("err = %v (%+v)", err, pe)
	}
}

type failPost struct{}

func (failPost) Pre(context.Context, migrate.Querier, *migrate.Migration) error { return nil }
func (failPost) Post(_ context.Context, _ migrate.Querier, m *migrate.Migration) error {
	if m.Kind != migrate.KindOnline {
		return nil
	}
	return errors.New("sql check: 3 rows where c is negative")
}

// TestFailedPostCheckAbortsTheOnlineChange: an online change commits as it
// goes, so a failing post-check undoes it with the online abort.
func TestFailedPostCheckAbortsTheOnlineChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	files := fstest.MapFS{
		"1_items.sql":   {Data: []byte("CREATE TABLE items (id bigint PRIMARY KEY, a int NOT NULL);\nINSERT INTO items SELECT g, g FROM generate_series(1, 100) g;\n")},
		"2_double.yaml": {Data: []byte("operations:\n  - add_column:\n      table: items\n      column: {name: c, type: bigint, nullable: true}\n      up: a * 2\nchecks:\n  post: []\n")},
	}
	p, err := migrate.NewProvider(tg.DB, files, migrate.WithDialect(tg.Dialect),
		migrate.WithStepRunner(migrate.KindOnline, &online.Step{}), migrate.WithChecker(failPost{}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(ctx)
	if err == nil || !strings.Contains(err.Error(), "online change was aborted") {
		t.Fatalf("err = %v", err)
	}
	var cols int
	if err := tg.DB.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name NOT IN ('id', 'a')").Scan(&cols); err != nil || cols != 0 {
		t.Fatalf("items has %d extra columns after the abort (%v)", cols, err)
	}
	if v, _ := p.Version(ctx); v != "1" {
		t.Fatalf("version = %s, want 1", v)
	}
}

// TestPlainMigrationAfterComplete runs, through the engine, an online
// change, its complete, and then plain migrations that change the type of
// and drop a column the version schema's views showed: complete drops the
// version schema, so nothing depends on the columns any more. An online
// change that is aborted leaves no version schema either.
func TestPlainMigrationAfterComplete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	files := fstest.MapFS{
		"1_items.sql": {Data: []byte("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2));\nINSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 300) g;\n")},
		"2_sku.yaml":  {Data: []byte("operations:\n  - add_column:\n      table: items\n      column: {name: sku, type: text, nullable: true}\n      up: \"'sku-' || id\"\n")},
	}
	newProvider := func() *migrate.Provider {
		p, err := migrate.NewProvider(tg.DB, files, migrate.WithDialect(tg.Dialect),
			migrate.WithStepRunner(migrate.KindOnline, &online.Step{Runner: online.Runner{LockTimeout: 200 * time.Millisecond, BatchTime: 20 * time.Millisecond}}))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	versionSchemas := func() string {
		t.Helper()
		var s string
		if err := tg.DB.QueryRowContext(ctx, `SELECT coalesce(string_agg(nspname, ',' ORDER BY nspname), '') FROM pg_namespace WHERE nspname LIKE 'strata\_v%'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := newProvider().Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := versionSchemas(); got != "strata_v2" {
		t.Fatalf("version schemas while expanded = %q, want strata_v2", got)
	}
	if _, err := newProvider().Complete(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if got := versionSchemas(); got != "" {
		t.Fatalf("version schemas after complete = %q, want none", got)
	}

	files["3_widen.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);\n")}
	files["4_drop.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE items DROP COLUMN price;\n")}
	res, err := newProvider().Up(ctx)
	if err != nil {
		t.Fatalf("plain migrations after complete: %v", err)
	}
	if len(res.Done) != 2 {
		t.Fatalf("applied %d migrations, want 2", len(res.Done))
	}
	var cols string
	if err := tg.DB.QueryRowContext(ctx, `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'items'`).Scan(&cols); err != nil || cols != "id,name,sku" {
		t.Fatalf("items columns = %q (%v)", cols, err)
	}

	files["5_note.yaml"] = &fstest.MapFile{Data: []byte("operations:\n  - add_column:\n      table: items\n      column: {name: note, type: text, nullable: true}\n")}
	if _, err := newProvider().Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := versionSchemas(); got != "strata_v5" {
		t.Fatalf("version schemas while 5 is expanded = %q", got)
	}
	if _, err := newProvider().Abort(ctx, "5"); err != nil {
		t.Fatal(err)
	}
	if got := versionSchemas(); got != "" {
		t.Fatalf("version schemas after abort = %q, want none", got)
	}
}

// TestCompleteKeepsOtherExpandedSchemas completes the newer of two expanded
// migrations through the engine: the older one's version schema, which its
// application reads through, stays.
func TestCompleteKeepsOtherExpandedSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	files := fstest.MapFS{
		"1_tables.sql": {Data: []byte("CREATE TABLE items (id bigint PRIMARY KEY, a int);\nCREATE TABLE users (id bigint PRIMARY KEY, b int);\n")},
		"2_items.yaml": {Data: []byte("operations:\n  - add_column: {table: items, column: {name: c, type: int, nullable: true}}\n")},
		"3_users.yaml": {Data: []byte("operations:\n  - add_column: {table: users, column: {name: d, type: int, nullable: true}}\n")},
	}
	p, err := migrate.NewProvider(tg.DB, files, migrate.WithDialect(tg.Dialect), migrate.WithStepRunner(migrate.KindOnline, &online.Step{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Complete(ctx, "3"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tg.DB.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'strata_v2' AND table_name = 'items' AND column_name = 'c'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("strata_v2.items.c: %d (%v): the schema of expanded migration 2 was dropped", n, err)
	}
}

// TestNoPrimaryKeyFailsBeforeStart is issue 11's table without a primary
// key: the preflight (what plan runs) names the file, the operation and the
// field; up fails before anything changes, with the same text in the error
// and the history row and one next step; once the database is fixed, up
// runs it.
func TestNoPrimaryKeyFailsBeforeStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg, err := connect.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	files := fstest.MapFS{
		"1_items.sql": {Data: []byte("CREATE TABLE items (id bigint NOT NULL, price numeric(10,2));\nINSERT INTO items SELECT g, g FROM generate_series(1, 100) g;\n")},
		"2_sku.yaml":  {Data: []byte("operations:\n  - add_column:\n      table: items\n      column: {name: sku, type: text, nullable: true}\n      up: \"'sku-' || id\"\n")},
	}
	step := &online.Step{Runner: online.Runner{LockTimeout: 200 * time.Millisecond}}
	p, err := migrate.NewProvider(tg.DB, files, migrate.WithDialect(tg.Dialect), migrate.WithStepRunner(migrate.KindOnline, step))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	const problem = `2_sku.yaml:5: operation 1 (add_column), field up: table "items" has no primary key`
	var m2 *migrate.Migration
	for _, m := range p.Migrations() {
		if m.Version == "2" {
			m2 = m
		}
	}
	err = step.Preflight(ctx, migrate.StepEnv{DB: tg.DB}, m2)
	if !errors.Is(err, online.ErrPrecondition) || !strings.Contains(err.Error(), problem) {
		t.Fatalf("preflight = %v", err)
	}

	_, err = p.Up(ctx)
	if err == nil || !strings.Contains(err.Error(), problem) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("up = %v", err)
	}
	var cols int
	if err := tg.DB.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name NOT IN ('id', 'price')`).Scan(&cols); err != nil || cols != 0 {
		t.Fatalf("items has %d new columns after a refused start (%v)", cols, err)
	}
	// The refusal came before the history row: nothing to repair or abort.
	sts, err := p.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sts[1].State != migrate.StatePending {
		t.Fatalf("history row after a refused start: %s %q", sts[1].State, sts[1].Error)
	}
	if _, err := p.Plan(ctx, migrate.Request{Direction: migrate.Up}); err == nil || !strings.Contains(err.Error(), problem) {
		t.Fatalf("plan = %v, want the precondition problem", err)
	}

	if _, err := tg.DB.ExecContext(ctx, `ALTER TABLE items ADD PRIMARY KEY (id)`); err != nil {
		t.Fatal(err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		t.Fatalf("up after the fix: %v", err)
	}
	if len(res.Done) != 1 || res.Done[0].State != migrate.StateExpanded {
		t.Fatalf("up after the fix: %+v", res.Done)
	}
}
