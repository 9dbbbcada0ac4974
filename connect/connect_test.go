package connect

import (
	"context"
	"strings"
	"testing"
)

func TestMySQLDSNKeepsParametersAsWritten(t *testing.T) {
	t.Parallel()
	dsn, err := MySQLDSN("mysql://app:s3cr%2Ft@db.internal:3307/shop?charset=utf8mb4,utf8&tls=skip-verify&multiStatements=true")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"app:s3cr/t@tcp(db.internal:3307)/shop?", "charset=utf8mb4,utf8", "tls=skip-verify", "parseTime=true"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("dsn %q lacks %q", dsn, want)
		}
	}
	if strings.Contains(dsn, "multiStatements=true") {
		t.Errorf("multiStatements must stay off: %q", dsn)
	}
}

func TestOpenAnUnansweringServerNamesItWithoutThePassword(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), "postgres://u:topsecret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "topsecret") || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "is the server running") {
		t.Fatalf("error = %v", err)
	}
	_, err = Open(context.Background(), "mongo://x")
	if err == nil || !strings.Contains(err.Error(), "unknown database URL scheme") {
		t.Fatalf("scheme: %v", err)
	}
}

func TestSQLiteDSN(t *testing.T) {
	t.Parallel()
	dsn, mem, err := SQLiteDSN("sqlite::memory:")
	if err != nil || !mem || !strings.Contains(dsn, "mode=memory") || !strings.Contains(dsn, "cache=shared") {
		t.Fatalf("memory: %q %v %v", dsn, mem, err)
	}
	dsn, mem, err = SQLiteDSN("sqlite:data/app.db")
	if err != nil || mem || !strings.HasPrefix(dsn, "file:data/app.db?") || !strings.Contains(dsn, "busy_timeout") {
		t.Fatalf("file: %q %v %v", dsn, mem, err)
	}
	if _, _, err := SQLiteDSN("sqlite:"); err == nil {
		t.Fatal("empty path accepted")
	}
}

func TestLocalFileNamesOnlyAFileOpeningWouldCreate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, path string
		ok        bool
	}{
		{"sqlite:data/app.db", "data/app.db", true},
		{"sqlite3:app.db?_pragma=foreign_keys(1)", "app.db", true},
		{"sqlite:///abs/app.db", "/abs/app.db", true},
		{"sqlite::memory:", "", false},
		{"sqlite:app.db?mode=memory", "", false},
		{"sqlite:", "", false},
		{"postgres://u:pw@127.0.0.1/app", "", false},
		{"mysql://root@127.0.0.1:3306/app", "", false},
		{"oracle://x", "", false},
	}
	for _, c := range cases {
		path, ok := LocalFile(c.url)
		if path != c.path || ok != c.ok {
			t.Errorf("LocalFile(%q) = %q, %v; want %q, %v", c.url, path, ok, c.path, c.ok)
		}
	}
}
