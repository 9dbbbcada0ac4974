package check_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/testenv"
)

// fillPair creates t on both sides with the same n rows of mixed types.
func fillPair(t *testing.T, src, tgt string, srcDDL, tgtDDL string, n int) {
	t.Helper()
	for i, side := range []struct{ url, ddl string }{{src, srcDDL}, {tgt, tgtDDL}} {
		tg := open(t, side.url)
		exec(t, tg.DB, side.ddl)
		gen := fmt.Sprintf(`INSERT INTO t SELECT g, g %% 1000, 'row ' || g, (g %% 997) * 1.25, TIMESTAMP '2026-01-01 00:00:00' + g * INTERVAL '1 second', CASE WHEN g %% 7 = 0 THEN NULL ELSE g %% 3 END FROM generate_series(1, %d) g`, n)
		if tg.Dialect.Name() == "mysql" {
			// MariaDB's sequence engine; the timestamps are written in UTC.
			gen = fmt.Sprintf(`INSERT INTO t SELECT seq, seq %% 1000, CONCAT('row ', seq), (seq %% 997) * 1.25, CONVERT_TZ(TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND, '+00:00', @@session.time_zone), CASE WHEN seq %% 7 = 0 THEN NULL ELSE seq %% 3 END FROM seq_1_to_%d`, n)
		}
		exec(t, tg.DB, gen)
		_ = i
	}
}

const (
	pgDDL = `CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b text, c numeric(12,3), d timestamptz, e smallint)`
	myDDL = "CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b varchar(50), c decimal(14,2), d timestamp(6) NULL, e tinyint)"
)

func TestCompareNamesEveryDifferingKey(t *testing.T) {
	cases := []struct {
		name      string
		srcURL    func(testing.TB) string
		tgtURL    func(testing.TB) string
		tgtDDL    string
		normalize bool
	}{
		{"postgres against postgres (native hashes)", testenv.Postgres, testenv.Postgres, pgDDL, false},
		{"postgres against postgres (normalised hashes)", testenv.Postgres, testenv.Postgres, pgDDL, true},
		{"postgres against mariadb", testenv.Postgres, testenv.MySQL, myDDL, false},
		{"mariadb against mariadb", testenv.MySQL, testenv.MySQL, myDDL, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, tgt := tc.srcURL(t), tc.tgtURL(t)
			srcDDL := pgDDL
			if strings.HasPrefix(src, "mysql") {
				srcDDL = myDDL
			}
			if tc.tgtDDL != pgDDL {
				// MySQL's session time zone must not matter: the timestamps
				// are compared as instants.
				tgt += "?time_zone=%27%2B05%3A00%27"
			}
			fillPair(t, src, tgt, srcDDL, tc.tgtDDL, 20000)
			s, g := open(t, src), open(t, tgt)
			ctx := context.Background()
			d, err := check.Compare(ctx, check.Side{DB: s.DB, Dialect: s.Dialect, Table: "t"}, check.Side{DB: g.DB, Dialect: g.Dialect, Table: "t"},
				check.CompareOptions{Key: "id", ChunkRows: 5000, Normalize: tc.normalize})
			if err != nil {
				t.Fatal(err)
			}
			if !d.Equal() {
				t.Fatalf("identical tables differ (%s): %+v", d.Mode, d.Keys)
			}
			if d.RowsRead != 0 {
				t.Errorf("identical tables: %d rows read, want 0", d.RowsRead)
			}
			exec(t, g.DB,
				"UPDATE t SET b = 'changed' WHERE id = 777",
				"UPDATE t SET c = c + 0.01 WHERE id = 15000",
				"UPDATE t SET e = NULL WHERE id = 5",
				"DELETE FROM t WHERE id = 12345",
				"INSERT INTO t (id, a) VALUES (20001, 1), (-3, 1)",
			)
			if s.Dialect.Name() == "mysql" {
				exec(t, s.DB, "UPDATE t SET d = d + INTERVAL 1 MICROSECOND WHERE id = 9999")
			} else {
				exec(t, s.DB, "UPDATE t SET d = d + INTERVAL '1 microsecond' WHERE id = 9999")
			}
			d, err = check.Compare(ctx, check.Side{DB: s.DB, Dialect: s.Dialect, Table: "t"}, check.Side{DB: g.DB, Dialect: g.Dialect, Table: "t"},
				check.CompareOptions{Key: "id", ChunkRows: 5000, Normalize: tc.normalize})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range d.Keys {
				got = append(got, k.Key+" "+k.Kind)
			}
			want := []string{"id=-3 extra on target", "id=5 changed", "id=777 changed", "id=9999 changed", "id=12345 missing on target", "id=15000 changed", "id=20001 extra on target"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("differing keys (%s):\n got %v\nwant %v", d.Mode, got, want)
			}
			if d.RowsRead > 2000 {
				t.Errorf("%d rows read into the client for 7 differences in 20,000 rows", d.RowsRead)
			}
			t.Logf("%s: %d chunks, %d hashes, %d rows read, %d ms", d.Mode, d.Chunks, d.Hashes, d.RowsRead, d.ElapsedMS)
		})
	}
}

