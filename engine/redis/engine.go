package redis

import (
	"context"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/engine/internal/kit"
)

// engine is Redis as the shared step runner sees it.
type engine struct {
	c     *goredis.Client
	store *Store
}

var _ kit.Engine = (*engine)(nil)

func (e *engine) Name() string { return "redis" }

func (e *engine) Mode() string {
	return "SCAN in batches, pipelined; each key changed atomically (RENAMENX, or a Lua script that checks its type); the SCAN cursor is saved after every batch"
}

// Exists reports whether any key matches the pattern. Redis has no
// schema, so no operation needs a pattern to match: a migration that
// renames keys runs on an empty database too.
func (e *engine) Exists(ctx context.Context, pattern string) (bool, error) {
	var cursor uint64
	for {
		keys, next, err := e.c.Scan(ctx, cursor, pattern, 1000).Result()
		if err != nil {
			return false, err
		}
		if len(keys) > 0 {
			return true, nil
		}
		if cursor = next; cursor == 0 {
			return false, nil
		}
	}
}

func (e *engine) Op(r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	switch r.Name {
	case "rename_keys":
		return newRenameKeys(e, r)
	case "convert_type":
		return newConvertType(e, r)
	case "set_ttl":
		return newSetTTL(e, r)
	case "delete_keys":
		return newDeleteKeys(e, r)
	}
	return nil, r.Errorf("unknown operation for Redis (want rename_keys, convert_type, set_ttl, delete_keys)")
}

// scanState is the checkpoint of a walk over a key pattern.
type scanState struct {
	Pass    int    `json:"pass"`
	Cursor  uint64 `json:"cursor"`
	Changed int64  `json:"changed"` // keys changed in this pass
	Done    int64  `json:"done"`    // keys changed in every pass
}

// maxPasses bounds how often a walk starts again because the last pass
// changed keys: more than that means a client keeps writing keys that
// match.
const maxPasses = 10

// walk calls fn on each batch of keys matching pattern (SCAN MATCH COUNT
// batch), saving the cursor after every batch. With again, a pass that
// changed keys is followed by another, until one changes none: keys
// written under the pattern during a pass are picked up.
func (e *engine) walk(ctx context.Context, x *kit.Exec, pattern string, batch int64, again bool, fn func(ctx context.Context, keys []string) (int64, error)) error {
	var st scanState
	if _, err := x.Resume(&st); err != nil {
		return err
	}
	for {
		t0 := time.Now()
		keys, next, err := e.c.Scan(ctx, st.Cursor, pattern, batch).Result()
		if err != nil {
			return fmt.Errorf("scan %q: %w", pattern, err)
		}
		keys = e.notHistory(keys)
		if len(keys) > 0 {
			n, err := fn(ctx, keys)
			st.Changed += n
			st.Done += n
			if err != nil {
				_ = x.Checkpoint(ctx, st, st.Done)
				return err
			}
		}
		st.Cursor = next
		if next == 0 {
			if !again || st.Changed == 0 {
				return x.Checkpoint(ctx, st, st.Done)
			}
			if st.Pass+1 >= maxPasses {
				return fmt.Errorf("keys matching %q keep appearing (%d passes changed keys; the last changed %d): a client still writes them; move it to the new shape, then run `strata up` again", pattern, maxPasses, st.Changed)
			}
			st.Pass, st.Changed = st.Pass+1, 0
		}
		if err := x.Checkpoint(ctx, st, st.Done); err != nil {
			return err
		}
		x.Batch(ctx, pattern, st.Done, 0, time.Since(t0))
	}
}

// load makes sure s is in the server's script cache, so batches can send
// EVALSHA in a pipeline.
func (e *engine) load(ctx context.Context, s *goredis.Script) error {
	return s.Load(ctx, e.c).Err()
}

// notHistory leaves strata's own keys (history, lock, fencing counter) out
// of a batch, whatever the pattern.
func (e *engine) notHistory(keys []string) []string {
	out := keys[:0]
	for _, k := range keys {
		if k != e.store.hash && !strings.HasPrefix(k, e.store.hash+":") {
			out = append(out, k)
		}
	}
	return out
}
