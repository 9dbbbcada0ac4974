package observe

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-db/strata/migrate"
)

// Sink consumes events from a [Bus]. Handle is called on the sink's own
// goroutine, one event at a time, in the order the runner reported them.
type Sink interface {
	Handle(e migrate.Event)
}

// SinkFunc adapts a function to [Sink].
type SinkFunc func(e migrate.Event)

// Handle implements [Sink].
func (f SinkFunc) Handle(e migrate.Event) { f(e) }

// DefaultBuffer is the number of events a sink may fall behind before the
// bus drops its events.
const DefaultBuffer = 4096

// BusOptions tune a [Bus].
type BusOptions struct {
	// Buffer is the events each sink may have waiting (default
	// [DefaultBuffer]).
	Buffer int
}

// Bus fans the runner's events out to sinks through bounded buffers. It
// implements [migrate.Observer]; OnEvent never blocks. Add sinks before the
// first event; a Bus is safe for concurrent use by several providers.
//
// OnEvent puts the event in the buffer of one dispatcher goroutine, which
// collects it within [DispatchEvery] and copies it into each sink's buffer
// without waiting. The dispatcher polls rather than waits on its buffer, so
// the runner never has to wake a goroutine: an event costs it one buffered
// channel send.
type Bus struct {
	buffer   int
	in       chan migrate.Event
	lost     atomic.Uint64 // events the dispatcher's own buffer had no room for
	stop     chan struct{}
	mu       sync.RWMutex
	sinks    []*sinkQueue
	closed   bool
	dispatch sync.WaitGroup
	wg       sync.WaitGroup
}

var _ migrate.Observer = (*Bus)(nil)

type sinkQueue struct {
	name    string
	sink    Sink
	ch      chan migrate.Event
	dropped atomic.Uint64
	panics  atomic.Uint64
	handled atomic.Uint64
}

// NewBus returns a bus with no sinks.
func NewBus(o BusOptions) *Bus {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	b := &Bus{buffer: o.Buffer, in: make(chan migrate.Event, o.Buffer), stop: make(chan struct{})}
	b.dispatch.Add(1)
	go b.run()
	return b
}

// DispatchEvery is how often the bus's dispatcher collects events, the
// most a sink sees an event late.
const DispatchEvery = 20 * time.Millisecond

func (b *Bus) run() {
	defer b.dispatch.Done()
	t := time.NewTicker(DispatchEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.drainIn()
		case <-b.stop:
			b.drainIn()
			return
		}
	}
}

// drainIn hands every waiting event to the sinks' buffers.
func (b *Bus) drainIn() {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for {
		select {
		case e := <-b.in:
			for _, q := range b.sinks {
				select {
				case q.ch <- e:
				default:
					q.dropped.Add(1)
				}
			}
		default:
			return
		}
	}
}

// Add starts a sink under name (used when counting its drops). It panics
// when name is taken; after Close it does nothing.
func (b *Bus) Add(name string, s Sink) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	for _, q := range b.sinks {
		if q.name == name {
			panic(fmt.Sprintf("observe: sink %q added twice", name))
		}
	}
	q := &sinkQueue{name: name, sink: s, ch: make(chan migrate.Event, b.buffer)}
	b.sinks = append(b.sinks, q)
	b.wg.Add(1)
	go b.drain(q)
}

func (b *Bus) drain(q *sinkQueue) {
	defer b.wg.Done()
	for e := range q.ch {
		q.handle(e)
	}
}

func (q *sinkQueue) handle(e migrate.Event) {
	defer func() {
		if r := recover(); r != nil {
			q.panics.Add(1)
		}
	}()
	q.sink.Handle(e)
	q.handled.Add(1)
}

// OnEvent implements [migrate.Observer]: it queues e for every sink and
// returns without waiting. A sink whose buffer is full loses e, counted in
// [Bus.Dropped].
func (b *Bus) OnEvent(_ context.Context, e migrate.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return
	}
	select {
	case b.in <- e:
	default:
		b.lost.Add(1)
	}
}

// Dropped returns, per sink name, the events lost because the sink's buffer
// was full or its Handle panicked.
func (b *Bus) Dropped() map[string]uint64 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make(map[string]uint64, len(b.sinks))
	for _, q := range b.sinks {
		out[q.name] = q.dropped.Load() + q.panics.Load() + b.lost.Load()
	}
	return out
}

// Close stops accepting events and waits until every sink has handled what
// it was given, or ctx ends. Sinks that implement Close() are then closed.
// Close is idempotent.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.stop)
	sinks := append([]*sinkQueue(nil), b.sinks...)
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.dispatch.Wait()
		for _, q := range sinks {
			close(q.ch)
		}
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("observe: sinks still draining: %w", ctx.Err())
	}
	for _, q := range sinks {
		if c, ok := q.sink.(interface{ Close() }); ok {
			c.Close()
		}
	}
	return nil
}