func TestCompareTextAndUUIDKeys(t *testing.T) {
	cases := []struct {
		name   string
		tgtURL func(testing.TB) string
		tgtDDL string
	}{
		{"postgres against postgres", testenv.Postgres, "CREATE TABLE k (code text PRIMARY KEY, u uuid, v int)"},
		{"postgres against mariadb", testenv.MySQL, "CREATE TABLE k (code varchar(20) COLLATE utf8mb4_bin PRIMARY KEY, u char(36), v int)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, g := open(t, testenv.Postgres(t)), open(t, tc.tgtURL(t))
			exec(t, s.DB, `CREATE TABLE k (code text COLLATE "C" PRIMARY KEY, u uuid, v int)`,
				`INSERT INTO k SELECT 'k' || lpad(g::text, 6, '0'), md5(g::text)::uuid, g FROM generate_series(1, 3000) g`)
			exec(t, g.DB, tc.tgtDDL)
			ins := `INSERT INTO k SELECT 'k' || lpad(g::text, 6, '0'), md5(g::text)::uuid, g FROM generate_series(1, 3000) g`
			if g.Dialect.Name() == "mysql" {
				ins = `INSERT INTO k SELECT CONCAT('k', LPAD(seq, 6, '0')), CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4), SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21)), seq FROM seq_1_to_3000`
			}
			exec(t, g.DB, ins)
			ctx := context.Background()
			for _, key := range []string{"code", "u"} {
				d, err := check.Compare(ctx, check.Side{DB: s.DB, Dialect: s.Dialect, Table: "k"}, check.Side{DB: g.DB, Dialect: g.Dialect, Table: "k"},
					check.CompareOptions{Key: key, ChunkRows: 500})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("key %s: %d ms, %d hashes", key, d.ElapsedMS, d.Hashes)
				if !d.Equal() || d.RowsRead != 0 || d.SourceRows != 3000 {
					t.Fatalf("key %s: identical tables: %+v", key, d)
				}
			}
			exec(t, g.DB, "UPDATE k SET v = -1 WHERE code = 'k001234'", "DELETE FROM k WHERE code = 'k002999'", "INSERT INTO k VALUES ('a0', NULL, 1), ('zz', NULL, 2)")
			d, err := check.Compare(ctx, check.Side{DB: s.DB, Dialect: s.Dialect, Table: "k"}, check.Side{DB: g.DB, Dialect: g.Dialect, Table: "k"},
				check.CompareOptions{Key: "code", ChunkRows: 500})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range d.Keys {
				got = append(got, k.Key+" "+k.Kind)
			}
			want := []string{"code=a0 extra on target", "code=k001234 changed", "code=k002999 missing on target", "code=zz extra on target"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("differing keys (%s):\n got %v\nwant %v", d.Mode, got, want)
			}
			if d.RowsRead > 500 {
				t.Errorf("%d rows read for 4 differences in 3,000 rows", d.RowsRead)
			}
			t.Logf("%s: %d chunks, %d hashes, %d rows read, %d ms", d.Mode, d.Chunks, d.Hashes, d.RowsRead, d.ElapsedMS)
		})
	}
}
