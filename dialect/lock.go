package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// TryFunc makes one attempt at a lock. It reports whether the lock was taken
// and, when it was not, who holds it (empty when unknown).
type TryFunc func(ctx context.Context) (ok bool, holder string, err error)

// Poll calls try until it succeeds, ctx ends or opts.Wait runs out, reporting
// the wait through opts.OnWait. Engines whose lock primitive cannot wait on
// its own share this loop, so every engine waits and reports the same way.
func Poll(ctx context.Context, what string, opts LockOptions, try TryFunc) error {
	start := time.Now()
	lastReport := start
	for {
		ok, holder, err := try(ctx)
		if err != nil {
			return fmt.Errorf("take %s: %w", what, err)
		}
		if ok {
			return nil
		}
		waited := time.Since(start)
		if waited >= opts.Wait {
			if holder != "" {
				return fmt.Errorf("%w: %s is held by %s; waited %s (raise --lock-timeout, or stop the other runner)", ErrLockTimeout, what, holder, waited.Round(time.Millisecond))
			}
			return fmt.Errorf("%w: %s is held by another runner; waited %s (raise --lock-timeout, or stop the other runner)", ErrLockTimeout, what, waited.Round(time.Millisecond))
		}
		if opts.OnWait != nil && time.Since(lastReport) >= WaitReportInterval {
			lastReport = time.Now()
			opts.OnWait(waited, holder)
		}
		t := time.NewTimer(PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("take %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

// ConnLock is a lock held by a dedicated connection, as PostgreSQL advisory
// locks and MySQL GET_LOCK are: the lock lives exactly as long as the
// session, so the connection is pinged and a dead one reports the lock lost.
type ConnLock struct {
	conn    *sql.Conn
	release func(ctx context.Context, c *sql.Conn) error
	lost    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	err     error
	// lastOK is when the session last answered (unix nanoseconds).
	lastOK atomic.Int64
	// pingMu keeps Held and the watcher from using the connection at once.
	pingMu sync.Mutex
}

// NewConnLock watches conn, which holds a lock that release gives back.
func NewConnLock(conn *sql.Conn, every time.Duration, release func(ctx context.Context, c *sql.Conn) error) *ConnLock {
	l := &ConnLock{conn: conn, release: release, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	l.lastOK.Store(time.Now().UnixNano())
	go l.watch(every)
	return l
}

func (l *ConnLock) watch(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), every)
			l.pingMu.Lock()
			err := l.conn.PingContext(ctx)
			l.pingMu.Unlock()
			cancel()
			if err != nil {
				close(l.lost)
				return
			}
			l.lastOK.Store(time.Now().UnixNano())
		}
	}
}

// Lost implements [Lock].
func (l *ConnLock) Lost() <-chan struct{} { return l.lost }

// Held implements [Lock]: the lock lives as long as its session, so a
// session that answered within the last heldFresh still holds it; older
// than that, it is pinged. A run of many short migrations so pays a round
// trip per heldFresh, not per migration.
func (l *ConnLock) Held(ctx context.Context) error {
	select {
	case <-l.lost:
		return ErrLockLost
	default:
	}
	if time.Since(time.Unix(0, l.lastOK.Load())) < heldFresh {
		return nil
	}
	l.pingMu.Lock()
	defer l.pingMu.Unlock()
	if err := l.conn.PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrLockLost, err)
	}
	l.lastOK.Store(time.Now().UnixNano())
	return nil
}

// heldFresh is how recent an answer from the lock's session must be for
// Held to trust it without a ping.
const heldFresh = time.Second

// Unlock implements [Lock]: it releases the lock and closes the connection.
func (l *ConnLock) Unlock(ctx context.Context) error {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		l.err = l.release(ctx, l.conn)
		if cerr := l.conn.Close(); l.err == nil && cerr != nil && cerr != sql.ErrConnDone {
			l.err = cerr
		}
	})
	return l.err
}
