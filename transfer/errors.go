package transfer

import (
	"errors"

	"github.com/strata-db/strata/migrate"
)

// SpecError is a mistake in a spec file, with its position: strata's one
// position-carrying error, [migrate.ParseError].
type SpecError = migrate.ParseError

// ErrInterrupted is returned when checkpoints of an earlier run exist and
// neither resume nor restart was asked for.
var ErrInterrupted = errors.New("an earlier run of this transfer did not finish")

// ErrTooManyErrors is returned (wrapped) when quarantined rows exceed max_errors.
var ErrTooManyErrors = errors.New("too many bad rows")

// ErrOrphans is returned (wrapped) for a row whose reference has no parent
// when references: orphans: is fail.
var ErrOrphans = errors.New("orphan rows")

// ErrVerify is returned (wrapped) when the target does not match the source.
var ErrVerify = errors.New("verify failed")
