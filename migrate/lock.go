package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

// withLock runs fn holding the runner lock, with the history created if
// missing and its records as they are under the lock; fn's context is
// cancelled if the lock is lost. fn gets the one connection every migration
// of the run uses, so that session settings a file makes (SET search_path)
// carry to the files after it, as they do with golang-migrate and goose.
func (p *Provider) withLock(ctx context.Context, res *Result, fn func(ctx context.Context, conn *sql.Conn, recs []Record) error) error {
	if err := p.resolve(ctx); err != nil {
		return err
	}
	start := time.Now()
	lk, err := p.store.Lock(ctx, dialect.LockOptions{
		Wait: p.o.lockWait,
		OnWait: func(waited time.Duration, holder string) {
			msg := fmt.Sprintf("waiting for the runner lock (%s so far)", waited.Round(time.Second))
			if holder != "" {
				msg += "; held by " + holder
			}
			p.o.logger.Info(msg)
			p.emit(ctx, Event{Kind: EventLockWaiting, Duration: waited, Message: msg})
		},
	})
	if err != nil {
		return err
	}
	res.LockWait = time.Since(start)
	p.emit(ctx, Event{Kind: EventLockAcquired, Duration: res.LockWait})
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-lk.Lost():
			p.emit(ctx, Event{Kind: EventLockLost, Message: "runner lock lost"})
			cancel(errLockLost)
		case <-stop:
		}
	}()
	err = p.underLock(context.WithValue(runCtx, lockKey{}, lk), fn)
	if cause := context.Cause(runCtx); errors.Is(cause, errLockLost) && err != nil && !errors.Is(err, errLockLost) {
		err = fmt.Errorf("%w: %w", errLockLost, err)
	}
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer ucancel()
	if uerr := lk.Unlock(uctx); uerr != nil {
		p.o.logger.Warn("release the runner lock", "error", uerr)
	}
	p.emit(ctx, Event{Kind: EventLockReleased})
	return err
}

// underLock opens the run's connection, makes sure history exists, reads
// it and runs fn.
func (p *Provider) underLock(ctx context.Context, fn func(ctx context.Context, conn *sql.Conn, recs []Record) error) error {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open a connection for the run: %w", err)
	}
	defer p.releaseConn(conn)
	st := p.storeOn(conn)
	if err := st.Ensure(ctx); err != nil {
		return err
	}
	recs, err := st.List(ctx)
	if err != nil {
		return err
	}
	sortRecords(recs)
	return fn(ctx, conn, recs)
}

var errLockLost = dialect.ErrLockLost

// lockKey carries the held lock in the run's context, so each step can check
// it is still held before it starts.
type lockKey struct{}

// lockHeld checks, before a step starts, that the run still holds its lock.
func lockHeld(ctx context.Context) error {
	if lk, ok := ctx.Value(lockKey{}).(dialect.Lock); ok {
		return lk.Held(ctx)
	}
	return nil
}
