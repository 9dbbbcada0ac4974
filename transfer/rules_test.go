package transfer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/transfer"
)

// Rules reshape rows on the way: split, concat, exact conversion whose
// failure quarantines the row, calculated fields, filters (skipped), defaults,
// trimming, dedupe; columns rename and drop; where filters in SQL.
func TestRulesReshapeRows(t *testing.T) {
	su, tu := testenv.Postgres(t), testenv.SQLite(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, `CREATE TABLE people (id int PRIMARY KEY, full_name text, email text, price numeric(10,3), status text, country text, legacy text)`,
		`INSERT INTO people VALUES
		(1, 'Ada Lovelace', '  ADA@example.com ', 12.34, 'active', NULL, 'x'),
		(2, 'Alan Mathison Turing', 'alan@example.com', 5, 'deleted', 'UK', 'x'),
		(3, 'Grace Hopper', 'grace@example.com', 1.005, 'active', 'US', 'x'),
		(4, 'Edsger', 'ada@example.com', 7.5, 'active', 'NL', 'x'),
		(5, 'Barbara Liskov', 'barbara@example.com', 3, 'active', 'US', 'x'),
		(6, 'Hidden', 'h@example.com', 1, 'active', 'US', 'x')`)
	sp := spec(t, `source: `+su+`
target: `+tu+`
tables:
  - from: people
    to: contacts
    key: id
    create: true
    where: "id <> 6"
    columns:
      drop: [legacy]
      rename: {email: mail}
    rules:
      - filter: "status != 'deleted'"
      - split: {from: full_name, into: [first_name, last_name]}
      - lower: [email]
      - dedupe: [email]
      - convert: {column: price, to: price_cents, type: cents}
      - set: label
        expr: "upper(first_name) + '/' + string(price_cents)"
      - default: {country: "ZZ"}
`)
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Tables[0]
	// 5 read (where leaves 6 out); 2 deleted → skipped; 4 duplicates ada → skipped;
	// 3 has a fraction of a cent → quarantined.
	if tr.Read != 5 || tr.Written != 2 || tr.Skipped != 2 || tr.Quarantined != 1 || !tr.Balanced() {
		t.Fatalf("result %+v", tr)
	}
	got := scalar(t, dst, "SELECT group_concat(id || ':' || first_name || ':' || last_name || ':' || mail || ':' || price_cents || ':' || label || ':' || country, ' | ') FROM (SELECT * FROM contacts ORDER BY id)")
	want := "1:Ada:Lovelace:ada@example.com:1234:ADA/1234:ZZ | 5:Barbara:Liskov:barbara@example.com:300:BARBARA/300:US"
	if got != want {
		t.Fatalf("rows\n got %s\nwant %s", got, want)
	}
	if q := scalar(t, dst, "SELECT source_key || ' ' || error FROM strata_transfer_quarantine"); !strings.Contains(q, "id=3") || !strings.Contains(q, "fractions of a cent") {
		t.Fatalf("quarantine: %s", q)
	}
	if n := scalar(t, dst, "SELECT count(*) FROM pragma_table_info('contacts') WHERE name IN ('legacy', 'full_name', 'email')"); n != "0" {
		t.Fatalf("dropped columns exist: %s", n)
	}
}

// max_errors stops a run with too many bad rows, and the report says so.

func TestMaxErrorsExceeded(t *testing.T) {
	su, tu := testenv.SQLite(t), testenv.Postgres(t)
	src, dst := open(t, su), open(t, tu)
	exec(t, src, "CREATE TABLE m (id INTEGER PRIMARY KEY, n TEXT)")
	var vals []string
	for i := 1; i <= 1000; i++ {
		v := fmt.Sprint(i)
		if i%5 == 0 {
			v = "bad"
		}
		vals = append(vals, fmt.Sprintf("(%d, '%s')", i, v))
	}
	exec(t, src, "INSERT INTO m VALUES "+strings.Join(vals, ","))
	exec(t, dst, "CREATE TABLE m (id bigint PRIMARY KEY, n integer NOT NULL)")
	sp := spec(t, "source: "+su+"\ntarget: "+tu+"\nchunk_rows: 100\nmax_errors: 10%\ntables:\n  - from: m\n    key: id\n")
	res, err := transfer.Run(context.Background(), src, dst, sp, transfer.Options{})
	if !errors.Is(err, transfer.ErrTooManyErrors) {
		t.Fatalf("err = %v", err)
	}
	if tr := res.Tables[0]; tr.Quarantined == 0 || !strings.Contains(tr.Error, "max_errors 10%") {
		t.Fatalf("result %+v", tr)
	}
}

func TestSpecErrorsNameTheLine(t *testing.T) {
	for name, c := range map[string]struct{ spec, want string }{
		"a missing key":         {"source: sqlite:a\ntarget: sqlite:b\ntables:\n  - from: items\n    to: items\n", "spec.yaml:4: table items: key: missing"},
		"an unknown field":      {"source: sqlite:a\ntarget: sqlite:b\ntables:\n  - from: items\n    key: id\n    craete: true\n", "spec.yaml:6: field craete not found"},
		"a bad on_conflict":     {"source: sqlite:a\ntarget: sqlite:b\ntables:\n  - from: items\n    key: id\n    on_conflict: merge\n", "spec.yaml:6: table items: on_conflict: \"merge\""},
		"a rule with two kinds": {"source: sqlite:a\ntarget: sqlite:b\ntables:\n  - from: items\n    key: id\n    rules:\n      - trim: [a]\n        lower: [b]\n", "spec.yaml:7: table items: rule: want exactly one"},
		"a broken expression":   {"source: sqlite:a\ntarget: sqlite:b\ntables:\n  - from: items\n    key: id\n    rules:\n      - filter: \"a ==\"\n", "spec.yaml:7: table items: rule: expression"},
		"no target":             {"source: sqlite:a\ntables:\n  - from: items\n    key: id\n", "spec.yaml:1: target: missing"},
		"a bad max_errors":      {"source: sqlite:a\ntarget: sqlite:b\nmax_errors: lots\ntables:\n  - from: items\n    key: id\n", "spec.yaml:3: max_errors \"lots\""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := transfer.Parse("spec.yaml", []byte(c.spec))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("source: sqlite:a\ntarget: sqlite:b\ntables:\n  - from: items\n    key: [a, b]\n    rules:\n      - set: x\n        expr: a + b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = transfer.Parse("spec.yaml", data)
	})
}
