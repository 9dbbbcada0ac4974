package dialect

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
)

// Classifier says what a driver error means, so that callers react to a
// class instead of parsing SQLSTATEs and error numbers themselves.
type Classifier interface {
	// Classify returns err's class and the engine's raw code for it: the
	// SQLSTATE on PostgreSQL ("40P01"), the error number on MySQL
	// ("1213"), the extended result code on SQLite ("2067"); code is
	// empty when err carries none (a context error, a broken socket).
	// A nil err is [Other] with no code.
	Classify(err error) (c Class, code string)
}

// Class is what kind of failure an error is, as far as a caller must react
// to it.
type Class int

// Classes of error.
const (
	// Other is every error no other class describes.
	Other Class = iota
	// MissingObject: the table, column, index, constraint, function or
	// schema a statement names does not exist.
	MissingObject
	// LockTimeout: the statement waited for a lock longer than the
	// session's lock timeout allows (PostgreSQL lock_timeout, MySQL
	// innodb_lock_wait_timeout and lock_wait_timeout, SQLite busy_timeout)
	// and was stopped with nothing applied.
	LockTimeout
	// Deadlock: a deadlock or a serialization failure; the server rolled
	// the transaction back, and running it again may succeed.
	Deadlock
	// UniqueViolation: a row would duplicate a primary key or unique
	// constraint.
	UniqueViolation
	// ConnectionLost: the connection broke or the server ended the
	// session; whether the last statement took effect is unknown.
	ConnectionLost
	// Canceled: the statement was stopped before it finished, by the
	// caller's context, a statement timeout, or another session
	// (pg_cancel_backend, KILL QUERY).
	Canceled
)

// String returns the class's name in snake case, as logs and JSON use it.
func (c Class) String() string {
	switch c {
	case MissingObject:
		return "missing_object"
	case LockTimeout:
		return "lock_timeout"
	case Deadlock:
		return "deadlock"
	case UniqueViolation:
		return "unique_violation"
	case ConnectionLost:
		return "connection_lost"
	case Canceled:
		return "canceled"
	}
	return "other"
}

// Retryable reports whether a transaction that failed with this class may
// simply run again: a deadlock or serialization failure, or a lock timeout,
// after which nothing of the failed statement was applied. The caller
// rolls back its transaction (if the server did not) before retrying.
func (c Class) Retryable() bool { return c == Deadlock || c == LockTimeout }

// ClassifyCommon classifies what every engine's errors have in common:
// context errors are [Canceled]; a broken socket, [driver.ErrBadConn],
// [sql.ErrConnDone] and an unexpected EOF are [ConnectionLost]. Engine
// packages call it after their own codes; it returns [Other] otherwise.
func ClassifyCommon(err error) Class {
	switch {
	case err == nil:
		return Other
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Canceled
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, net.ErrClosed):
		return ConnectionLost
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return ConnectionLost
	}
	return Other
}
