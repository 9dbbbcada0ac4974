// Command wirecount runs a command against a counting proxy in front of
// PostgreSQL and prints how many round trips and statements it made.
//
//	go run ./bench/migrate/wirecount [-upstream 127.0.0.1:5432] -- CMD ARGS...
//
// Every argument containing {addr} has it replaced by the proxy's
// host:port, for example
//
//	go run ./bench/migrate/wirecount -- goose -dir g postgres 'postgres://postgres@{addr}/db?sslmode=disable' up
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	migratebench "github.com/strata-db/strata/bench/migrate"
)

func main() {
	upstream := flag.String("upstream", "127.0.0.1:5432", "PostgreSQL server host:port")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: wirecount [-upstream host:port] -- CMD ARGS... ({addr} in ARGS becomes the proxy's address)")
		os.Exit(2)
	}
	w, err := migratebench.NewWireCounter(*upstream)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wirecount:", err)
		os.Exit(1)
	}
	args := flag.Args()
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], "{addr}", w.Addr())
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)
	w.Close()
	fmt.Printf("wall time %s (through the proxy)\n", elapsed.Round(time.Millisecond))
	fmt.Print(w.Stats())
	if runErr != nil {
		fmt.Fprintln(os.Stderr, "wirecount:", runErr)
		os.Exit(1)
	}
}
