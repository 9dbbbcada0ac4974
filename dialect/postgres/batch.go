package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.Batcher = Dialect{}

// ExecBatch implements [dialect.Batcher] with one simple-protocol query
// holding every statement, the protocol psql -f sends each statement in:
// the server runs them in order and answers each with its own result, so
// the number of results before the error is the index of the statement
// that failed, or, for an error with a position, the statement the
// position falls in. It needs conn to be a pgx connection (pgx's stdlib;
// the driver itself is not imported here, so that embedding strata links
// only the application's driver) and PostgreSQL 13 or later.
func (Dialect) ExecBatch(ctx context.Context, conn *sql.Conn, stmts []string) (int, error) {
	if len(stmts) == 0 {
		return 0, nil
	}
	// A newline before each ";" ends a trailing -- comment first.
	var b strings.Builder
	offsets := make([]int, len(stmts)) // in characters, as the server counts positions
	chars := 0
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n;\n")
			chars += 3
		}
		offsets[i] = chars
		b.WriteString(s)
		chars += utf8.RuneCountInString(s)
	}
	done := 0
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("send a batch through a %T connection: %w", dc, errors.ErrUnsupported)
		}
		pc := c.Conn().PgConn()
		// Before PostgreSQL 13 a statement_timeout that a statement of the
		// batch sets would time the rest of the batch as one statement.
		if majorVersion(pc.ParameterStatus("server_version")) < 13 {
			return fmt.Errorf("send a batch to PostgreSQL %s: %w", pc.ParameterStatus("server_version"), errors.ErrUnsupported)
		}
		mrr := pc.Exec(ctx, b.String())
		for mrr.NextResult() {
			if _, err := mrr.ResultReader().Close(); err != nil {
				_ = mrr.Close()
				return err
			}
			done++
		}
		return mrr.Close()
	})
	if err == nil && done != len(stmts) {
		return done, fmt.Errorf("batch of %d statements returned %d results", len(stmts), done)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Position > 0 {
		// The server counts positions from the start of the whole batch,
		// which also tells which statement a syntax error is in: the
		// server parses the whole batch before it runs any of it.
		i := len(offsets) - 1
		for i > 0 && int(pe.Position) <= offsets[i] {
			i--
		}
		done = i
		pe.Position -= int32(offsets[i])
	}
	return done, err
}

// majorVersion reads the major version from server_version ("15.4
// (Debian …)"); 0 when it cannot.
func majorVersion(v string) int {
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}
