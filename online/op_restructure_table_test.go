package online

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRestructureTable(t *testing.T) {
	t.Parallel()
	const src = `
operations:
  - restructure_table:
      table: users
      columns:
        - {name: id, type: bigserial, pk: true}
        - {name: prefix, type: text}
        - {name: num, type: bigint}
        - {name: age, type: "numeric(6,1)", nullable: true}
        - {name: note, type: text, default: "'none'"}
      mapping:
        prefix: left(name, 1)
        num: substr(name, 2)::bigint
        age: age / 2.0
      down:
        name: prefix || num
        age: round(age * 2)
`
	t.Run("copies, keeps in step under concurrent writes, verifies and cuts over", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		const n = 20000
		usersFixture(t, db, n)
		r := newRunner(db)
		r.BatchTime = 5 * time.Millisecond
		m := parse(t, src)
		stop := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		defer func() { once.Do(func() { close(stop) }); wg.Wait() }()
		var errs atomic.Int64
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					var err error
					id := 1 + rand.IntN(n)
					switch {
					case w == 0 && i%3 == 0:
						_, err = db.Exec(`INSERT INTO users (name, age) VALUES ('w' || $1::text, 3)`, fmt.Sprint(100000+i))
					case w == 1 && i%7 == 0:
						_, err = db.Exec(`DELETE FROM users WHERE id = $1`, id)
					default:
						_, err = db.Exec(`UPDATE users SET age = age + 2, name = 'x' || id WHERE id = $1`, id)
					}
					if err != nil {
						errs.Add(1)
						t.Log(err)
					}
				}
			}()
		}
		st, _ := start(t, r, "1", m)
		once.Do(func() { close(stop) })
		wg.Wait()
		eq(t, "writer errors", errs.Load(), int64(0))
		eq(t, "copy differs", one(t, db, `
SELECT count(*) FROM users u FULL JOIN users_v1 v USING (id)
WHERE u.id IS NULL OR v.id IS NULL OR v.prefix <> left(u.name, 1) OR v.num <> substr(u.name, 2)::bigint OR v.age <> u.age / 2.0 OR v.note <> 'none'`), "0")
		nc := newShape(t, db, "1")
		// New-shape writes are copied back into the old table.
		mustExec(t, nc, `INSERT INTO users (id, prefix, num, age) VALUES (500000, 'z', 9, 4.5)`,
			`UPDATE users SET num = 77 WHERE id = 500000`,
			`DELETE FROM users WHERE id = (SELECT min(id) FROM users)`)
		eq(t, "copied back", one(t, db, `SELECT name || ' ' || age FROM users WHERE id = 500000`), "z77 9")
		eq(t, "delete copied back", one(t, db, `SELECT count(*) FROM users u FULL JOIN users_v1 v USING (id) WHERE u.id IS NULL OR v.id IS NULL`), "0")
		mustExec(t, db, `UPDATE users SET age = 11 WHERE id = 500000`)
		eq(t, "old write copied forward", one(t, nc, `SELECT age FROM users WHERE id = 500000`), "5.5")
		eq(t, "new shape reads the new table", one(t, nc, `SELECT count(*) FROM users WHERE prefix || num = 'u' || id AND false`), "0")
		complete(t, r, "1", m, st)
		eq(t, "columns", columns(t, db, "users"), "id bigint not null, prefix text not null, num bigint not null, age numeric(6,1), note text not null")
		mustExec(t, db, `INSERT INTO users (prefix, num) VALUES ('n', 1)`)
		eqRows(t, "leftovers", strataObjects(t, db))
		eq(t, "tables", one(t, db, `SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'`), "users")
	})
	t.Run("abort drops the copy and leaves the table", func(t *testing.T) {
		t.Parallel()
		db := newDB(t)
		usersFixture(t, db, 1000)
		before := one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`)
		r := newRunner(db)
		m := parse(t, src)
		st, _ := start(t, r, "1", m)
		abort(t, r, "1", m, st)
		eq(t, "rows", one(t, db, `SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u`), before)
		eq(t, "tables", one(t, db, `SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'`), "users")
		eqRows(t, "leftovers", strataObjects(t, db))
		mustExec(t, db, `INSERT INTO users (name, age) VALUES ('after', 1)`)
	})
}
