// Package lintbench measures `strata lint` on many migration files (issue 5):
// BenchmarkLint1000 times the library in-process, run.sh times whole-process
// runs of strata lint and squawk on the same 1,000 generated files. Results
// are in docs/benchmarks.md under "Lint (issue 5)".
package lintbench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Generate writes n PostgreSQL migration files into dir: a realistic mix of
// table creation, indexes (some concurrent), added columns, constraints,
// backfills and the occasional DO block, in strata and goose formats, about
// a third of them unsafe.
func Generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		var b strings.Builder
		t := fmt.Sprintf("t_%d", i)
		prev := fmt.Sprintf("t_%d", max(i-1, 1))
		goose := i%4 == 0
		if goose {
			b.WriteString("-- +goose Up\n")
		}
		fmt.Fprintf(&b, "SET lock_timeout = '2s';\n\nCREATE TABLE %s (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  account_id bigint NOT NULL REFERENCES %s (id),\n  name text NOT NULL,\n  email text,\n  status text NOT NULL DEFAULT 'new',\n  payload jsonb NOT NULL DEFAULT '{}'::jsonb,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n\n", t, prev)
		fmt.Fprintf(&b, "CREATE INDEX %[1]s_account_idx ON %[1]s (account_id);\nCREATE INDEX %[1]s_status_idx ON %[1]s (status) WHERE status <> 'done';\n\n", t)
		fmt.Fprintf(&b, "ALTER TABLE %s ADD COLUMN note_%d text;\nALTER TABLE %s ADD COLUMN flag_%d boolean NOT NULL DEFAULT false;\n\n", prev, i, prev, i)
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, "CREATE INDEX %[1]s_name_%[2]d_idx ON %[1]s (name);\n", prev, i)
		case 1:
			fmt.Fprintf(&b, "ALTER TABLE %s ADD CONSTRAINT %s_email_%d_check CHECK (email LIKE '%%@%%') NOT VALID;\n", prev, prev, i)
		case 2:
			fmt.Fprintf(&b, "ALTER TABLE %s ALTER COLUMN email SET NOT NULL;\n", prev)
		case 3:
			fmt.Fprintf(&b, "UPDATE %s SET status = 'active' WHERE id >= 1 AND id < 5001;\n", prev)
		case 4:
			fmt.Fprintf(&b, "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = '%[1]s_created_idx') THEN\n    EXECUTE 'CREATE INDEX %[1]s_created_idx ON %[1]s (created_at)';\n  END IF;\nEND\n$$;\n", prev)
		case 5:
			fmt.Fprintf(&b, "ALTER TABLE %s ADD CONSTRAINT %s_account_%d_fk FOREIGN KEY (account_id) REFERENCES %s (id) NOT VALID;\n", prev, prev, i, t)
		}
		fmt.Fprintf(&b, "\nCOMMENT ON TABLE %s IS 'generated for the lint benchmark';\n", t)
		if goose {
			fmt.Fprintf(&b, "\n-- +goose Down\nDROP TABLE %s;\n", t)
		}
		name := filepath.Join(dir, fmt.Sprintf("%05d_step_%d.sql", i, i))
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
