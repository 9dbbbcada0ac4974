package migrate

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLiquibaseChangesetsBecomeMigrations(t *testing.T) {
	fsys := fstest.MapFS{"010_orders.sql": {Data: []byte(`--liquibase formatted sql

--changeset ana:create-orders
CREATE TABLE orders (id INT PRIMARY KEY);
CREATE INDEX orders_id ON orders (id);
--rollback DROP INDEX orders_id;
--rollback DROP TABLE orders;

--changeset "bo":2 runInTransaction:false splitStatements:false
--comment: one body
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
/* liquibase rollback
DROP FUNCTION f();
*/

--changeset ana:3 dbms:mysql
SELECT 1;

--changeset ana:4
SELECT 2;
--rollback not required
`)}}
	var skipped []string
	ms, err := Load(fsys, LoadOptions{Engine: "postgres", OnSkip: func(f, r string) { skipped = append(skipped, f+": "+r) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("got %d migrations, want 3 (the mysql-only changeset left out)", len(ms))
	}
	first, second, fourth := ms[0], ms[1], ms[2]
	if first.Version != "10.1" || first.Name != "create_orders" || first.Origin != "create-orders::ana::010_orders.sql" || first.Format != FormatLiquibase {
		t.Errorf("first changeset: %s %s %q %s", first.Version, first.Name, first.Origin, first.Format)
	}
	if len(first.Up.Statements) != 2 || first.Up.Statements[1].Line != 5 || len(first.Down.Statements) != 2 || first.Down.Statements[0].SQL != "DROP INDEX orders_id" {
		t.Errorf("first changeset scripts: up %+v down %+v", first.Up.Statements, first.Down.Statements)
	}
	if second.Version != "10.2" || !second.Up.NoTransaction || len(second.Up.Statements) != 1 || !strings.Contains(second.Up.Statements[0].SQL, "SELECT 1; $$") {
		t.Errorf("second changeset: %s notx=%v %+v", second.Version, second.Up.NoTransaction, second.Up.Statements)
	}
	if second.Down == nil || second.Down.Statements[0].SQL != "DROP FUNCTION f()" {
		t.Errorf("second changeset's multi-line rollback: %+v", second.Down)
	}
	if fourth.Version != "10.4" || fourth.Down == nil || len(fourth.Down.Statements) != 0 {
		t.Errorf("rollback not required: %s %+v", fourth.Version, fourth.Down)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], "010_orders.sql:16: changeset ana:3 is for dbms:mysql") {
		t.Errorf("skipped: %q", skipped)
	}
	if first.Checksum == second.Checksum {
		t.Error("two changesets share a checksum: each must cover its own text")
	}
}

func TestLiquibaseRefusesWhatStrataWouldRunDifferently(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"a context would make strata run test data in production", "--changeset a:1 context:test\nSELECT 1;", "context:test"},
		{"runOnChange is a repeatable migration", "--changeset a:1 runOnChange:true\nSELECT 1;", "R__name.sql"},
		{"a precondition is not checked", "--changeset a:1\n--precondition-sql-check expectedResult:0 SELECT 1\nSELECT 1;", "preconditions"},
		{"a custom delimiter splits differently", "--changeset a:1 endDelimiter:/\nSELECT 1\n/", "endDelimiter:/"},
		{"a duplicate changeset", "--changeset a:1\nSELECT 1;\n--changeset a:1\nSELECT 2;", "also at line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{"changelog.sql": {Data: []byte("--liquibase formatted sql\n" + c.body + "\n")}}, LoadOptions{Engine: "postgres"})
			var perrs ParseErrors
			if !errors.As(err, &perrs) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "changelog.sql:") {
				t.Fatalf("got %v, want a ParseError at changelog.sql mentioning %q", err, c.want)
			}
		})
	}
}

