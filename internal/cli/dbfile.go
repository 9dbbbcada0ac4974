package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/strata-db/strata/connect"
)

// requireSQLiteFile refuses a SQLite URL whose file does not exist. SQLite
// creates a missing file on open, so without this check a typo in
// --database gives a read-only command (status, verify) an empty database
// and a wrong answer. Only up and a transfer's target may create the
// file. Other engines and in-memory databases pass.
func (app *App) requireSQLiteFile(rawURL, what string) error {
	path, ok := connect.LocalFile(rawURL)
	if !ok {
		return nil
	}
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	cmd := "this command"
	if name := app.running.Load(); name != nil {
		cmd = "strata " + *name
	}
	return Exit(ExitUsage, &noDatabaseError{fmt.Sprintf("%sSQLite file %s does not exist, and %s only reads, so it does not create one: check the path (`strata up` creates the database)",
		what, path, cmd)})
}

// noDatabaseError is a SQLite file that does not exist; it matches
// errNoDatabase.
type noDatabaseError struct{ msg string }

func (e *noDatabaseError) Error() string        { return e.msg }
func (e *noDatabaseError) Is(target error) bool { return target == errNoDatabase }
