package check

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// Side is one side of a [Compare]: a table or a query on one database.
type Side struct {
	// DB runs the queries. When it is a *sql.DB, several run at once.
	DB Querier
	// Dialect is the database's engine (PostgreSQL or MySQL/MariaDB).
	Dialect dialect.Dialect
	// Table (optionally schema.table) or Query (a SELECT) is compared.
	Table string
	Query string
	// Label names the side in messages (default: the table or "query").
	Label string
}

func (s *Side) name() string {
	switch {
	case s.Label != "":
		return s.Label
	case s.Table != "":
		return s.Table
	}
	return "(" + oneLine(s.Query) + ")"
}

// resolve checks the side.
func (s *Side) resolve() error {
	if (s.Table == "") == (s.Query == "") {
		return errors.New("compare: a side needs a table or a query")
	}
	if s.Dialect == nil {
		return fmt.Errorf("compare %s: the side has no Dialect", s.name())
	}
	return nil
}

// from is what the side's queries read: the quoted table, or the query as
// a derived table.
func (s *Side) from() string {
	if s.Table != "" {
		return tableOf(s.Table).Qualified(s.Dialect)
	}
	return "(" + strings.TrimRight(strings.TrimSpace(s.Query), ";") + ") " + s.Dialect.Quote("strata_src")
}

func (s *Side) concurrent() bool { _, ok := s.DB.(*sql.DB); return ok }

// tableOf reads a table name as checks files and commands write it:
// schema.table, or table alone for the connection's default schema.
func tableOf(name string) dialect.Table {
	if schema, table, ok := strings.Cut(name, "."); ok {
		return dialect.Table{Schema: schema, Name: table}
	}
	return dialect.Table{Name: name}
}
