package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

// The integrity commands of a migration directory: validate and hash.

func (app *App) validateCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check that every file parses, strata.sum matches, and (with a database) nothing applied was edited",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := app.validate(cmd.Context(), &f)
			if err != nil {
				return err
			}
			if app.JSON {
				return writeJSON(app.Stdout, out)
			}
			sum := "strata.sum ok"
			if out.Sum == "none" {
				sum = "no strata.sum (`strata hash` writes one)"
			}
			drift := " (no database given, so drift was not checked)"
			if out.DriftChecked {
				drift = "; no applied migration was edited"
			}
			verb := "parse"
			if out.Migrations == 1 {
				verb = "parses"
			}
			fmt.Fprintf(app.Stdout, "%s %s; %s%s\n", plural(out.Migrations, "migration", "migrations"), verb, sum, drift)
			return nil
		},
	}
	f.register(cmd, flagTable)
	return cmd
}

// validateJSON is the --json document of validate.
type validateJSON struct {
	OK         bool `json:"ok"`
	Migrations int  `json:"migrations"`
	// Sum is "ok" when strata.sum matches, "none" when there is none.
	Sum string `json:"strata_sum"`
	// DriftChecked: a database was given and no applied file was edited.
	DriftChecked bool `json:"drift_checked"`
}

// validate parses the directory, checks strata.sum and, with a database,
// that no applied migration was edited.
func (app *App) validate(ctx context.Context, f *runFlags) (validateJSON, error) {
	cfg := app.config()
	fsys, err := app.migrationFS()
	if err != nil {
		return validateJSON{}, err
	}
	engine := "" // migrate.Load splits as PostgreSQL does
	if cfg.DatabaseURL != "" && !connect.IsStore(cfg.DatabaseURL) {
		if engine, err = connect.Engine(cfg.DatabaseURL); err != nil {
			return validateJSON{}, Exit(ExitUsage, err)
		}
	}
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: engine})
	if err != nil {
		return validateJSON{}, app.prefixParse(err)
	}
	out := validateJSON{OK: true, Migrations: len(ms), Sum: "none"}
	if _, err := fs.Stat(fsys, migrate.SumFile); err == nil {
		out.Sum = "ok"
	}
	if cfg.DatabaseURL == "" {
		// With a database, Validate reports drift before the sum: an
		// edited applied file is drift, not a sum to rewrite.
		return out, migrate.CheckSum(fsys)
	}
	err = app.withSession(ctx, f, func(s *session) error {
		return s.provider.Validate(ctx)
	})
	out.DriftChecked = err == nil
	return out, err
}

func (app *App) hashCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "hash",
		Short: "Write strata.sum, the integrity file of the migration directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fsys, err := app.migrationFS()
			if err != nil {
				return err
			}
			sum, err := migrate.Sum(fsys)
			if err != nil {
				return err
			}
			path := strings.TrimSuffix(app.config().Dir, "/") + "/" + migrate.SumFile
			if err := os.WriteFile(path, []byte(sum), 0o644); err != nil {
				return err
			}
			n := strings.Count(sum, "\n") - 1
			if app.JSON {
				return writeJSON(app.Stdout, map[string]any{"ok": true, "file": path, "files": n})
			}
			fmt.Fprintf(app.Stdout, "wrote %s (%s)\n", path, plural(n, "file", "files"))
			return nil
		},
	}
}
