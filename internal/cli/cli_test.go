package cli_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/cli"
	"github.com/strata-db/strata/internal/testenv"
)

// TestMain lets the test binary run as the strata command inside scripts:
// testscript puts a "strata" on the scripts' PATH that re-executes this
// binary, which then behaves like cmd/strata.
func TestMain(m *testing.M) {
	testscript.Main(cleanupM{m}, map[string]func(){
		"strata": func() { os.Exit(strataMain()) },
	})
}

// cleanupM removes the strata binary the process-level tests built, once
// every test has run.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	return code
}

// strataMain is cmd/strata's main: SIGINT or SIGTERM cancels the run, and
// an interrupted run exits 130.
func strataMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if ctx.Err() != nil && code != 0 {
		code = cli.ExitInterrupted
	}
	return code
}

// TestScripts runs the end-to-end scripts in testdata/script. Each script
// starts with STRATA_DATABASE_URL set to a fresh, empty SQLite file in its work
// directory and no STRATA_DIR, so `strata` reads ./migrations. Beyond the
// testscript builtins, scripts have:
//
//	exitcode N strata ARGS...   run strata, expect exit code N (stdout/stderr kept for matching)
//	newdb postgres|mysql        point STRATA_DATABASE_URL (and $DB) at a fresh server database
//	sql QUERY                   run QUERY on $STRATA_DATABASE_URL; rows go to stdout, tab-separated
//	sleep DURATION              wait, for timestamp numbering
//
// $FORMATS is migrate/testdata/formats, a fixture directory per format.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			// An empty file is an empty SQLite database: read-only
			// commands refuse a file that does not exist.
			if err := os.WriteFile(filepath.Join(env.WorkDir, "db.sqlite"), nil, 0o644); err != nil {
				return err
			}
			env.Setenv("STRATA_DATABASE_URL", "sqlite:"+filepath.Join(env.WorkDir, "db.sqlite"))
			env.Setenv("DB", "sqlite:"+filepath.Join(env.WorkDir, "db.sqlite"))
			// $FORMATS holds migrate's fixture directories, one per format
			// strata reads.
			formats, err := filepath.Abs(filepath.Join("..", "..", "migrate", "testdata", "formats"))
			if err != nil {
				return err
			}
			env.Setenv("FORMATS", formats)
			env.Values[tKey{}] = env.T()
			return nil
		},
		// [knownbugs] is true with STRATA_TEST_KNOWN_BUGS=1: the bug_*.txtar
		// scripts state the correct behaviour and skip until it is fixed.
		Condition: func(cond string) (bool, error) {
			if cond == "knownbugs" {
				return os.Getenv("STRATA_TEST_KNOWN_BUGS") != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"newdb":    cmdNewDB,
			"sql":      cmdSQL,
			"sleep":    cmdSleep,
		},
	})
}

func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: exitcode N command [args...] (no !)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// tKey holds the script's testscript.T in Env.Values.
type tKey struct{}

// scriptTB returns the *testing.T behind a script, so testenv can create
// databases that are dropped when the script ends.
func scriptTB(ts *testscript.TestScript) testing.TB {
	st := ts.Value(tKey{})
	if tb, ok := st.(testing.TB); ok {
		return tb
	}
	// testscript wraps *testing.T in a struct that embeds it.
	v := reflect.ValueOf(st)
	if v.Kind() == reflect.Struct && v.NumField() > 0 {
		if tb, ok := v.Field(0).Interface().(testing.TB); ok {
			return tb
		}
	}
	ts.Fatalf("cannot reach the *testing.T of this script")
	return nil
}

func cmdNewDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: newdb postgres|mysql")
	}
	tb := scriptTB(ts)
	var url string
	switch args[0] {
	case "postgres":
		url = testenv.Postgres(tb)
	case "mysql":
		url = testenv.MySQL(tb)
	default:
		ts.Fatalf("newdb: unknown engine %q", args[0])
	}
	ts.Setenv("STRATA_DATABASE_URL", url)
	ts.Setenv("DB", url)
}

func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sql QUERY")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := ts.Getenv("STRATA_DATABASE_URL")
	if strings.HasPrefix(url, "sqlite:") && !filepath.IsAbs(strings.TrimPrefix(url, "sqlite:")) {
		url = "sqlite:" + ts.MkAbs(strings.TrimPrefix(url, "sqlite:"))
	}
	tgt, err := connect.Open(ctx, url)
	ts.Check(err)
	defer tgt.Close()
	out, err := query(ctx, tgt.DB, args[0])
	if neg {
		if err == nil {
			ts.Fatalf("sql %q succeeded unexpectedly", args[0])
		}
		fmt.Fprintln(ts.Stderr(), err)
		return
	}
	ts.Check(err)
	fmt.Fprint(ts.Stdout(), out)
}

// query runs q and returns its rows, one line each, columns separated by
// tabs, NULL as "NULL".
func query(ctx context.Context, db *sql.DB, q string) (string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteString("\t")
			}
			switch v := v.(type) {
			case nil:
				b.WriteString("NULL")
			case []byte:
				b.Write(v)
			default:
				fmt.Fprint(&b, v)
			}
		}
		b.WriteString("\n")
	}
	return b.String(), rows.Err()
}

func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}
