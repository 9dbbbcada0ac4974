package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
)

// A transfer killed with SIGKILL halfway resumes with --resume and ends
// with every row exactly once: no duplicate, none missing, same checksum.
func TestTransferKill9Resume(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, e testenv.Engine) {
		bin := strataBinary(t)
		ctx := context.Background()
		su, tu := testenv.MySQL(t), e.URL
		src, err := connect.Open(ctx, su)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		const n = 200_000
		conn, err := src.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			"SET SESSION max_recursive_iterations = 1000000",
			"CREATE TABLE big (id int PRIMARY KEY, v varchar(40) NOT NULL, d datetime NOT NULL)",
			"INSERT INTO big WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200000) SELECT i, CONCAT('value ', i), '2024-01-01 00:00:00' + INTERVAL i SECOND FROM s",
		} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		conn.Close()
		dir := t.TempDir()
		spec := filepath.Join(dir, "spec.yaml")
		os.WriteFile(spec, []byte("source: "+su+"\ntarget: "+tu+"\nchunk_rows: 1000\nworkers: 2\ntables:\n  - from: big\n    key: id\n    create: true\n"), 0o644)
		dst := e

		cmd := exec.Command(bin, "transfer", spec)
		cmd.Dir = dir
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			var chunks int
			_ = dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM strata_transfer_chunks").Scan(&chunks)
			if chunks >= 40 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no progress within 60s: %s", stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		var rows int
		dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM big").Scan(&rows)
		if rows >= n {
			t.Fatalf("the run finished before it was killed (%d rows)", rows)
		}
		t.Logf("killed with %d of %d rows copied", rows, n)

		// Without --resume, a new run refuses (exit 3) and says how to go on.
		out, err := exec.Command(bin, "transfer", spec).CombinedOutput()
		if code := exitCodeOf(err); code != 3 || !strings.Contains(string(out), "--resume") {
			t.Fatalf("a run over an interrupted one: exit %d, %s", code, out)
		}
		c := exec.Command(bin, "transfer", spec, "--resume", "--json")
		c.Dir = dir
		jsonOut, err := c.Output()
		if err != nil {
			t.Fatalf("resume: %v\n%s", err, jsonOut)
		}
		var doc struct {
			OK     bool `json:"ok"`
			Tables []struct {
				Read, Written, Quarantined, Skipped int64
				Resumed                             int64 `json:"resumed_chunks"`
				Verify                              struct {
					OK     bool
					Method string
				}
			}
		}
		if err := json.Unmarshal(jsonOut, &doc); err != nil {
			t.Fatalf("%v: %s", err, jsonOut)
		}
		tr := doc.Tables[0]
		if !doc.OK || tr.Read != n || tr.Written != n || tr.Resumed == 0 || !tr.Verify.OK {
			t.Fatalf("resume result: %s", jsonOut)
		}
		var count, distinct int64
		var sum int64
		if err := dst.DB.QueryRowContext(ctx, "SELECT count(*), count(DISTINCT id), sum(id) FROM big").Scan(&count, &distinct, &sum); err != nil {
			t.Fatal(err)
		}
		if count != n || distinct != n || sum != int64(n)*(n+1)/2 {
			t.Fatalf("target: %d rows, %d distinct, sum %d", count, distinct, sum)
		}
		var v string
		dst.DB.QueryRowContext(ctx, "SELECT v FROM big WHERE id = 123456").Scan(&v)
		if v != "value 123456" {
			t.Fatalf("v = %q", v)
		}
	})
}

func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
