package online

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBackfill(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - backfill:
      table: users
      set: {age: age + 1000, name: upper(name)}
      where: age % 2 = 0
`
	t.Run("sets the matching rows; abort restores them", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 3000)
		before := one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`)
		r := newRunner(db)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		eq(t, "changed", one(t, db, `SELECT count(*) FROM users WHERE age >= 1000 AND name LIKE 'U%'`), one(t, db, `SELECT count(*) FROM generate_series(1, 3000) g WHERE (g % 90) % 2 = 0`))
		eq(t, "untouched", one(t, db, `SELECT count(*) FROM users WHERE age < 1000 AND age % 2 = 0`), "0")
		abort(t, r, "1", m, st)
		eq(t, "rows after abort", one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`), before)
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("a killed run resumes and changes each row exactly once", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 20000)
		r := newRunner(db)
		r.BatchTime = 5 * time.Millisecond
		m := parse(t, `
operations:
  - backfill: {table: users, set: {age: age + 1}}
`)
		ctx, cancel := context.WithCancel(context.Background())
		batches := 0
		r.Progress = func(e Event) {
			if e.Kind == EventBatch {
				batches++
				if batches == 3 {
					cancel()
				}
			}
		}
		store := &memStore{}
		err := r.Start(ctx, "1", m, nil, store)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("start = %v, want canceled", err)
		}
		st := store.state(t)
		if st.Backfills[0].Rows == 0 || st.Backfills[0].Done {
			t.Fatalf("backfill state after cancel: %+v", st.Backfills[0])
		}
		// Simulate a crash between a batch's commit and its state save: the
		// resumed run starts from an older cursor.
		st.Backfills[0].Cursor = nil
		r.Progress = nil
		if err := r.Start(context.Background(), "1", m, st, store); err != nil {
			t.Fatal(err)
		}
		eq(t, "rows changed once", one(t, db, `SELECT count(*) FROM users WHERE age = (id % 90) + 1`), "20000")
		complete(t, r, "1", m, store.state(t))
		eqRows(t, "leftovers", strataObjects(t, db))
	})
	t.Run("a run stopped between the backup table and its key adds the key when resumed", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 1000)
		r := newRunner(db)
		m := parse(t, `
operations:
  - backfill: {table: users, set: {age: age + 1}}
`)
		ctx, cancel := context.WithCancel(context.Background())
		r.Progress = func(e Event) {
			if e.Kind == EventStatement && strings.HasPrefix(e.Statement, "CREATE TABLE") {
				cancel()
			}
		}
		store := &memStore{}
		if err := r.Start(ctx, "1", m, nil, store); !errors.Is(err, context.Canceled) {
			t.Fatalf("start = %v, want canceled", err)
		}
		eq(t, "backup keys after the stop", one(t, db, `SELECT count(*) FROM pg_constraint WHERE conrelid = '_strata_bak_v1_1'::regclass AND contype = 'p'`), "0")
		r.Progress = nil
		st, _ := start(t, r, "1", m)
		eq(t, "backup keys", one(t, db, `SELECT count(*) FROM pg_constraint WHERE conrelid = '_strata_bak_v1_1'::regclass AND contype = 'p'`), "1")
		eq(t, "rows changed once", one(t, db, `SELECT count(*) FROM users WHERE age = (id % 90) + 1`), "1000")
		abort(t, r, "1", m, st)
		eq(t, "rows after abort", one(t, db, `SELECT count(*) FROM users WHERE age = id % 90`), "1000")
		eqRows(t, "leftovers", strataObjects(t, db))
	})
}
