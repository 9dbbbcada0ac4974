// Command strata applies database migrations. See the README or
// `strata --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/strata-db/strata/internal/cli"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var interrupted atomic.Bool
	go func() {
		<-sigs
		interrupted.Store(true)
		// cli.Main says what the running command does about it.
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "strata: second interrupt: exiting now; `strata status` shows what was recorded")
		os.Exit(cli.ExitInterrupted)
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if interrupted.Load() && code != 0 {
		code = cli.ExitInterrupted
	}
	cancel()
	os.Exit(code)
}
