package kit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/strata-db/strata/dialect"
)

// ErrNotOwner is what a [Leaser] returns when a renewal or release finds
// that the lease is no longer the caller's: it expired and another runner
// took it over.
var ErrNotOwner = errors.New("the lease is held by another runner")

// DefaultLeaseTTL is how long a lease lives without a renewal. The
// heartbeat renews it every third of that.
const DefaultLeaseTTL = 30 * time.Second

// Lease is one runner's claim on a target's lock.
type Lease struct {
	// Owner is unique to the claim (random), so a runner never mistakes
	// another's lease for its own.
	Owner string
	// Holder describes the owner for people: user@host pid N.
	Holder string
	// TTL is how long the lease lives without a renewal.
	TTL time.Duration
	// Token is a fencing token some engines hand out (Redis): it grows with
	// each new lease, so a write stamped with an old one can be refused.
	Token int64
}

// Leaser is one engine's conditional writes on its lock record.
type Leaser interface {
	// TryAcquire makes one attempt: it writes the lock record when there is
	// none or the one there expired, and reports whether l now holds it;
	// when it does not, holder describes who does (empty when unknown).
	TryAcquire(ctx context.Context, l *Lease) (ok bool, holder string, err error)
	// Renew pushes the lease's expiry TTL ahead, on condition that l still
	// holds it; it returns an error matching [ErrNotOwner] when it does not.
	Renew(ctx context.Context, l *Lease) error
	// Release removes the lock record on the same condition; a lease that
	// is gone already is not an error.
	Release(ctx context.Context, l *Lease) error
}

// NewLease returns a lease for this process with a fresh owner id.
func NewLease(ttl time.Duration) *Lease {
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	who := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		who = u.Username
	}
	host, _ := os.Hostname()
	return &Lease{Owner: hex.EncodeToString(b[:]), Holder: fmt.Sprintf("%s@%s pid %d", who, host, os.Getpid()), TTL: ttl}
}

// Acquire takes the lock through lr, waiting and reporting as
// [dialect.Poll] does, and keeps it with a heartbeat until Unlock. what
// names the lock in messages ("the runner lock of mongodb://…/app").
func Acquire(ctx context.Context, lr Leaser, what string, l *Lease, opts dialect.LockOptions) (dialect.Lock, error) {
	err := dialect.Poll(ctx, what, opts, func(ctx context.Context) (bool, string, error) {
		return lr.TryAcquire(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	h := &held{lr: lr, l: l, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), renewed: time.Now()}
	go h.beat()
	return h, nil
}

// held is a lease kept alive by a heartbeat.
type held struct {
	lr   Leaser
	l    *Lease
	lost chan struct{}
	stop chan struct{}
	done chan struct{}

	mu       sync.Mutex
	renewed  time.Time // the last renewal the server accepted
	lostErr  error
	lostOnce sync.Once
	unlock   sync.Once
	err      error
}

var _ dialect.Lock = (*held)(nil)

// beat renews the lease every third of its TTL. A renewal the server
// refuses (another owner) loses the lease at once; renewals that fail for
// other reasons (a network blip) are retried until the lease would have
// expired, and then it is lost: past that point another runner may hold it.
func (h *held) beat() {
	defer close(h.done)
	every := h.l.TTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		err := h.renew(context.Background(), every)
		if err == nil {
			continue
		}
		h.mu.Lock()
		expired := time.Since(h.renewed) >= h.l.TTL-every/2
		h.mu.Unlock()
		if errors.Is(err, ErrNotOwner) || expired {
			h.lose(err)
			return
		}
	}
}

func (h *held) renew(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	if err := h.lr.Renew(ctx, h.l); err != nil {
		return err
	}
	h.mu.Lock()
	h.renewed = start
	h.mu.Unlock()
	return nil
}

func (h *held) lose(err error) {
	h.lostOnce.Do(func() {
		h.mu.Lock()
		h.lostErr = err
		h.mu.Unlock()
		close(h.lost)
	})
}

// Lost implements [dialect.Lock].
func (h *held) Lost() <-chan struct{} { return h.lost }

// Held implements [dialect.Lock]: it renews the lease, a round trip that
// proves it is still this runner's.
func (h *held) Held(ctx context.Context) error {
	select {
	case <-h.lost:
		h.mu.Lock()
		defer h.mu.Unlock()
		return fmt.Errorf("%w: %v", dialect.ErrLockLost, h.lostErr)
	default:
	}
	if err := h.renew(ctx, h.l.TTL/3); err != nil {
		if errors.Is(err, ErrNotOwner) {
			h.lose(err)
		}
		return fmt.Errorf("%w: %v", dialect.ErrLockLost, err)
	}
	return nil
}

// Unlock implements [dialect.Lock]: it stops the heartbeat and releases
// the lease. It is safe to call more than once.
func (h *held) Unlock(ctx context.Context) error {
	h.unlock.Do(func() {
		close(h.stop)
		<-h.done
		if err := h.lr.Release(ctx, h.l); err != nil && !errors.Is(err, ErrNotOwner) {
			h.err = err
		}
	})
	return h.err
}
