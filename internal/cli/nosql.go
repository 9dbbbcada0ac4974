package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/engine"
	"github.com/strata-db/strata/migrate"
)

// sqlOnly are the commands that read or write SQL tables of their own
// (check reports, restore points); on a store engine they are refused.
var sqlOnly = map[string]bool{"check": true, "restore": true, "prune": true}

// openStore is open for a database URL that names a store engine
// (mongodb://, redis://, …): the same provider and the same commands, with
// history and the lock in the engine.
func (app *App) openStore(ctx context.Context, f *runFlags, extra ...migrate.Option) (*session, error) {
	cfg := app.config()
	if name := app.running.Load(); name != nil && sqlOnly[*name] {
		return nil, Exit(ExitUsage, fmt.Errorf("strata %s works on SQL databases; %s is not one", *name, connect.Redact(cfg.DatabaseURL)))
	}
	fsys, err := app.migrationFS()
	if err != nil {
		return nil, err
	}
	table := cfg.Table
	if f != nil && f.table != "" {
		table = f.table
	}
	t, sc, err := engine.Open(ctx, cfg.DatabaseURL, engine.Options{History: table})
	var ue *connect.URLError
	switch {
	case errors.As(err, &ue), errors.Is(err, engine.ErrUnsupported):
		return nil, Exit(ExitUsage, err)
	case err != nil:
		return nil, err
	}
	app.cleanups = append(app.cleanups, func() { t.Close() })
	opts := []migrate.Option{
		migrate.WithLogger(app.logger()),
		migrate.WithVars(app.lookupVar),
		migrate.WithStrataVersion(Version),
		migrate.WithDirName(cfg.Dir),
		migrate.WithLockTimeout(cfg.LockTimeout),
		migrate.WithAllowOutOfOrder(cfg.AllowOutOfOrder),
	}
	if f != nil {
		if f.lockTimeout > 0 || (f.cmd != nil && f.cmd.Flags().Changed("lock-timeout")) {
			opts = append(opts, migrate.WithLockTimeout(f.lockTimeout))
		}
		if f.allowOutOfOrder {
			opts = append(opts, migrate.WithAllowOutOfOrder(true))
		}
		opts = append(opts, migrate.WithAllowDrift(f.allowDrift), migrate.WithSkipMissingDown(f.skipMissingDown))
	}
	opts = append(opts, app.progressObserver())
	if app.Verbose {
		opts = append(opts, app.statementLog())
	}
	opts = append(opts, app.extraOptions...)
	opts = append(opts, extra...)
	p, err := t.NewProvider(fsys, opts...)
	if err != nil {
		return nil, app.prefixParse(err)
	}
	return &session{target: &connect.Target{URL: sc.URL, Password: sc.Password}, provider: p}, nil
}

// yamlTemplate is the file `strata new --yaml` writes: the configured store
// engine's operations, or an online migration for a SQL database.
func (app *App) yamlTemplate(online string) string {
	if cfg := app.config(); cfg != nil && connect.IsStore(cfg.DatabaseURL) {
		if t := engine.Template(cfg.DatabaseURL); t != "" {
			return t
		}
	}
	return online
}
