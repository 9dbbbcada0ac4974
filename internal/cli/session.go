package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/transfer"
)

// session is an open database and a provider over the migration directory.
type session struct {
	target   *connect.Target
	provider *migrate.Provider
}

func (s *session) Close() {
	if s.target != nil {
		s.target.Close()
	}
}

// withSession opens a session for f, runs do with it and closes it.
func (app *App) withSession(ctx context.Context, f *runFlags, do func(s *session) error) error {
	s, err := app.open(ctx, f)
	if err != nil {
		return err
	}
	defer s.Close()
	return do(s)
}

func (app *App) logger() *slog.Logger {
	if app.Logger != nil {
		return app.Logger
	}
	// The CLI prints results and errors itself; the library's log lines
	// are for -v (and for applications that embed it).
	level := slog.LevelError + 1
	if app.Verbose {
		// Info, not debug: -v's statement lines come from statementLog,
		// which hides secrets; the runner's own debug lines do not.
		level = slog.LevelInfo
	}
	if app.JSON {
		return slog.New(slog.NewJSONHandler(app.Stderr, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewTextHandler(app.Stderr, &slog.HandlerOptions{Level: level}))
}

// open connects to the configured database and loads the migration
// directory. Malformed files fail before the database is touched.
func (app *App) open(ctx context.Context, f *runFlags, extra ...migrate.Option) (*session, error) {
	cfg := app.config()
	if cfg.DatabaseURL == "" {
		return nil, Exit(ExitUsage, errors.New("no database: pass --database URL, set STRATA_DATABASE_URL, or set database in strata.yaml"))
	}
	if connect.IsStore(cfg.DatabaseURL) {
		return app.openStore(ctx, f, extra...)
	}
	engine, err := connect.Engine(cfg.DatabaseURL)
	if err != nil {
		return nil, Exit(ExitUsage, err)
	}
	fsys, err := app.migrationFS()
	if err != nil {
		return nil, err
	}
	// Parse before connecting, so a malformed file is reported even when
	// the database is down.
	var skipped []string
	loaded, err := migrate.Load(fsys, migrate.LoadOptions{Engine: engine, OnSkip: func(file, reason string) {
		skipped = append(skipped, fmt.Sprintf("%s left out: %s", joinPath(cfg.Dir, file), reason))
	}})
	if err != nil {
		return nil, app.prefixParse(err)
	}
	dbURL, err := app.sessionURL(f)
	if err != nil {
		return nil, err
	}
	t, err := connect.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	opts, err := app.providerOptions(ctx, t, f, loaded)
	if err != nil {
		t.Close()
		return nil, err
	}
	opts = append([]migrate.Option{migrate.WithMigrations(loaded, skipped)}, opts...)
	opts = append(opts, extra...)
	p, err := migrate.NewProvider(t.DB, fsys, opts...)
	if err != nil {
		t.Close()
		return nil, app.prefixParse(err)
	}
	return &session{target: t, provider: p}, nil
}

// sessionURL is the URL a command opens: the configured one, unless it
// names a SQLite file that does not exist and the command may not create
// it.
func (app *App) sessionURL(f *runFlags) (string, error) {
	dbURL := app.config().DatabaseURL
	if f != nil && f.create {
		return dbURL, nil
	}
	err := app.requireSQLiteFile(dbURL, "")
	if err == nil {
		return dbURL, nil
	}
	if f == nil || !f.planOnly || !errors.Is(err, errNoDatabase) {
		return "", err
	}
	// Planning the first up of a new SQLite database is the usual first
	// step; plan it against an empty in-memory database so the file is
	// still not created by a command that only reads.
	fmt.Fprintf(app.Stderr, "strata: %s does not exist yet: planning for a new, empty database (`strata up` creates it)\n", dbURL)
	return "sqlite::memory:", nil
}

// providerOptions are the provider options of the configuration, of f (nil
// for commands without run flags) and of the features that observe runs.
func (app *App) providerOptions(ctx context.Context, t *connect.Target, f *runFlags, loaded []*migrate.Migration) ([]migrate.Option, error) {
	cfg := app.config()
	srv := &server{db: t.DB, d: t.Dialect}
	opts := []migrate.Option{
		migrate.WithDialect(t.Dialect),
		migrate.WithLogger(app.logger()),
		migrate.WithVars(app.lookupVar),
		migrate.WithStrataVersion(Version),
		migrate.WithDirName(cfg.Dir),
		migrate.WithLockTimeout(cfg.LockTimeout),
		migrate.WithAllowOutOfOrder(cfg.AllowOutOfOrder),
		migrate.WithAutoRollback(cfg.AutoRollback),
	}
	opts = append(opts, f.options()...)
	if table := f.tableOr(cfg.Table); table != "" {
		opts = append(opts, migrate.WithTable(table))
	}
	step, err := app.onlineRunner(ctx, srv, f, loaded)
	if err != nil {
		return nil, err
	}
	opts = append(opts, migrate.WithStepRunner(migrate.KindOnline, step), migrate.WithStepRunner(migrate.KindTransfer, &transfer.Step{}))
	opts = append(opts, app.progressObserver())
	if app.Verbose {
		opts = append(opts, app.statementLog())
	}
	if f != nil {
		gate, err := app.safetyOption(srv, f.allowUnsafe)
		if err != nil {
			return nil, err
		}
		opts = append(opts, gate)
	}
	return append(opts, app.extraOptions...), nil
}

func (app *App) prefixParse(err error) error {
	var pe *migrate.ParseError
	if errors.As(err, &pe) {
		return Exit(ExitUsage, err)
	}
	return err
}

func (app *App) migrationFS() (fs.FS, error) {
	dir := app.config().Dir
	st, err := os.Stat(dir)
	if err != nil {
		return nil, Exit(ExitUsage, fmt.Errorf("migration directory %s: %w (set --dir or STRATA_DIR; `strata new NAME` creates it)", dir, errors.Unwrap(err)))
	}
	if !st.IsDir() {
		return nil, Exit(ExitUsage, fmt.Errorf("migration directory %s is not a directory", dir))
	}
	return os.DirFS(dir), nil
}

func joinPath(dir, file string) string {
	if dir == "" || dir == "." {
		return file
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}
