// Command gen writes the lint benchmark's migration files:
//
//	go run ./bench/lint/gen DIR [N]
package main

import (
	"fmt"
	"os"
	"strconv"

	lintbench "github.com/strata-db/strata/bench/lint"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR [N]")
		os.Exit(2)
	}
	n := 1000
	if len(os.Args) > 2 {
		var err error
		if n, err = strconv.Atoi(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if err := lintbench.Generate(os.Args[1], n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
