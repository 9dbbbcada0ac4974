// Command lintcli is `strata lint` without the rest of strata, for run.sh to
// use until the lint command is registered in the strata binary: the same
// library calls (LintPaths, then the text formatter), the same exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/strata-db/strata/lint"
)

func main() {
	version := flag.String("server-version", "15", "PostgreSQL version")
	format := flag.String("format", "text", "text, json, sarif or github")
	flag.Parse()
	l, err := lint.New(lint.Options{Engine: lint.Postgres, ServerVersion: *version})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rep, err := l.LintPaths(context.Background(), flag.Args())
	if rep != nil {
		_ = lint.Write(os.Stdout, rep, lint.Format(*format), lint.TextOptions{})
	}
	var pe *lint.ParseError
	switch {
	case errors.As(err, &pe):
		fmt.Fprintln(os.Stderr, "strata:", pe)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "strata:", err)
		os.Exit(2)
	case rep.Errors() > 0:
		os.Exit(3)
	}
}
