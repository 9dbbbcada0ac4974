package cli

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

//go:embed demo/*.sql
var demoFiles embed.FS

// splitName is the demo's data migration, written in Go: it adds first_name
// and last_name, backfills them from full_name in batches of 2,000 rows, and
// checks that no row was missed before its transaction commits.
func splitName(out func(format string, args ...any)) migrate.GoMigration {
	return migrate.GoMigration{
		Version: 4,
		Name:    "split_full_name",
		Up: func(ctx context.Context, tx *sql.Tx) error {
			for _, stmt := range []string{
				`ALTER TABLE users ADD COLUMN first_name TEXT`,
				`ALTER TABLE users ADD COLUMN last_name TEXT`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			var maxID int64
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&maxID); err != nil {
				return err
			}
			const batch = 2000
			var done int64
			for lo := int64(0); lo < maxID; lo += batch {
				// last_name is what follows the last space: rtrim with the
				// name's own non-space characters strips back to it.
				res, err := tx.ExecContext(ctx, `UPDATE users
					SET first_name = substr(full_name, 1, instr(full_name, ' ') - 1),
					    last_name  = substr(full_name, length(rtrim(full_name, replace(full_name, ' ', ''))) + 1)
					WHERE id > ? AND id <= ?`, lo, lo+batch)
				if err != nil {
					return fmt.Errorf("backfill ids %d..%d: %w", lo+1, lo+batch, err)
				}
				n, _ := res.RowsAffected()
				done += n
				if (lo/batch)%4 == 3 || lo+batch >= maxID {
					out("  backfill: %d of %d rows\n", done, maxID)
				}
			}
			// The check: every row has both parts, or the migration rolls
			// back with nothing changed.
			var missing int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE first_name IS NULL OR first_name = '' OR last_name IS NULL OR last_name = ''`).Scan(&missing); err != nil {
				return err
			}
			if missing > 0 {
				return fmt.Errorf("check failed: %d users have no first or last name after the backfill", missing)
			}
			out("  check: all %d users have a first and last name\n", done)
			return nil
		},
		Down: func(ctx context.Context, tx *sql.Tx) error {
			for _, stmt := range []string{
				`ALTER TABLE users DROP COLUMN last_name`,
				`ALTER TABLE users DROP COLUMN first_name`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func (app *App) demoCmd() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a real migration on a throw-away SQLite database: schema, data, a backfill with a check, a failure rolled back, and a down",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if app.JSON {
				return Exit(ExitUsage, errors.New("demo is a walkthrough to read; it has no --json output (run it without --json)"))
			}
			return app.demo(cmd.Context(), keep)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary directory (database and migrations) afterwards")
	return cmd
}

// demoRun is one `strata demo`: a throw-away directory and SQLite database,
// and the steps of the walkthrough.
type demoRun struct {
	app   *App
	tmp   string // the temporary directory
	dir   string // its migration directory
	dbURL string
	t     *connect.Target
}

func (app *App) demo(ctx context.Context, keep bool) error {
	tmp, err := os.MkdirTemp("", "strata-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(tmp)
	}
	d := &demoRun{app: app, tmp: tmp, dir: filepath.Join(tmp, "migrations"), dbURL: "sqlite:" + filepath.Join(tmp, "demo.db")}
	if err := d.writeMigrations(); err != nil {
		return err
	}
	d.out("strata demo: a SQLite database at %s\n", filepath.Join(tmp, "demo.db"))
	d.out("migrations in %s: 3 SQL files and 1 Go migration (a batched backfill with a check)\n\n", d.dir)
	if d.t, err = connect.Open(ctx, d.dbURL); err != nil {
		return err
	}
	defer d.t.Close()
	for _, step := range []func(context.Context) error{d.up, d.failure, d.down} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	d.out("\nWhat happened: 4 migrations applied (tables, an index, a foreign key, 20,000 rows of data, a batched backfill checked before commit);\n")
	d.out("a failing migration was rolled back with nothing left behind; the last migration was undone with its down code.\n")
	if keep {
		d.out("Kept %s. Try: strata --database %s --dir %s status\n", tmp, d.dbURL, d.dir)
	}
	return nil
}

func (d *demoRun) out(format string, args ...any) { fmt.Fprintf(d.app.Stdout, format, args...) }

func (d *demoRun) step(title string) { d.out("\n== %s\n", title) }

// writeMigrations copies the demo's migrations, but the failing one, into
// the migration directory.
func (d *demoRun) writeMigrations() error {
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return err
	}
	entries, _ := fs.ReadDir(demoFiles, "demo")
	for _, e := range entries {
		if e.Name() == demoBadFile {
			continue
		}
		b, _ := demoFiles.ReadFile("demo/" + e.Name())
		if err := os.WriteFile(filepath.Join(d.dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// demoBadFile is the demo's migration that fails.
const demoBadFile = "0005_add_unique_last_name.sql"

// session opens the migration directory as it is now.
func (d *demoRun) session() (*session, error) {
	p, err := migrate.NewProvider(d.t.DB, os.DirFS(d.dir),
		migrate.WithDialect(d.t.Dialect),
		migrate.WithDirName(d.dir),
		migrate.WithStrataVersion(Version),
		migrate.WithGoMigrations(splitName(d.out)),
		migrate.WithLogger(d.app.logger()),
		d.app.progressObserver())
	if err != nil {
		return nil, err
	}
	return &session{provider: p}, nil
}

func (d *demoRun) count(ctx context.Context, query string) int {
	var n int
	_ = d.t.DB.QueryRowContext(ctx, query).Scan(&n)
	return n
}

// run runs do on the directory as it is now and reports it as command
// name does.
func (d *demoRun) run(ctx context.Context, name string, do func(p *migrate.Provider) (*migrate.Result, error)) (*session, error) {
	s, err := d.session()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := do(s.provider)
	return s, d.app.report(ctx, name, s, res, err, start)
}

func (d *demoRun) up(ctx context.Context) error {
	d.step("1. strata up: apply everything pending")
	s, err := d.run(ctx, "up", func(p *migrate.Provider) (*migrate.Result, error) { return p.Up(ctx) })
	if err != nil {
		return err
	}
	d.out("integrity: %d users, %d orders, %d orders without a user\n", d.count(ctx, `SELECT count(*) FROM users`), d.count(ctx, `SELECT count(*) FROM orders`),
		d.count(ctx, `SELECT count(*) FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL`))
	d.step("2. strata status")
	return d.app.printStatus(ctx, s.provider, d.dbURL)
}

func (d *demoRun) failure(ctx context.Context) error {
	d.step("3. a bad migration: 0005 adds a unique index on last_name, which has duplicates")
	b, _ := demoFiles.ReadFile("demo/" + demoBadFile)
	badFile := filepath.Join(d.dir, demoBadFile)
	if err := os.WriteFile(badFile, b, 0o644); err != nil {
		return err
	}
	s, err := d.session()
	if err != nil {
		return err
	}
	_, err = s.provider.Up(ctx)
	var merr *migrate.MigrationError
	if !errors.As(err, &merr) {
		return fmt.Errorf("demo: expected migration 0005 to fail, got %v", err)
	}
	d.out("strata: %s\n", merr.Error())
	d.out("after the failure the users table has %d nickname columns: the transaction undid the ALTER and the UPDATE\n",
		d.count(ctx, `SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nickname'`))
	return os.Remove(badFile)
}

func (d *demoRun) down(ctx context.Context) error {
	d.step("4. strata down: roll back the backfill migration")
	s, err := d.run(ctx, "down", func(p *migrate.Provider) (*migrate.Result, error) { return p.Down(ctx) })
	if err != nil {
		return err
	}
	cols := d.count(ctx, `SELECT count(*) FROM pragma_table_info('users') WHERE name IN ('first_name', 'last_name')`)
	d.out("users still has %d rows and %d of the split-name columns\n", d.count(ctx, `SELECT count(*) FROM users`), cols)
	d.step("5. strata status")
	return d.app.printStatus(ctx, s.provider, d.dbURL)
}

func (app *App) printStatus(ctx context.Context, p *migrate.Provider, url string) error {
	sts, err := p.Status(ctx)
	if err != nil {
		return err
	}
	v, _ := p.Version(ctx)
	for _, st := range sts {
		at := "-"
		if !st.AppliedAt.IsZero() {
			at = st.AppliedAt.Local().Format("15:04:05")
		}
		fmt.Fprintf(app.Stdout, "  %-6s %-22s %-8s %s\n", st.Version, st.Name, st.State, at)
	}
	fmt.Fprintf(app.Stdout, "  database %s is at version %s\n", url, v)
	return nil
}
