package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/migrate"
)

// The second phase of online migrations: complete and abort.

func (app *App) completeCmd() *cobra.Command {
	return app.phaseCmd("complete", "Finish expanded online migrations (all, or version V): drop the old shape, triggers and version schema", true)
}

func (app *App) abortCmd() *cobra.Command {
	return app.phaseCmd("abort", "Undo expanded online migrations (all, or version V): drop what start created; the old shape and its rows stay", false)
}

func (app *App) phaseCmd(name, short string, complete bool) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   name + " [V]",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var v migrate.Version
			if len(args) == 1 {
				var err error
				if v, err = migrate.ParseVersion(args[0]); err != nil {
					return Exit(ExitUsage, err)
				}
			}
			ctx := cmd.Context()
			return app.runWith(ctx, name, &f, func(s *session) (*migrate.Result, error) {
				var res *migrate.Result
				var err error
				if complete {
					res, err = s.provider.Complete(ctx, v)
				} else {
					res, err = s.provider.Abort(ctx, v)
				}
				return res, phaseError(ctx, s.provider, name, v, err)
			})
		},
	}
	f.register(cmd, flagTable|flagLockTimeout|flagOnlineLock)
	return cmd
}

// phaseError explains a complete or abort of version v that found nothing
// to do: naming a migration that has no second phase to run is a mistake
// in the command, not "nothing to do".
func phaseError(ctx context.Context, p *migrate.Provider, verb string, v migrate.Version, err error) error {
	switch {
	case v == "":
	case errors.Is(err, migrate.ErrUnknownVersion):
		return notInHistory(p, verb, v)
	case errors.Is(err, migrate.ErrNotExpanded):
		if st, serr := p.Status(ctx); serr == nil && pendingIn(st, v) {
			return notInHistory(p, verb, v)
		}
		return Exit(ExitUsage, err)
	}
	return err
}

// pendingIn reports whether v is listed as pending.
func pendingIn(st []migrate.MigrationStatus, v migrate.Version) bool {
	for _, e := range st {
		if e.Version == v {
			return e.State == migrate.StatePending
		}
	}
	return false
}

// notInHistory explains why complete or abort V found nothing to do: V is
// pending (never started), or is no migration at all.
func notInHistory(p *migrate.Provider, verb string, v migrate.Version) error {
	for _, m := range p.Migrations() {
		if m.Version != v || m.Repeatable {
			continue
		}
		next := "`strata up` starts it"
		if m.Kind != migrate.KindOnline {
			kind := map[migrate.Kind]string{migrate.KindSQL: "SQL", "go": "Go"}[m.Kind]
			if kind == "" {
				kind = string(m.Kind)
			}
			next = fmt.Sprintf("it is a %s migration, which has no second phase: `strata up` applies it", kind)
		}
		done := map[string]string{"complete": "completed", "abort": "aborted"}[verb]
		return Exit(ExitUsage, fmt.Errorf("%s %s: %s_%s is pending, so there is nothing to %s: only an online migration that `strata up` expanded can be %s (%s)",
			verb, v, v, m.Name, verb, done, next))
	}
	return Exit(ExitUsage, fmt.Errorf("%w %s: no migration %s in the directory or in history (`strata status` lists them)", migrate.ErrUnknownVersion, v, v))
}
