package lint_test

import (
	"context"
	"fmt"
	"os"

	"github.com/strata-db/strata/lint"
)

func Example() {
	l, err := lint.New(lint.Options{Engine: lint.Postgres, ServerVersion: "15"})
	if err != nil {
		panic(err)
	}
	src := []byte("SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\n")
	rep, err := l.LintFile(context.Background(), "20261124_users_email.sql", src)
	if err != nil {
		panic(err)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s:%d:%d %s %s: %s on %s\n", f.File, f.Line, f.Col, f.Severity, f.Rule, f.Lock, f.Object)
	}
	fmt.Println(rep.Errors(), "error(s)")
	_ = lint.WriteGitHub(os.Stdout, rep)
	// Output:
	// 20261124_users_email.sql:2:1 error create-index-non-concurrent: SHARE on users
	// 1 error(s)
	// ::error file=20261124_users_email.sql,line=2,col=1,title=strata lint create-index-non-concurrent::CREATE INDEX on users takes a SHARE lock: inserts, updates and deletes wait while it reads the whole table (lock: SHARE on users)%0ASafe rewrite:%0A-- in a file of its own:%0A-- strata:no-transaction%0ACREATE INDEX CONCURRENTLY users_email_idx ON users (email);
}
