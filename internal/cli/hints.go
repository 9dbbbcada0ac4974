package cli

import (
	"errors"

	"github.com/strata-db/strata/migrate"
)

// flagHint names the flag that gets past a library refusal, to say after
// its message: the library's errors carry typed fields and the next step in
// words, the CLI knows its flags.
func flagHint(err error) string {
	var nd *migrate.NoDownError
	var oo *migrate.OutOfOrderError
	switch {
	case errors.As(err, &nd):
		return " (or pass --skip-missing-down to step over it as golang-migrate and goose do)"
	case errors.As(err, &oo):
		return " (--allow-out-of-order)"
	}
	return ""
}
