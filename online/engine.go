package online

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
)

// An online migration asks its engine two kinds of question. What a table
// looks like (columns, keys, indexes, constraints), what the server's
// version is, how to quote, and what an error means are the dialect's
// ([dialect.Dialect]) to answer, as for every other package. What only
// online needs (which relation holds a name, what depends on a column, how
// loaded the server is, who holds a lock) is asked through engine, whose
// one implementation today is PostgreSQL's (engine_postgres.go). MySQL
// online changes add a second implementation here, beside their own DDL.

// ErrUnsupported is wrapped when an online migration is asked to run on an
// engine it does not support yet: they run on PostgreSQL only.
var ErrUnsupported = errors.New("online migrations do not support this engine yet")

// Supports reports whether online migrations run on d's engine.
func Supports(d dialect.Dialect) bool {
	_, err := engineFor(d)
	return err == nil
}

// engineFor returns what online asks of d's engine beyond the dialect.
func engineFor(d dialect.Dialect) (engine, error) {
	switch d := d.(type) {
	case postgres.Dialect:
		return pgEngine{d: d}, nil
	}
	return nil, fmt.Errorf("%w: %s (they run on PostgreSQL)", ErrUnsupported, d.Name())
}

// engine is what online asks of an engine beyond its dialect.
type engine interface {
	catalog
	server
}

// catalog reads what a change must not collide with or break: which
// relation holds a name, and what depends on a table or column.
type catalog interface {
	// relationKind names what holds name in schema ("table", "index",
	// "view", "materialized view", "sequence", "relation"), or "".
	relationKind(ctx context.Context, q dialect.Querier, schema, name string) (string, error)
	// typeKnown reports whether the server knows a column type as
	// written; when it cannot even read it, why says what is wrong.
	typeKnown(ctx context.Context, q dialect.Querier, typ string) (known bool, why string, err error)
	// tableOptions returns the storage parameters set on t.
	tableOptions(ctx context.Context, q dialect.Querier, t dialect.Table) (map[string]string, error)
	// columnUsers names the views and the other tables' foreign keys that
	// use column col of t, outside version schemas.
	columnUsers(ctx context.Context, q dialect.Querier, t dialect.Table, col string) ([]string, error)
	// inboundKeys lists the foreign keys that point at t, its own
	// self-references included.
	inboundKeys(ctx context.Context, q dialect.Querier, t dialect.Table) ([]inboundKey, error)
	// viewsOver lists the views of schema that read any of tables.
	viewsOver(ctx context.Context, q dialect.Querier, schema string, tables []dialect.Table) ([]string, error)
	// viewColumns lists the columns of a view, in order.
	viewColumns(ctx context.Context, q dialect.Querier, schema, view string) ([]string, error)
	// schemaColumns reads the columns (name and type, in table order) of
	// every table of schema at once: the shape of a schema is read before
	// each operation, and a read per table would cost a round trip per
	// table of a large schema each time.
	schemaColumns(ctx context.Context, q dialect.Querier, schema string) (map[string][]dialect.Column, error)
	// serialSequence names the sequence that fills column col of t (a
	// serial column's), quoted for SQL; "" when there is none or no t.
	serialSequence(ctx context.Context, q dialect.Querier, t dialect.Table, col string) (string, error)
	// sharedSequences names, quoted for SQL, the sequences a column of
	// owner owns that a column default of user draws from.
	sharedSequences(ctx context.Context, q dialect.Querier, owner, user dialect.Table) ([]string, error)
	// versionSchemas lists the version schemas (strata_v<version>) of the
	// database.
	versionSchemas(ctx context.Context, q dialect.Querier) ([]string, error)
}

// server reads what the server is doing and how it will take a statement.
type server interface {
	// load returns the replication lag of the slowest standby (negative
	// when the server has none) and the number of other sessions running
	// a statement.
	load(ctx context.Context, q dialect.Querier) (lag time.Duration, active int, err error)
	// blocker describes the session with the oldest open transaction that
	// holds a lock on t: the one a DDL statement waits for. A zero
	// PID when there is none, or it cannot tell.
	blocker(ctx context.Context, q dialect.Querier, t dialect.Table) LockTimeoutError
	// addsWithoutRewrite reports whether adding a column of typ with
	// default expr changes only the catalog, without rewriting the table.
	addsWithoutRewrite(ctx context.Context, db *sql.DB, typ, expr string) (bool, error)
	// backfillSettings are the statements that set a backfill's session up
	// (besides its lock timeout); with skipTriggers, strata's dual-write
	// triggers leave the rows the backfill writes alone.
	backfillSettings(skipTriggers bool) []string
	// ddlSettings are the statements that open each short transaction
	// that takes a lock the application waits for (besides its lock
	// timeout).
	ddlSettings() []string
	// flush returns once everything committed so far is durable.
	flush(ctx context.Context, db *sql.DB) error
}

// inboundKey is a foreign key that points at a table.
type inboundKey struct {
	// From is the table the key belongs to, as the engine names it
	// (schema-qualified when outside the search path).
	From string
	Name string
	// Columns are the columns of the table pointed at.
	Columns []string
	// Self is true for a key of the table pointing at itself.
	Self bool
}
