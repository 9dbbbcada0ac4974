package mysql

import (
	"errors"
	"strconv"

	driver "github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect"
)

// Classify implements [dialect.Classifier] from the server's error number.
func (Dialect) Classify(err error) (dialect.Class, string) {
	if err == nil {
		return dialect.Other, ""
	}
	var me *driver.MySQLError
	if errors.As(err, &me) {
		return classOf(me.Number), strconv.Itoa(int(me.Number))
	}
	if errors.Is(err, driver.ErrInvalidConn) {
		return dialect.ConnectionLost, ""
	}
	return dialect.ClassifyCommon(err), ""
}

func classOf(n uint16) dialect.Class {
	switch n {
	case 1049, // unknown database
		1051, // unknown table
		1054, // unknown column
		1091, // can't DROP; check that it exists
		1146, // table doesn't exist
		1176, // key doesn't exist in table
		1305, // procedure/function does not exist
		1360: // trigger does not exist
		return dialect.MissingObject
	case 1205: // lock wait timeout exceeded (row locks and metadata locks)
		return dialect.LockTimeout
	case 1213, // deadlock found when trying to get lock
		1614: // transaction branch was rolled back: deadlock
		return dialect.Deadlock
	case 1062, // duplicate entry for key
		1586: // duplicate entry for key (with the key's name)
		return dialect.UniqueViolation
	case 1317, // query execution was interrupted (KILL QUERY)
		1969, // MariaDB: max_statement_time exceeded
		3024: // MySQL: max_execution_time exceeded
		return dialect.Canceled
	case 1053, // server shutdown in progress
		1927, // MariaDB: connection was killed
		4031: // MySQL: disconnected by the server because of inactivity
		return dialect.ConnectionLost
	}
	return dialect.Other
}
