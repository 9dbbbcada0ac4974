package sqlite

import (
	"errors"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// coder is what modernc.org/sqlite's *Error offers; asserting the method
// keeps this package free of the driver.
type coder interface{ Code() int }

// SQLite result codes (https://sqlite.org/rescode.html).
const (
	codeError           = 1
	codeBusy            = 5
	codeLocked          = 6
	codeInterrupt       = 9
	codeConstraintPK    = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	codeConstraintUniq  = 2067 // SQLITE_CONSTRAINT_UNIQUE
	codeConstraintRowID = 2579 // SQLITE_CONSTRAINT_ROWID
)

// Classify implements [dialect.Classifier] from the extended result code.
// SQLite reports a missing object with the generic SQLITE_ERROR, so those
// are told by their message ("no such table: t").
func (Dialect) Classify(err error) (dialect.Class, string) {
	if err == nil {
		return dialect.Other, ""
	}
	var ce coder
	if errors.As(err, &ce) {
		code := ce.Code()
		return classOf(code, err.Error()), strconv.Itoa(code)
	}
	if c := dialect.ClassifyCommon(err); c != dialect.Other {
		return c, ""
	}
	return classOf(-1, err.Error()), ""
}

func classOf(code int, msg string) dialect.Class {
	switch code {
	case codeConstraintPK, codeConstraintUniq, codeConstraintRowID:
		return dialect.UniqueViolation
	}
	switch code & 0xff {
	case codeBusy, codeLocked:
		return dialect.LockTimeout
	case codeInterrupt:
		return dialect.Canceled
	}
	if code == -1 || code&0xff == codeError {
		for _, s := range []string{"no such table", "no such column", "no such index", "no such trigger", "no such view"} {
			if strings.Contains(msg, s) {
				return dialect.MissingObject
			}
		}
	}
	return dialect.Other
}
