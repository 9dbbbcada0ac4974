package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/engine/internal/kit"
)

// convertType changes the type of the values of matching keys: a string
// becomes a hash with one field holding it, and back.
type convertType struct {
	e     *engine
	Match string `yaml:"match"`
	From  string `yaml:"from"`
	To    string `yaml:"to"`
	Field string `yaml:"field"`
	Batch int64  `yaml:"batch"`
}

func newConvertType(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &convertType{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "match", o.Match, "from", o.From, "to", o.To, "field", o.Field); err != nil {
		return nil, err
	}
	if !(o.From == "string" && o.To == "hash" || o.From == "hash" && o.To == "string") {
		return nil, r.Errorf("from %s to %s: want from: string, to: hash, or from: hash, to: string", o.From, o.To)
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	return o, nil
}

func (o *convertType) Describe() []string {
	return []string{fmt.Sprintf("convert keys matching %q from %s to %s (field %q), each key in one Lua script (SCAN COUNT %d)", o.Match, o.From, o.To, o.Field, o.Batch)}
}

func (o *convertType) Inverse() kit.Op {
	inv := *o
	inv.From, inv.To = o.To, o.From
	return &inv
}

// convert changes one key, atomically: 1 converted, 0 not of the from
// type (converted already, or another type), -1 a hash that holds more
// than the one field.
var convert = goredis.NewScript(`local t = redis.call('TYPE', KEYS[1]).ok
if t ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ARGV[1] == 'string' then
  local v = redis.call('GET', KEYS[1])
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], ARGV[2], v)
else
  if redis.call('HLEN', KEYS[1]) ~= 1 or redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return -1 end
  local v = redis.call('HGET', KEYS[1], ARGV[2])
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[1], v)
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`)

func (o *convertType) Run(ctx context.Context, x *kit.Exec) error {
	if err := o.e.load(ctx, convert); err != nil {
		return err
	}
	return o.e.walk(ctx, x, o.Match, o.Batch, true, func(ctx context.Context, keys []string) (int64, error) {
		pipe := o.e.c.Pipeline()
		cmds := make([]*goredis.Cmd, len(keys))
		for i, k := range keys {
			cmds[i] = convert.EvalSha(ctx, pipe, []string{k}, o.From, o.Field)
		}
		_, _ = pipe.Exec(ctx)
		var n int64
		for i, c := range cmds {
			r, err := c.Int64()
			if err != nil {
				return n, fmt.Errorf("convert %s: %w", keys[i], err)
			}
			if r < 0 {
				return n, fmt.Errorf("convert %s: the hash has fields besides %q, so it cannot become a string; fix it, then run `strata up` again", keys[i], o.Field)
			}
			n += r
		}
		return n, nil
	})
}
