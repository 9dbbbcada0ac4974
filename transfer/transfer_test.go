package transfer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/transfer"
)

func open(t *testing.T, url string) *connect.Target {
	t.Helper()
	tg, err := connect.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func exec(t *testing.T, tg *connect.Target, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := tg.DB.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func scalar(t *testing.T, tg *connect.Target, q string) string {
	t.Helper()
	var s any
	if err := tg.DB.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if b, ok := s.([]byte); ok {
		return string(b)
	}
	if s == nil {
		return "NULL"
	}
	return fmt.Sprint(s)
}

// expect fails the test unless query returns want on tg.
func expect(t *testing.T, tg *connect.Target, query, want string) {
	t.Helper()
	if got := scalar(t, tg, query); got != want {
		t.Fatalf("%s\n got %s\nwant %s", query, got, want)
	}
}

func spec(t *testing.T, text string) *transfer.Spec {
	t.Helper()
	s, err := transfer.Parse("spec.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func url(t *testing.T, engine string) string {
	switch engine {
	case "postgres":
		return testenv.Postgres(t)
	case "mysql":
		return testenv.MySQL(t)
	}
	return testenv.SQLite(t)
}

// eachPair runs f for every source and target engine, each pair with
// databases of its own.
func eachPair(t *testing.T, f func(t *testing.T, src, dst testenv.Engine)) {
	testenv.ForEachEngine(t, func(t *testing.T, se testenv.Engine) {
		testenv.ForEachEngine(t, func(t *testing.T, te testenv.Engine) {
			f(t, testenv.Open(t, se.Name, url(t, se.Name)), te)
		})
	})
}

// fromInto runs f for a fresh source database of engine source and each
// target engine.
func fromInto(t *testing.T, source string, f func(t *testing.T, src, dst *connect.Target, se, te testenv.Engine)) {
	testenv.ForEachEngine(t, func(t *testing.T, te testenv.Engine) {
		t.Parallel()
		se := testenv.Open(t, source, url(t, source))
		f(t, target(se), target(te), se, te)
	})
}

// The smallest spec copies a table between every pair of engines, with
// every row accounted for and verified.
func TestSmallestSpecEveryEnginePair(t *testing.T) {
	eachPair(t, func(t *testing.T, s, d testenv.Engine) {
		se, su, tu := s.Name, s.URL, d.URL
		src, dst := target(s), target(d)
		ddl := map[string]string{
			"postgres": "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), active boolean, created timestamptz, note varchar(20))",
			"mysql":    "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price decimal(10,2), active tinyint(1), created datetime, note varchar(20))",
			"sqlite":   "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC, active BOOLEAN, created TIMESTAMP, note VARCHAR(20))",
		}[se]
		exec(t, src, ddl)
		var vals []string
		for i := 1; i <= 2500; i++ {
			b := "true"
			if se == "mysql" || se == "sqlite" {
				b = fmt.Sprint(i % 2)
			} else if i%2 == 0 {
				b = "false"
			}
			vals = append(vals, fmt.Sprintf("(%d, 'name %d\ttab', %d.%02d, %s, '2024-01-02 03:04:05', %s)", i, i, i, i%100, b, map[bool]string{true: "NULL", false: "'n'"}[i%7 == 0]))
		}
		exec(t, src, "INSERT INTO items VALUES "+strings.Join(vals, ", "))
		sp := spec(t, "source: "+su+"\ntarget: "+tu+"\nchunk_rows: 300\ntables:\n  - from: items\n    to: items\n    key: id\n    create: true\n")
		res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tr := res.Tables[0]
		if tr.Read != 2500 || tr.Written != 2500 || !tr.Balanced() || tr.Verify == nil || !tr.Verify.OK {
			t.Fatalf("result %+v verify %+v", tr, tr.Verify)
		}
		expect(t, dst, "SELECT count(*) FROM items", "2500")
		expect(t, dst, "SELECT name FROM items WHERE id = 7", "name 7\ttab")
		if got := scalar(t, dst, "SELECT price FROM items WHERE id = 1234"); !strings.HasPrefix(got, "1234.34") {
			t.Fatalf("price %q", got)
		}
	})
}

// MySQL quirks into PostgreSQL: zero dates become NULL (counted) in columns
// created nullable with a note, enums become text with a check, unsigned
// widens, tinyint(1) becomes boolean, and a value the target cannot hold is
// quarantined instead of failing the chunk.
func TestMySQLQuirksIntoPostgres(t *testing.T) {
	su, tu := testenv.MySQL(t), testenv.Postgres(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, "SET SESSION sql_mode = ''",
		"CREATE TABLE orders (id int unsigned PRIMARY KEY, big bigint unsigned, flag tinyint(1) NOT NULL, status enum('new','paid','it''s') NOT NULL, placed datetime NOT NULL, due date, note text)")
	conn, err := src.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{"SET SESSION sql_mode = ''",
		"INSERT INTO orders VALUES (1, 18446744073709551615, 1, 'new', '2024-05-06 07:08:09', '2024-05-06', 'ok')",
		"INSERT INTO orders VALUES (2, 0, 0, 'paid', '0000-00-00 00:00:00', '0000-00-00', 'zero')",
		"INSERT INTO orders VALUES (3, 5, 1, 'it''s', '2024-01-01 00:00:00', NULL, CONCAT('nul', CHAR(0), 'byte'))",
		"INSERT INTO orders VALUES (4294967295, 5, 1, 'new', '2024-01-01 00:00:00', '2024-02-00', 'zero day')",
	} {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	sp := spec(t, "source: "+su+"\ntarget: "+tu+"\ntables:\n  - from: orders\n    key: id\n    create: true\n")
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Tables[0]
	if tr.Read != 4 || tr.Written != 3 || tr.Quarantined != 1 || tr.ZeroDates != 3 || !tr.Balanced() {
		t.Fatalf("result %+v", tr)
	}
	if len(tr.Notes) == 0 {
		t.Fatal("no notes about the type mapping")
	}
	var notes []string
	for _, n := range tr.Notes {
		notes = append(notes, n.Column+": "+n.Note)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"placed: created nullable", "flag: MySQL tinyint(1) becomes boolean", "status: enum becomes text"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
	for q, want := range map[string]string{
		"SELECT big::text FROM orders WHERE id = 1":                               "18446744073709551615",
		"SELECT flag::text FROM orders WHERE id = 2":                              "false",
		"SELECT coalesce(placed::text, 'NULL') FROM orders WHERE id = 2":          "NULL",
		"SELECT placed::text FROM orders WHERE id = 1":                            "2024-05-06 07:08:09+00",
		"SELECT status FROM orders WHERE id = 4294967295":                         "new",
		"SELECT coalesce(due::text, 'NULL') FROM orders WHERE id = 4294967295":    "NULL",
		"SELECT data_type FROM information_schema.columns WHERE column_name='id'": "bigint",
		"SELECT error FROM strata_transfer_quarantine":                            "",
	} {
		got := scalar(t, dst, q)
		if want == "" {
			if !strings.Contains(got, "NUL byte") {
				t.Errorf("%s = %q, want the NUL byte error", q, got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %q, want %q", q, got, want)
		}
	}
	_ = time.Now
}

// PostgreSQL to PostgreSQL with equal types moves COPY text untouched; a
// row the target refuses (here a CHECK) is still isolated and quarantined.
func TestPostgresCopyPathQuarantinesRefusedRows(t *testing.T) {
	su, tu := testenv.Postgres(t), testenv.Postgres(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, "CREATE TABLE t (id int PRIMARY KEY, v text)",
		"INSERT INTO t SELECT i, CASE WHEN i = 777 THEN 'bad' ELSE E'ok\\t' || i END FROM generate_series(1, 5000) i")
	exec(t, dst, "CREATE TABLE t (id int PRIMARY KEY, v text CHECK (v <> 'bad'))")
	sp := spec(t, "source: "+su+"\ntarget: "+tu+"\nchunk_rows: 1000\ntables:\n  - from: t\n    key: id\n")
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Tables[0]
	if tr.Written != 4999 || tr.Quarantined != 1 || !tr.Balanced() || !tr.Verify.OK {
		t.Fatalf("result %+v verify %+v", tr, tr.Verify)
	}
	expect(t, dst, "SELECT source_key FROM strata_transfer_quarantine", "id=777")
	expect(t, dst, "SELECT v FROM t WHERE id = 5", "ok\t5")
}

// Orphans are counted and handled as each reference says; a parent copied
// by an earlier mapping of the same spec is found in the target.
func TestOrphans(t *testing.T) {
	for _, policy := range []string{"skip", "quarantine", "null", "fail"} {
		t.Run(policy, func(t *testing.T) {
			su, tu := testenv.SQLite(t), testenv.Postgres(t)
			src, dst := open(t, su), open(t, tu)
			exec(t, src, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
				"CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total NUMERIC)",
				"INSERT INTO users VALUES (1, 'a'), (2, 'b')",
				"INSERT INTO orders VALUES (10, 1, 5), (11, 2, 6), (12, 99, 7), (13, NULL, 8), (14, 98, 9)")
			sp := spec(t, "source: "+su+"\ntarget: "+tu+"\ntables:\n  - from: users\n    key: id\n    create: true\n  - from: orders\n    key: id\n    create: true\n    references:\n      - {column: user_id, table: users, orphans: "+policy+"}\n")
			res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
			if policy == "fail" {
				if !errors.Is(err, transfer.ErrOrphans) || !strings.Contains(err.Error(), "user_id = 99 has no row in users(id)") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tr := res.Tables[1]
			if tr.Orphans != 2 || !tr.Balanced() || tr.Read != 5 {
				t.Fatalf("result %+v", tr)
			}
			want := map[string]string{"skip": "3", "quarantine": "3", "null": "5"}[policy]
			if got := scalar(t, dst, "SELECT count(*) FROM orders"); got != want {
				t.Fatalf("%s rows, want %s", got, want)
			}
		})
	}
}

// A comma-list column becomes a junction table: one row per element, keyed
// by the source key and the element, every source row accounted for.
func TestExplodeCommaListIntoJunction(t *testing.T) {
	su, tu := testenv.MySQL(t), testenv.Postgres(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, "CREATE TABLE posts (id int unsigned PRIMARY KEY, title varchar(50), tags text)",
		`INSERT INTO posts VALUES (1, 'a', 'go, sql,go'), (2, 'b', ''), (3, 'c', NULL), (4, 'd', '["x", "y", 7]'), (5, 'e', 'z')`)
	sp := spec(t, "source: "+su+"\ntarget: "+tu+`
tables:
  - from: posts
    key: id
    create: true
    columns: {drop: [tags]}
  - from: posts
    to: post_tags
    key: id
    create: true
    explode: {column: tags, into: tag}
    columns:
      keep: [id, tag]
      rename: {id: post_id}
    references:
      - {column: post_id, table: posts}
`)
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Tables[1]
	if tr.Read != 5 || tr.Written != 3 || tr.Skipped != 2 || !tr.Balanced() {
		t.Fatalf("result %+v", tr)
	}
	expect(t, dst, "SELECT string_agg(post_id || ':' || tag, ',' ORDER BY post_id, tag) FROM post_tags", "1:go,1:sql,4:7,4:x,4:y,5:z")
	expect(t, dst, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = 'post_tags' AND i.indisprimary AND i.indnatts = 2", "1")
}

// Merging by join (from: a query) and splitting one table into two
// (two mappings of the same source) are table mappings like any other.
func TestMergeByJoinAndSplit(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, s testenv.Engine) {
		su, tu := s.URL, testenv.SQLite(t)
		src, dst := target(s), open(t, tu)
		exec(t, src, "CREATE TABLE users (id int PRIMARY KEY, name varchar(20), street varchar(40), city varchar(20))",
			"CREATE TABLE orders (id int PRIMARY KEY, user_id int, total int)",
			"INSERT INTO users VALUES (1, 'ada', 'Main St 1', 'London'), (2, 'alan', NULL, NULL)",
			"INSERT INTO orders VALUES (10, 1, 5), (11, 2, 6), (12, 1, 7)")
		sp := spec(t, "source: "+su+"\ntarget: "+tu+`
chunk_rows: 2
tables:
  - from: users
    key: id
    create: true
    columns: {keep: [id, name]}
  - from: users
    to: addresses
    key: id
    where: "street IS NOT NULL"
    create: true
    columns:
      keep: [id, street, city]
      rename: {id: user_id}
    references:
      - {column: user_id, table: users}
  - from: "SELECT o.id, o.total, u.name AS user_name FROM orders o JOIN users u ON u.id = o.user_id"
    to: order_report
    key: id
    create: true
`)
		res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range res.Tables {
			if !tr.Balanced() || tr.Quarantined != 0 {
				t.Fatalf("%+v", tr)
			}
		}
		expect(t, dst, "SELECT group_concat(user_id || ':' || street, ',') FROM addresses", "1:Main St 1")
		expect(t, dst, "SELECT group_concat(id || ':' || user_name || ':' || total, ',') FROM (SELECT * FROM order_report ORDER BY id)", "10:ada:5,11:alan:6,12:ada:7")
	}, "mysql", "postgres")
}

// defer_indexes drops an empty PostgreSQL target's secondary indexes and
// foreign keys for the load and builds them again afterwards.
func TestDeferIndexesRebuildsThem(t *testing.T) {
	su, tu := testenv.SQLite(t), testenv.Postgres(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, "CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER, name TEXT)",
		"INSERT INTO items VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c')")
	exec(t, dst, "CREATE TABLE owners (id int PRIMARY KEY)", "INSERT INTO owners VALUES (1), (2)",
		"CREATE TABLE items (id bigint PRIMARY KEY, owner int REFERENCES owners (id), name text)",
		"CREATE INDEX items_name ON items (lower(name))", "CREATE UNIQUE INDEX items_owner_name ON items (owner, name)")
	sp := spec(t, "source: "+su+"\ntarget: "+tu+"\ntables:\n  - from: items\n    key: id\n    defer_indexes: true\n")
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Tables[0].Notes; len(n) == 0 || !strings.Contains(n[0].Note, "dropped 3 secondary indexes and foreign keys") {
		t.Fatalf("notes %+v", n)
	}
	expect(t, dst, "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'items'", "items_name,items_owner_name,items_pkey")
	expect(t, dst, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'f' AND convalidated", "1")
	expect(t, dst, "SELECT count(*) FROM strata_transfer_indexes", "0")
}

// A lookup replaces a code by the id of another table; a code without a
// match is quarantined with the reason.
func TestLookupIntoAnotherTable(t *testing.T) {
	su, tu := testenv.MySQL(t), testenv.Postgres(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, "CREATE TABLE customers (id int PRIMARY KEY, country char(2))",
		"INSERT INTO customers VALUES (1, 'NL'), (2, 'GB'), (3, 'XX'), (4, NULL)")
	exec(t, dst, "CREATE TABLE countries (id smallint PRIMARY KEY, code text UNIQUE)", "INSERT INTO countries VALUES (31, 'NL'), (44, 'GB')")
	sp := spec(t, "source: "+su+"\ntarget: "+tu+`
tables:
  - from: customers
    key: id
    create: true
    lookups:
      - {from: country, table: countries, key: code, value: id, into: country_id}
    columns: {drop: [country]}
`)
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Tables[0]
	if tr.Read != 4 || tr.Written != 3 || tr.Quarantined != 1 || !tr.Balanced() {
		t.Fatalf("result %+v", tr)
	}
	expect(t, dst, "SELECT string_agg(id || ':' || coalesce(country_id::text, 'NULL'), ',' ORDER BY id) FROM customers", "1:31,2:44,4:NULL")
	expect(t, dst, "SELECT error FROM strata_transfer_quarantine", "lookup: no id in countries where code = XX")
	expect(t, dst, "SELECT data_type FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'country_id'", "smallint")
}

// on_conflict: skip leaves existing rows (counted skipped), update
// overwrites them; both on every target engine.
func TestOnConflict(t *testing.T) {
	for _, mode := range []string{"skip", "update"} {
		t.Run(mode, func(t *testing.T) {
			testenv.ForEachEngine(t, func(t *testing.T, d testenv.Engine) {
				su, tu := testenv.SQLite(t), d.URL
				src, dst := open(t, su), target(d)
				exec(t, src, "CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO kv VALUES (1, 'new1'), (2, 'new2'), (3, 'new3')")
				exec(t, dst, "CREATE TABLE kv (id bigint PRIMARY KEY, v varchar(10))", "INSERT INTO kv VALUES (2, 'old2')")
				sp := spec(t, "source: "+su+"\ntarget: "+tu+"\ntables:\n  - from: kv\n    key: id\n    on_conflict: "+mode+"\n")
				res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
				if err != nil {
					t.Fatal(err)
				}
				tr := res.Tables[0]
				want := map[string]string{"skip": "old2", "update": "new2"}[mode]
				if got := scalar(t, dst, "SELECT v FROM kv WHERE id = 2"); got != want {
					t.Fatalf("v = %s, want %s", got, want)
				}
				skipped := map[string]int64{"skip": 1, "update": 0}[mode]
				if tr.Read != 3 || tr.Skipped != skipped || tr.Written != 3-skipped || !tr.Balanced() {
					t.Fatalf("result %+v", tr)
				}
				expect(t, dst, "SELECT count(*) FROM kv", "3")
			})
		})
	}
}
