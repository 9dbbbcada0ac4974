package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/adopt"
	"github.com/strata-db/strata/connect"
)

func (app *App) importCmd() *cobra.Command {
	var opts adopt.ImportOptions
	cmd := &cobra.Command{
		Use:   "import django|rails|laravel",
		Short: "Write one strata migration (up and down) per migration of a Django, Rails or Laravel project, from the framework's own SQL",
		Long: "import runs the framework's own tools (Django's sqlmigrate, ActiveRecord's migrator, Laravel's pretend mode) on the\n" +
			"project in --project (default: the current directory) and writes into --dir one strata SQL migration per framework\n" +
			"migration, with its up and down SQL. Only the project's own apps are imported unless --all-apps; a migration that runs\n" +
			"framework code (RunPython, model writes) is refused by name unless --skip-code. Rails runs each migration up and down\n" +
			"to see its SQL, so --database must be an empty scratch database (it is left empty); Django and Laravel only read it.\n" +
			"Then `strata adopt --from django|rails|laravel` takes over the database the framework migrated.",
		Args: needArg("the framework: django, rails or laravel"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fw := adopt.Framework(strings.ToLower(args[0]))
			switch fw {
			case adopt.FrameworkDjango, adopt.FrameworkRails, adopt.FrameworkLaravel:
			default:
				return Exit(ExitUsage, fmt.Errorf("import: unknown framework %q (known: django, rails, laravel)", args[0]))
			}
			cfg := app.config()
			if cfg.DatabaseURL == "" {
				return Exit(ExitUsage, errors.New("import needs a database for the framework's tools: pass --database URL (for rails, an empty scratch database), set STRATA_DATABASE_URL, or set database in strata.yaml"))
			}
			engine, err := connect.Engine(cfg.DatabaseURL)
			if err != nil {
				return Exit(ExitUsage, err)
			}
			if opts.DB, err = adopt.DatabaseFromURL(cfg.DatabaseURL, engine); err != nil {
				return Exit(ExitUsage, err)
			}
			opts.Dir, opts.Stderr = cfg.Dir, nil
			if app.Verbose {
				opts.Stderr = app.Stderr
			}
			res, err := adopt.Import(cmd.Context(), fw, opts)
			if err != nil {
				var ce *adopt.CodeError
				if errors.As(err, &ce) {
					return Exit(ExitRefused, err)
				}
				return err
			}
			if app.JSON {
				return writeJSON(app.Stdout, map[string]any{"command": "import", "ok": true, "framework": res.Framework, "written": res.Written, "already_imported": res.AlreadyImported, "left_out": res.LeftOut})
			}
			for _, w := range res.Written {
				note := ""
				if w.NoDown {
					note = " (no down: the framework cannot reverse it)"
				}
				if len(w.SkippedCode) > 0 {
					note += " (framework code left out: " + strings.Join(w.SkippedCode, "; ") + ")"
				}
				fmt.Fprintf(app.Stdout, "wrote %s from %s%s\n", w.File, w.From, note)
			}
			if len(res.LeftOut) > 0 {
				fmt.Fprintf(app.Stdout, "left out (not the project's own; --all-apps imports them): %s\n", strings.Join(res.LeftOut, ", "))
			}
			fmt.Fprintf(app.Stdout, "%s written", plural(len(res.Written), "migration", "migrations"))
			if res.AlreadyImported > 0 {
				fmt.Fprintf(app.Stdout, ", %d already imported", res.AlreadyImported)
			}
			fmt.Fprintf(app.Stdout, "; next: `strata adopt --from %s` on the database %s migrated\n", fw, fw)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Project, "project", ".", "the framework project: where manage.py, the Rails app or the Laravel app is")
	cmd.Flags().BoolVar(&opts.AllApps, "all-apps", false, "django: also import the bundled and third-party apps (auth, contenttypes, …)")
	cmd.Flags().BoolVar(&opts.SkipCode, "skip-code", false, "import migrations that run framework code (RunPython, model writes) without that code, instead of refusing them")
	return cmd
}
