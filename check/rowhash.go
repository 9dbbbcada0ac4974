package check

import (
	"context"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// The checksum's row hash is the same number on every engine it runs on:
// the first 60 bits of the MD5 of the row rendered as normalised text
// (integers in decimal, decimals without trailing zeros, text as UTF-8,
// timestamps as microseconds since the epoch in UTC, dates as YYYY-MM-DD,
// booleans as 1/0, bytes in lower-case hex, NULL as \N, columns separated
// by chr(31)). Each engine family writes that rendering with its own
// functions: a rowSQL.

// rowSQL writes the checksum's SQL for one engine family.
type rowSQL interface {
	// class classes a column type as the driver names it.
	class(dbType string) colClass
	// text renders column q (quoted) as normalised text, NULL as \N.
	text(q string, cls colClass) string
	// hash is the row hash over the rendered columns, a non-negative
	// integer.
	hash(texts []string) string
	// keyText renders a key column as text, for range boundaries.
	keyText(q string) string
	// div is integer division, spaces included.
	div() string
	// nativeHash is a cheaper row hash of the engine's own, when it has
	// one; it is only comparable between two sides with the same column
	// types.
	nativeHash(d dialect.Quoter, cols []column) (string, bool)
}

// rowSQLOf asks the side's server which engine family writes its SQL.
func rowSQLOf(ctx context.Context, s *Side) (rowSQL, error) {
	v, err := s.Dialect.ServerVersion(ctx, s.DB)
	if err != nil {
		return nil, fmt.Errorf("compare %s: %w", s.name(), err)
	}
	switch v.Flavor {
	case dialect.PostgreSQL:
		return pgRowSQL{}, nil
	case dialect.MySQL, dialect.MariaDB:
		return myRowSQL{}, nil
	}
	return nil, fmt.Errorf("compare %s: checksums run on PostgreSQL and MySQL/MariaDB, not %s", s.name(), v)
}

// rowHash is the normalised row hash of cols on rs.
func rowHash(rs rowSQL, q dialect.Quoter, cols []column) string {
	texts := make([]string, len(cols))
	for i, c := range cols {
		texts[i] = rs.text(q.Quote(c.name), c.cls)
	}
	return rs.hash(texts)
}
