package testenv

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	dsn := SQLite(t)
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok || !filepath.IsAbs(path) {
		t.Fatalf("SQLite() = %q, want sqlite: and a path in the test's temporary directory", dsn)
	}
	if other := SQLite(t); other == dsn {
		t.Errorf("two calls both returned %q", dsn)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE users (id int PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO users VALUES (1, 'ada'), (2, 'grace')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM users").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("count = %d, want 2", n)
	}
}
