package redis

import (
	"context"
	"fmt"

	"github.com/strata-db/strata/engine/internal/kit"
)

// deleteKeys removes matching keys (UNLINK). It cannot be undone.
type deleteKeys struct {
	e     *engine
	Match string `yaml:"match"`
	Batch int64  `yaml:"batch"`
}

func newDeleteKeys(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &deleteKeys{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "match", o.Match); err != nil {
		return nil, err
	}
	if o.Match == "*" {
		return nil, r.Errorf(`match "*" would delete every key, history included; name a pattern`)
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	return o, nil
}

func (o *deleteKeys) Describe() []string {
	return []string{fmt.Sprintf("delete keys matching %q (UNLINK, SCAN COUNT %d); cannot be undone", o.Match, o.Batch)}
}

func (o *deleteKeys) Run(ctx context.Context, x *kit.Exec) error {
	return o.e.walk(ctx, x, o.Match, o.Batch, true, func(ctx context.Context, keys []string) (int64, error) {
		n, err := o.e.c.Unlink(ctx, keys...).Result()
		if err != nil {
			return 0, fmt.Errorf("delete %d keys: %w", len(keys), err)
		}
		return n, nil
	})
}
