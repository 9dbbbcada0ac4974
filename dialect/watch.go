package dialect

import (
	"context"
	"database/sql"
	"fmt"
)

// Watcher sees from another session, without taking or waiting for
// anything, what a runner is doing: whether it holds the runner's lock,
// and whether a table it creates exists yet. An application's guard asks
// both once per interval, so each question is also given as a SQL
// expression that shares one query with others.
type Watcher interface {
	// LockHeld reports whether a runner holds the lock of history table t
	// ([Dialect.Lock]) and, when it does, who: a description for people
	// (a PostgreSQL pid with its user and application, a MySQL connection
	// id, a SQLite lease's owner), never empty while held. It never takes
	// the lock, and a database no runner ever locked answers false.
	LockHeld(ctx context.Context, q Querier, t Table) (held bool, holder string, err error)
	// LockHeldSQL returns LockHeld's question as one SQL expression, its
	// values written as literals, for the select list of a larger query:
	// the holder's description (text) while a runner holds the lock, NULL
	// while none does. ok is false when the engine cannot ask it in an
	// expression that never fails (SQLite keeps its lease in a table that
	// exists only once a runner has locked); a caller then calls LockHeld.
	LockHeldSQL(t Table) (expr string, ok bool)
	// TableExistsSQL returns a SQL expression, its values written as
	// literals, that is true (1 on MySQL and SQLite) when a table or view
	// t exists and false otherwise, without the error that reading a
	// missing table gives. An empty schema means the connection's default.
	TableExistsSQL(t Table) string
}

// TableExists asks, in one query, whether table (or view) t exists.
func TableExists(ctx context.Context, q Querier, w Watcher, t Table) (bool, error) {
	var ok bool
	if err := q.QueryRowContext(ctx, "SELECT "+w.TableExistsSQL(t)).Scan(&ok); err != nil {
		return false, fmt.Errorf("look for table %s: %w", t, err)
	}
	return ok, nil
}

// LockHeldBySQL answers [Watcher.LockHeld] by running w's LockHeldSQL: the
// whole of LockHeld for an engine whose expression never fails.
func LockHeldBySQL(ctx context.Context, q Querier, w Watcher, t Table) (bool, string, error) {
	expr, ok := w.LockHeldSQL(t)
	if !ok {
		return false, "", fmt.Errorf("look for the lock of %s: the engine has no SQL for it", t)
	}
	var holder sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT "+expr).Scan(&holder); err != nil {
		return false, "", fmt.Errorf("look for the lock of %s: %w", t, err)
	}
	return holder.Valid, holder.String, nil
}
