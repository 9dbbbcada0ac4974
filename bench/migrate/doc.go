// Package migratebench measures applying many trivial migrations to
// PostgreSQL (issue 3): BenchmarkUp500 times strata's library in-process,
// run.sh times whole-process runs of strata, goose, golang-migrate and psql,
// and [WireCounter] (with the wirecount command) counts the protocol round
// trips a client makes, which is where the time of a migration run goes.
// See README.md.
package migratebench

import (
	"fmt"
	"os"
	"path/filepath"
)

// Generate writes n trivial migrations into dir as strata / golang-migrate
// pair files: 00001_t.up.sql creates table t_1, 00001_t.down.sql drops it.
func Generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		v := fmt.Sprintf("%05d", i)
		up := fmt.Sprintf("CREATE TABLE t_%d (id bigint PRIMARY KEY, v text);\n", i)
		down := fmt.Sprintf("DROP TABLE t_%d;\n", i)
		if err := os.WriteFile(filepath.Join(dir, v+"_t.up.sql"), []byte(up), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, v+"_t.down.sql"), []byte(down), 0o644); err != nil {
			return err
		}
	}
	return nil
}