func TestSqitchReworkedChangeRunsItsTaggedScripts(t *testing.T) {
	fsys := fstest.MapFS{
		"sqitch.plan":               {Data: []byte("%project=p\n\nusers 2024-01-01T00:00:00Z A <a@x> # first\n@v1 2024-01-02T00:00:00Z A <a@x>\nusers [users@v1] 2024-01-03T00:00:00Z A <a@x> # reworked\n")},
		"deploy/users@v1.sql":       {Data: []byte("CREATE TABLE users (id int);\n")},
		"revert/users@v1.sql":       {Data: []byte("DROP TABLE users;\n")},
		"deploy/users.sql":          {Data: []byte("ALTER TABLE users ADD COLUMN name text;\n")},
		"revert/users.sql":          {Data: []byte("ALTER TABLE users DROP COLUMN name;\n")},
		"verify/users.sql":          {Data: []byte("SELECT name FROM users WHERE false;\n")},
		"sqitch.conf":               {Data: []byte("[core]\n")},
		"README.md":                 {Data: []byte("# p\n")},
		"deploy/unplanned_noise.md": {Data: []byte("x")},
	}
	ms, err := Load(fsys, LoadOptions{Engine: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Files[0] != "deploy/users@v1.sql" || ms[1].Files[0] != "deploy/users.sql" {
		t.Fatalf("got %d migrations: %+v", len(ms), ms)
	}
	up := ms[1].Up.Statements
	if len(up) != 2 || up[1].File != "verify/users.sql" || up[1].Line != 1 {
		t.Errorf("verify statements after deploy: %+v", up)
	}
	if ms[0].Origin != "users" || ms[1].Origin != "users" || ms[1].Version != "2" {
		t.Errorf("origins and versions: %q %q %s", ms[0].Origin, ms[1].Origin, ms[1].Version)
	}
	_, err = Load(fstest.MapFS{"sqitch.plan": {Data: []byte("a 2024-01-01T00:00:00Z A <a@x>\na 2024-01-01T00:00:00Z A <a@x>\n")}, "deploy/a.sql": {Data: []byte("SELECT 1;")}}, LoadOptions{Engine: "postgres"})
	if err == nil || !strings.Contains(err.Error(), "sqitch.plan:2: change a is planned again without a tag") {
		t.Errorf("rework without a tag: %v", err)
	}
}

func TestPrismaProviderMustMatchTheEngine(t *testing.T) {
	fsys := fstest.MapFS{
		"migration_lock.toml":               {Data: []byte(`provider = "mysql"` + "\n")},
		"20240101000000_init/migration.sql": {Data: []byte("CREATE TABLE a (id int);\n")},
		"notes/readme.txt":                  {Data: []byte("x")},
	}
	if ms, err := Load(fsys, LoadOptions{Engine: "mysql"}); err != nil || len(ms) != 1 || ms[0].Version != "20240101000000" || ms[0].Name != "init" {
		t.Fatalf("mysql: %v %+v", err, ms)
	}
	_, err := Load(fsys, LoadOptions{Engine: "postgres"})
	if err == nil || !strings.Contains(err.Error(), `migration_lock.toml: the migrations were written for provider "mysql", not this postgres database`) {
		t.Fatalf("postgres: %v", err)
	}
}

func TestAtlasSumIsCheckedWithAtlasHash(t *testing.T) {
	// atlas.sum as `atlas migrate hash` writes it for these two files
	// (computed with Atlas's algorithm outside Go).
	files := fstest.MapFS{
		"20240201000000_init.sql":     {Data: []byte("CREATE TABLE teams (\n    id BIGINT PRIMARY KEY,\n    name VARCHAR(80) NOT NULL\n);\n")},
		"20240202000000_add_slug.sql": {Data: []byte("ALTER TABLE teams ADD COLUMN slug VARCHAR(80);\n")},
		"atlas.sum": {Data: []byte("h1:abZCCrbMFnXd9rwhJlU1Hu0iDu2nCoNllPHuFT3Yz8U=\n" +
			"20240201000000_init.sql h1:X9O8RQhVvEcFUDuIMegyxiYRPhthYEh8LtmkhRbcMaQ=\n" +
			"20240202000000_add_slug.sql h1:smrLz6gAEaxhPu3rTDiPVQzzc8wZn7icxlzTC69hVN4=\n")},
	}
	ms, err := Load(files, LoadOptions{Engine: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].Format != FormatAtlas {
		t.Errorf("format %s, want atlas", ms[0].Format)
	}
	files["20240201000000_init.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE teams (id BIGINT PRIMARY KEY);\n")}
	_, err = Load(files, LoadOptions{Engine: "postgres"})
	if err == nil || !strings.Contains(err.Error(), "atlas.sum: checksum mismatch") || !strings.Contains(err.Error(), "20240201000000_init.sql") || !strings.Contains(err.Error(), "atlas migrate hash") {
		t.Fatalf("edited file: %v", err)
	}
}

func FuzzLiquibase(f *testing.F) {
	f.Add("--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--rollback SELECT 2;\n")
	f.Add("--liquibase formatted sql\n--changeset \"a b\":\"c d\" splitStatements:false dbms:!mysql\n/* liquibase rollback\nx\n*/\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = parseLiquibase("f.sql", src, SplitDialect("postgres"), "postgres", "1", nil)
	})
}

func FuzzSqitchPlan(f *testing.F) {
	f.Add("%project=p\na 2024-01-01T00:00:00Z A <a@x>\n@t 2024-01-01T00:00:00Z A <a@x>\na [a@t] 2024-01-01T00:00:00Z A <a@x>\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = readSqitchPlan(src)
	})
}
