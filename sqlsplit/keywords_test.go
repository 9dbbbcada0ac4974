package sqlsplit

import (
	"slices"
	"testing"
)

func TestKeywords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		sql  string
		n    int
		want []string
	}{
		{"leading words are upper-cased", "create unique index concurrently idx on t (a)", 4, []string{"CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"}},
		{"comments and whitespace are skipped", "-- add the index\n/* nested /* too */ */\n  CREATE\tINDEX", 2, []string{"CREATE", "INDEX"}},
		{"punctuation, literals and numbers are skipped", "INSERT INTO t(a) VALUES ('x', 1)", -1, []string{"INSERT", "INTO", "T", "A", "VALUES"}},
		{"quoted identifiers keep their quotes and case", `CREATE INDEX "concurrently" ON "Users"`, 4, []string{"CREATE", "INDEX", `"concurrently"`, "ON"}},
		{"dollar-quoted bodies are skipped", "DO $$ BEGIN PERFORM 1; END $$ LANGUAGE plpgsql", -1, []string{"DO", "LANGUAGE", "PLPGSQL"}},
		{"n stops the list early", "ALTER TABLE t ADD COLUMN c int", 2, []string{"ALTER", "TABLE"}},
		{"n of zero returns nothing", "SELECT 1", 0, nil},
		{"a statement of only comments has no keywords", "-- nothing", 3, nil},
		{"unlexable text ends the list", "SELECT 'abc", -1, []string{"SELECT"}},
		{"non-ASCII identifiers are upper-cased", "select café", -1, []string{"SELECT", "CAFÉ"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Keywords(c.sql, c.n); !slices.Equal(got, c.want) {
				t.Errorf("Keywords(%q, %d) = %q, want %q", c.sql, c.n, got, c.want)
			}
		})
	}
}

func TestKeywordsReadInsideMySQLExecutableComments(t *testing.T) {
	t.Parallel()
	got := keywords("/*!40101 SET NAMES utf8mb4 */", MySQL, 2)
	if want := []string{"SET", "NAMES"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	got = keywords("/*!50003 CREATE*/ /*M!100100 DEFINER=`root`@`%`*/ /*!50003 TRIGGER x */", MySQL, -1)
	if want := []string{"CREATE", "DEFINER", "`root`", "`%`", "TRIGGER", "X"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
