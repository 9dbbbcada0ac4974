package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestNoFlagShowsAStrayValueName: pflag takes a backquoted word of a
// flag's help text as the name of its value, so a boolean flag would read
// "--allow-drift strata repair" in the help. No flag of any command may
// show a value name it does not take.
func TestNoFlagShowsAStrayValueName(t *testing.T) {
	t.Parallel()
	root := NewRoot(&App{Stdout: io.Discard, Stderr: io.Discard})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			switch {
			case f.Value.Type() == "bool" && name != "":
				t.Errorf("%s --%s: a boolean flag shows the value name %q", c.CommandPath(), f.Name, name)
			case strings.ContainsAny(name, " `"):
				t.Errorf("%s --%s: value name %q", c.CommandPath(), f.Name, name)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
