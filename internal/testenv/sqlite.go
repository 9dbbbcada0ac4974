package testenv

import (
	"path/filepath"
	"testing"
)

// SQLite returns the URL of a new SQLite database file, "sqlite:" followed
// by a path inside [testing.TB.TempDir]. The file does not exist until the
// test opens it, and the directory is removed when the test ends.
func SQLite(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "strata.db")
}
