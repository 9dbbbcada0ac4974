package migrate_test

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/migrate"
)

//go:embed testdata/example/*.sql
var exampleFiles embed.FS

// openExample opens a fresh SQLite database for an example.
func openExample() (*connect.Target, func()) {
	dir, err := os.MkdirTemp("", "strata-example")
	if err != nil {
		panic(err)
	}
	t, err := connect.Open(context.Background(), "sqlite:"+filepath.Join(dir, "app.db"))
	if err != nil {
		panic(err)
	}
	return t, func() { t.Close(); os.RemoveAll(dir) }
}

// An application embeds its migrations and applies them at start-up.
func ExampleNewProvider() {
	t, done := openExample()
	defer done()
	migrations, err := fs.Sub(exampleFiles, "testdata/example")
	if err != nil {
		panic(err)
	}
	p, err := migrate.NewProvider(t.DB, migrations)
	if err != nil {
		panic(err) // a *migrate.ParseError names file and line
	}
	res, err := p.Up(context.Background())
	if err != nil {
		panic(err)
	}
	for _, d := range res.Done {
		fmt.Println(d.Version, d.Name, d.State, d.Statements, "statements")
	}
	v, _ := p.Version(context.Background())
	fmt.Println("at version", v)
	// Output:
	// 1 users applied 1 statements
	// 2 users_email applied 2 statements
	// at version 2
}

// A plan is plain data: what would run, and how.
func ExampleProvider_Plan() {
	t, done := openExample()
	defer done()
	migrations, _ := fs.Sub(exampleFiles, "testdata/example")
	p, err := migrate.NewProvider(t.DB, migrations)
	if err != nil {
		panic(err)
	}
	pl, err := p.Plan(context.Background(), migrate.Request{Direction: migrate.Up})
	if err != nil {
		panic(err)
	}
	for _, st := range pl.Steps {
		fmt.Printf("%s %s: %s\n", st.Direction, st.Script.File, st.Mode)
		for _, s := range st.Script.Statements {
			fmt.Printf("  line %d: %s\n", s.Line, s.SQL)
		}
	}
	// Output:
	// up 0001_users.sql: one transaction with its history row
	//   line 2: CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)
	// up 0002_users_email.sql: one transaction with its history row
	//   line 2: CREATE UNIQUE INDEX users_email ON users (email)
	//   line 3: INSERT INTO users (email) VALUES ('ada@example.com')
}

// An observer sees every event of a run: here, each statement and each
// finished migration.
func ExampleProvider_Up() {
	t, done := openExample()
	defer done()
	migrations, _ := fs.Sub(exampleFiles, "testdata/example")
	obs := migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
		switch e.Kind {
		case migrate.EventStatementFinished:
			fmt.Printf("  %s:%d statement %d/%d\n", e.File, e.Line, e.Index, e.Statements)
		case migrate.EventMigrationFinished:
			fmt.Printf("%s %s_%s\n", e.State, e.Version, e.Name)
		}
	})
	p, err := migrate.NewProvider(t.DB, migrations, migrate.WithObserver(obs))
	if err != nil {
		panic(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		panic(err)
	}
	// Output:
	//   0001_users.sql:2 statement 1/1
	// applied 1_users
	//   0002_users_email.sql:2 statement 1/2
	//   0002_users_email.sql:3 statement 2/2
	// applied 2_users_email
}
