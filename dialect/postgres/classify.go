package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
)

// Classify implements [dialect.Classifier] from the error's SQLSTATE.
func (Dialect) Classify(err error) (dialect.Class, string) {
	if err == nil {
		return dialect.Other, ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return classOf(pe.Code), pe.Code
	}
	if c := dialect.ClassifyCommon(err); c != dialect.Other {
		return c, ""
	}
	// pgx reports a connection that died under a statement as
	// "conn closed" or "unexpected EOF" text without a sentinel.
	if s := err.Error(); strings.Contains(s, "conn closed") || strings.Contains(s, "unexpected EOF") {
		return dialect.ConnectionLost, ""
	}
	return dialect.Other, ""
}

func classOf(code string) dialect.Class {
	switch code {
	case "42P01", // undefined_table
		"42703", // undefined_column
		"42704", // undefined_object (index, type, constraint)
		"42883", // undefined_function
		"3F000": // invalid_schema_name
		return dialect.MissingObject
	case "55P03": // lock_not_available: lock_timeout, NOWAIT
		return dialect.LockTimeout
	case "40P01", // deadlock_detected
		"40001": // serialization_failure
		return dialect.Deadlock
	case "23505": // unique_violation
		return dialect.UniqueViolation
	case "57014": // query_canceled: statement_timeout, pg_cancel_backend, a cancel request
		return dialect.Canceled
	case "57P01", // admin_shutdown: pg_terminate_backend, a shutdown
		"57P02", // crash_shutdown
		"57P03": // cannot_connect_now
		return dialect.ConnectionLost
	}
	if strings.HasPrefix(code, "08") { // connection_exception
		return dialect.ConnectionLost
	}
	return dialect.Other
}
