// Command library runs strata as a Go library (docs/library.md): migrations
// embedded in the binary, a migration written in Go beside the SQL files,
// an observer, and the errors a caller branches on.
//
//	go run ./examples/library                       # sqlite:library.db
//	DATABASE_URL=postgres://... go run ./examples/library
package main

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"os"
	"strings"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
	"github.com/strata-db/strata/transfer"
)

//go:embed migrations/*.sql
var migrations embed.FS

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "sqlite:library.db"
	}
	if err := run(context.Background(), url, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// fillNames is migration 3, in Go: it runs in the transaction that records
// it, so a failure leaves nothing behind.
func fillNames(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE users SET name = replace(email, '@example.com', '') WHERE name IS NULL")
	return err
}

func clearNames(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE users SET name = NULL")
	return err
}

func run(ctx context.Context, url string, out io.Writer) error {
	// connect.Open picks the driver and dialect from the URL; with
	// sql.Open yourself, pass migrate.WithDialect or let NewProvider
	// detect it from the driver.
	target, err := connect.Open(ctx, url)
	if err != nil {
		return err // the URL's password is never in the message
	}
	defer target.Close()

	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	engine := target.Dialect.Name()
	checker, err := check.New(target.Dialect) // runs VERSION_name.checks.yaml files
	if err != nil {
		return err
	}
	opts := []migrate.Option{
		migrate.WithDialect(target.Dialect),
		migrate.WithGoMigrations(migrate.GoMigration{Version: 3, Name: "fill_names", Up: fillNames, Down: clearNames}),
		migrate.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		migrate.WithObserver(migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
			// Called on the runner's goroutine: be quick.
			if e.Kind == migrate.EventMigrationFinished {
				fmt.Fprintf(out, "%s %s_%s in %s\n", e.Direction, e.Version, e.Name, e.Duration.Round(1e6))
			}
		})),
		migrate.WithChecker(checker),
		migrate.WithStepRunner(migrate.KindTransfer, &transfer.Step{}), // YAML files with transfer:
	}
	if engine == "postgres" {
		opts = append(opts, migrate.WithStepRunner(migrate.KindOnline, &online.Step{})) // YAML files with operations:
	}
	p, err := migrate.NewProvider(target.DB, dir, opts...)
	var perrs migrate.ParseErrors
	if errors.As(err, &perrs) {
		for _, pe := range perrs {
			fmt.Fprintf(out, "%s:%d: %s\n", pe.File, pe.Line, pe.Msg)
		}
		return err
	}
	if err != nil {
		return err
	}

	res, err := p.Up(ctx)
	var merr *migrate.MigrationError
	switch {
	case errors.Is(err, migrate.ErrDrift), errors.Is(err, migrate.ErrDirty), errors.Is(err, migrate.ErrOutOfOrder):
		return fmt.Errorf("refused, nothing ran: %w", err)
	case errors.As(err, &merr):
		// Outcome says what was applied, undone or left, and what to run next.
		return fmt.Errorf("migration %s failed: %v\n%s", merr.Version, merr.Err, merr.Outcome)
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "%d applied\n", len(res.Done))

	statuses, err := p.Status(ctx)
	if err != nil {
		return err
	}
	for _, st := range statuses {
		fmt.Fprintf(out, "%s %s %s\n", st.Version, st.Name, st.State)
	}
	var names []string
	rows, err := target.DB.QueryContext(ctx, "SELECT name FROM users ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		names = append(names, n)
	}
	fmt.Fprintf(out, "names: %s\n", strings.Join(names, ", "))
	return rows.Err()
}
