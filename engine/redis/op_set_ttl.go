package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/engine/internal/kit"
)

// setTTL gives matching keys a time to live (PEXPIRE), or removes it
// (PERSIST) when TTL is 0.
type setTTL struct {
	e     *engine
	Match string        `yaml:"match"`
	TTL   time.Duration `yaml:"ttl"`
	Batch int64         `yaml:"batch"`
}

func newSetTTL(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &setTTL{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "match", o.Match); err != nil {
		return nil, err
	}
	if o.TTL < 0 {
		return nil, r.Errorf("ttl %s is negative (0 removes the TTL)", o.TTL)
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	return o, nil
}

func (o *setTTL) Describe() []string {
	if o.TTL == 0 {
		return []string{fmt.Sprintf("remove the TTL of keys matching %q (PERSIST, SCAN COUNT %d)", o.Match, o.Batch)}
	}
	return []string{fmt.Sprintf("set a TTL of %s on keys matching %q (PEXPIRE, SCAN COUNT %d)", o.TTL, o.Match, o.Batch)}
}

// Inverse: a TTL removed cannot be given back; a TTL set is removed
// (keys that had their own TTL before lose it: give a down: list when that
// matters).
func (o *setTTL) Inverse() kit.Op {
	if o.TTL == 0 {
		return nil
	}
	inv := *o
	inv.TTL = 0
	return &inv
}

func (o *setTTL) Run(ctx context.Context, x *kit.Exec) error {
	return o.e.walk(ctx, x, o.Match, o.Batch, false, func(ctx context.Context, keys []string) (int64, error) {
		pipe := o.e.c.Pipeline()
		cmds := make([]*goredis.BoolCmd, len(keys))
		for i, k := range keys {
			if o.TTL == 0 {
				cmds[i] = pipe.Persist(ctx, k)
			} else {
				cmds[i] = pipe.PExpire(ctx, k, o.TTL)
			}
		}
		_, _ = pipe.Exec(ctx)
		var n int64
		for i, c := range cmds {
			ok, err := c.Result()
			if err != nil {
				return n, fmt.Errorf("set the TTL of %s: %w", keys[i], err)
			}
			if ok {
				n++
			}
		}
		return n, nil
	})
}
