package dialect_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"testing"

	"github.com/strata-db/strata/dialect"
)

func TestClassifyCommonKnowsContextAndBrokenConnections(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want dialect.Class
	}{
		{nil, dialect.Other},
		{fmt.Errorf("exec: %w", context.Canceled), dialect.Canceled},
		{context.DeadlineExceeded, dialect.Canceled},
		{driver.ErrBadConn, dialect.ConnectionLost},
		{sql.ErrConnDone, dialect.ConnectionLost},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), dialect.ConnectionLost},
		{fmt.Errorf("syntax error"), dialect.Other},
	}
	for _, c := range cases {
		if got := dialect.ClassifyCommon(c.err); got != c.want {
			t.Errorf("ClassifyCommon(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

func TestOnlyLockFailuresAreRetryable(t *testing.T) {
	t.Parallel()
	for c := dialect.Other; c <= dialect.Canceled; c++ {
		want := c == dialect.Deadlock || c == dialect.LockTimeout
		if c.Retryable() != want {
			t.Errorf("%s.Retryable() = %v, want %v", c, c.Retryable(), want)
		}
		if c.String() == "" || (c != dialect.Other && c.String() == "other") {
			t.Errorf("class %d has no name", c)
		}
	}
}
