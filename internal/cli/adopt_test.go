package cli_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The adoption scripts in testdata/adopt run the other migration tools for
// real (golang-migrate, goose and dbmate built by scripts/tools; Django,
// ActiveRecord and sqitch from Debian), so the history strata adopts is the
// one the tool wrote. Tools whose runtime is not reachable here (Flyway,
// Atlas, Prisma, Liquibase, Laravel) get their history tables written in
// the scripts exactly as their documentation and source define them.

var (
	toolsOnce sync.Once
	toolsBin  string
	toolsErr  error
)

// otherTools runs scripts/tools once and returns the directory of the Go
// tools it built. Without the tools the adoption scripts skip, or fail
// under CI.
func otherTools(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs other migration tools: skipped with -short")
	}
	toolsOnce.Do(func() {
		out, err := exec.Command(filepath.Join("..", "..", "scripts", "tools")).Output()
		toolsBin = strings.TrimSpace(string(out))
		if err != nil {
			toolsErr = err
		}
	})
	if toolsErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("scripts/tools: %v (%s)", toolsErr, toolsBin)
		}
		t.Skipf("scripts/tools could not install the other migration tools: %v", toolsErr)
	}
	return toolsBin
}

// TestAdoptScripts runs testdata/adopt. Beyond TestScripts' commands, the
// scripts have:
//
//	dbenv    set DB_ENGINE, DB_HOST, DB_PORT, DB_USER, DB_NAME from
//	         $STRATA_DATABASE_URL, and each tool's way of saying it:
//	         MIGRATE_URL (golang-migrate), GOOSE_DRIVER and GOOSE_DBSTRING,
//	         DATABASE_URL (dbmate)
//
// PATH starts with the Go tools' directory and /usr/bin (Debian's python3
// with Django, ruby with ActiveRecord, sqitch).
func TestAdoptScripts(t *testing.T) {
	bin := otherTools(t)
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "adopt"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin"+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("HOME", env.WorkDir)
			env.Values[tKey{}] = env.T()
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"newdb":    cmdNewDB,
			"sql":      cmdSQL,
			"dbenv":    cmdDBEnv,
		},
	})
}

func cmdDBEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: dbenv")
	}
	u, err := url.Parse(ts.Getenv("STRATA_DATABASE_URL"))
	ts.Check(err)
	host, port, user, name := u.Hostname(), u.Port(), u.User.Username(), strings.TrimPrefix(u.Path, "/")
	pw, _ := u.User.Password()
	ts.Setenv("DB_ENGINE", u.Scheme)
	ts.Setenv("DB_HOST", host)
	ts.Setenv("DB_PORT", port)
	ts.Setenv("DB_USER", user)
	ts.Setenv("DB_PASSWORD", pw)
	ts.Setenv("DB_NAME", name)
	switch u.Scheme {
	case "postgres":
		q := "sslmode=disable"
		ts.Setenv("MIGRATE_URL", "postgres://"+u.User.String()+"@"+u.Host+"/"+name+"?"+q)
		ts.Setenv("GOOSE_DRIVER", "postgres")
		ts.Setenv("GOOSE_DBSTRING", "postgres://"+u.User.String()+"@"+u.Host+"/"+name+"?"+q)
		ts.Setenv("DATABASE_URL", "postgres://"+u.User.String()+"@"+u.Host+"/"+name+"?"+q)
	case "mysql":
		auth := u.User.String()
		ts.Setenv("MIGRATE_URL", "mysql://"+auth+"@tcp("+u.Host+")/"+name+"?multiStatements=true")
		ts.Setenv("GOOSE_DRIVER", "mysql")
		ts.Setenv("GOOSE_DBSTRING", auth+"@tcp("+u.Host+")/"+name+"?parseTime=true")
		ts.Setenv("DATABASE_URL", "mysql://"+auth+"@"+u.Host+"/"+name)
	default:
		ts.Fatalf("dbenv: %s is not a server database", u.Scheme)
	}
}
