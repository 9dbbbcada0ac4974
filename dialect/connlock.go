package dialect

import (
	"context"
	"database/sql"
	"time"
)

// TakeConnLock takes a lock that lives on conn's session (PostgreSQL
// advisory locks, MySQL GET_LOCK): try makes one attempt without waiting,
// repeated as [Poll] does, with the holder named by w's LockHeld on t while
// it fails. release gives the lock back. conn is closed when the lock is
// not taken; otherwise the returned [ConnLock] owns it.
func TakeConnLock(ctx context.Context, conn *sql.Conn, what string, opts LockOptions, w Watcher, t Table,
	try func(ctx context.Context, conn *sql.Conn) (bool, error), release func(ctx context.Context, c *sql.Conn) error) (Lock, error) {
	err := Poll(ctx, what, opts, func(ctx context.Context) (bool, string, error) {
		ok, err := try(ctx, conn)
		if err != nil || ok {
			return ok, "", err
		}
		// Best effort: the holder only makes the wait's message clearer.
		_, holder, _ := w.LockHeld(ctx, conn, t)
		return false, holder, nil
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return NewConnLock(conn, connLockPing, release), nil
}

// connLockPing is how often a ConnLock's session is pinged.
const connLockPing = 5 * time.Second
