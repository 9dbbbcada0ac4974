package online

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Exec is what an operation's phase methods act through: the runner's
// connection and settings, the migration's state and the operation's own
// saved data. The runner creates one per phase; it is not safe for
// concurrent use.
type Exec struct {
	quoting
	r       *Runner
	d       dialect.Dialect
	eng     engine
	version string
	m       *Migration
	st      *State
	store   StateStore
	idx     int // index of the operation being run

	passes   []*pass
	contract []string // statements of the cut-over transaction (Complete)
	after    []tableStmt
	final    *shape

	lagReported time.Time // when the last replication_lag event was sent
}

type tableStmt struct{ table, stmt string }

// Schema is the schema holding the migration's tables.
func (x *Exec) Schema() string { return x.r.schema() }

// VersionSchema is the schema of views showing the new shape.
func (x *Exec) VersionSchema() string { return VersionSchema(x.version) }

// q quotes a table name of the migration's schema.
func (x *Exec) q(table string) string { return x.qualified(x.Schema(), table) }

func (x *Exec) db() *sql.DB { return x.r.DB }

// data is the saved data of the current operation, for abort.
func (x *Exec) data() map[string]string {
	o := &x.st.Ops[x.idx]
	if o.Data == nil {
		o.Data = map[string]string{}
	}
	return o.Data
}

// name builds an identifier unique to this migration and operation.
func (x *Exec) name(parts ...string) string {
	return truncName(fmt.Sprintf("_strata_v%s_%d_%s", x.version, x.idx+1, strings.Join(parts, "_")))
}

// ddl runs statements that block the application in one transaction under
// lock_timeout, retrying on timeout.
func (x *Exec) ddl(ctx context.Context, table string, stmts ...string) error {
	if err := x.execStmts(ctx, table, stmts...); err != nil {
		return wrapStmt(strings.Join(stmts, "; "), err)
	}
	x.emitStmt(table, strings.Join(stmts, "; "))
	return nil
}

// concurrent runs one statement that only takes locks the application does
// not wait for (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT).
func (x *Exec) concurrent(ctx context.Context, table, stmt string) error {
	if err := x.execConcurrent(ctx, table, stmt); err != nil {
		return wrapStmt(stmt, err)
	}
	x.emitStmt(table, stmt)
	return nil
}

// wrapStmt names the statement that failed, shortened for messages.
func wrapStmt(stmt string, err error) error {
	if _, ok := err.(*LockTimeoutError); ok {
		return err
	}
	if len(stmt) > 300 {
		stmt = stmt[:300] + "…"
	}
	return fmt.Errorf("run %q: %w", stmt, err)
}

func (x *Exec) emitStmt(table, stmt string) {
	x.r.logger().Info("statement", "version", x.version, "phase", x.st.Phase, "table", table, "sql", stmt)
	x.r.emit(Event{Kind: EventStatement, Version: x.version, Phase: x.st.Phase, Table: table, Statement: stmt})
}

// contractSQL adds statements to Complete's one cut-over transaction.
func (x *Exec) contractSQL(stmts ...string) { x.contract = append(x.contract, stmts...) }

// afterSQL adds a non-blocking statement run after the cut-over.
func (x *Exec) afterSQL(table, stmt string) { x.after = append(x.after, tableStmt{table, stmt}) }

// shapeBefore returns the new shape as it stands before the current
// operation: the catalog with the earlier operations applied.
func (x *Exec) shapeBefore(ctx context.Context) (*shape, error) {
	return x.shapeUpTo(ctx, x.idx)
}

// tableBefore returns the shape before the current operation and its
// table name, or an error when there is no such table.
func (x *Exec) tableBefore(ctx context.Context, name string) (*shape, *tableModel, error) {
	s, err := x.shapeBefore(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.mustTable(name)
	return s, t, err
}

func (x *Exec) shapeUpTo(ctx context.Context, n int) (*shape, error) {
	s, err := x.physShape(ctx)
	if err != nil {
		return nil, err
	}
	s.version = x.version
	for i := 0; i < n; i++ {
		if rs, ok := x.m.Operations[i].(reshaper); ok {
			if err := rs.reshape(s); err != nil {
				return nil, fmt.Errorf("operation %d (%s): %w", i+1, x.m.Operations[i].Kind(), err)
			}
		}
	}
	return s, nil
}

// finalShape is the new shape after every operation.
func (x *Exec) finalShape(ctx context.Context) (*shape, error) {
	if x.final != nil {
		return x.final, nil
	}
	s, err := x.shapeUpTo(ctx, len(x.m.Operations))
	if err == nil {
		x.final = s
	}
	return s, err
}

// durable makes every change of the phase durable before the phase
// reports its end: its DDL and backfill batches commit without waiting for
// the WAL flush (see the engine's ddlSettings), and without a state store
// nothing else would flush it.
func (x *Exec) durable(ctx context.Context) error {
	if err := x.eng.flush(ctx, x.db()); err != nil {
		return fmt.Errorf("flush the changes to disk: %w", err)
	}
	return nil
}

// save stores the state.
func (x *Exec) save(ctx context.Context) error {
	x.st.UpdatedAt = time.Now().UTC()
	if x.store == nil {
		return nil
	}
	if err := x.store.Save(ctx, x.st); err != nil {
		return fmt.Errorf("save online state of %s: %w", x.version, err)
	}
	return nil
}

// mark records in the operation's saved data that key is about to be done,
// so Abort knows to undo it even if the run dies right after.
func (x *Exec) mark(ctx context.Context, key string) error {
	if x.data()[key] == "1" {
		return nil
	}
	x.data()[key] = "1"
	return x.save(ctx)
}

func (x *Exec) marked(key string) bool { return x.st.Ops[x.idx].Data[key] == "1" }
