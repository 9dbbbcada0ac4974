package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Store keeps history in a hash (field: version, value: the record as
// JSON) and the runner lock in the key HASH:lock, a lease taken with
// SET NX PX. Each lease gets a fencing token from the counter HASH:fence,
// and every history write checks, in the same Lua script, that the lock
// still holds this runner's token: a runner whose lease expired cannot
// write history, even if it has not noticed yet. It is safe for concurrent
// use; one runner at a time holds its lock.
type Store struct {
	c    *goredis.Client
	hash string
	what string
	ttl  time.Duration

	mu    sync.Mutex
	lease *kit.Lease
}

var (
	_ migrate.Store = (*Store)(nil)
	_ kit.Leaser    = (*Store)(nil)
)

func (s *Store) lockKey() string  { return s.hash + ":lock" }
func (s *Store) fenceKey() string { return s.hash + ":fence" }

func lockValue(l *kit.Lease) string {
	return l.Owner + "|" + strconv.FormatInt(l.Token, 10) + "|" + l.Holder
}

// Ensure implements [migrate.Store]: a hash needs no creating.
func (s *Store) Ensure(context.Context) error { return nil }

// List implements [migrate.Store].
func (s *Store) List(ctx context.Context) ([]migrate.Record, error) {
	m, err := s.c.HGetAll(ctx, s.hash).Result()
	if err != nil {
		return nil, fmt.Errorf("read history hash %s: %w", s.hash, err)
	}
	out := make([]migrate.Record, 0, len(m))
	for v, js := range m {
		var w kit.Row
		if err := json.Unmarshal([]byte(js), &w); err != nil {
			return nil, fmt.Errorf("read history hash %s, field %s: %w", s.hash, v, err)
		}
		out = append(out, w.Record())
	}
	return out, nil
}

// fenced runs a history write only while this runner's lease holds the
// lock: KEYS[1] the lock, KEYS[2] the hash, ARGV[1] the lease value.
var fenced = map[string]*goredis.Script{
	"insert": goredis.NewScript(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('STRATA_FENCED') end
return redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])`),
	"update": goredis.NewScript(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('STRATA_FENCED') end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) return 1`),
	"delete": goredis.NewScript(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('STRATA_FENCED') end
redis.call('HDEL', KEYS[2], ARGV[2]) return 1`),
}

func (s *Store) write(ctx context.Context, op string, v migrate.Version, js string) (int64, error) {
	s.mu.Lock()
	l := s.lease
	s.mu.Unlock()
	if l == nil {
		return 0, fmt.Errorf("%s history %s: the runner lock is not held", op, v)
	}
	n, err := fenced[op].Run(ctx, s.c, []string{s.lockKey(), s.hash}, lockValue(l), string(v), js).Int64()
	if err != nil && strings.Contains(err.Error(), "STRATA_FENCED") {
		return 0, fmt.Errorf("%s history %s: %w (fencing token %d no longer holds %s)", op, v, dialect.ErrLockLost, l.Token, s.lockKey())
	}
	if err != nil {
		return 0, fmt.Errorf("%s history %s in hash %s: %w", op, v, s.hash, err)
	}
	return n, nil
}

// Insert implements [migrate.Store]: HSETNX, so a version is recorded once.
func (s *Store) Insert(ctx context.Context, r migrate.Record) error {
	js, _ := json.Marshal(kit.ToRow(r))
	n, err := s.write(ctx, "insert", r.Version, string(js))
	if err == nil && n == 0 {
		err = fmt.Errorf("insert history %s: it is recorded already (another runner?)", r.Version)
	}
	return err
}

// Update implements [migrate.Store].
func (s *Store) Update(ctx context.Context, r migrate.Record) error {
	js, _ := json.Marshal(kit.ToRow(r))
	n, err := s.write(ctx, "update", r.Version, string(js))
	if err == nil && n == 0 {
		err = fmt.Errorf("update history %s: it is not recorded", r.Version)
	}
	return err
}

// Delete implements [migrate.Store].
func (s *Store) Delete(ctx context.Context, v migrate.Version) error {
	_, err := s.write(ctx, "delete", v, "")
	return err
}

// Lock implements [migrate.Locker].
func (s *Store) Lock(ctx context.Context, opts dialect.LockOptions) (dialect.Lock, error) {
	l := kit.NewLease(s.ttl)
	lk, err := kit.Acquire(ctx, s, s.what, l, opts)
	if err != nil {
		return nil, err
	}
	return lk, nil
}

var acquire = goredis.NewScript(`local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
local t = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. t .. '|' .. ARGV[2], 'PX', ARGV[3])
return {1, tostring(t)}`)

// TryAcquire implements [kit.Leaser].
func (s *Store) TryAcquire(ctx context.Context, l *kit.Lease) (bool, string, error) {
	res, err := acquire.Run(ctx, s.c, []string{s.lockKey(), s.fenceKey()}, l.Owner, l.Holder, l.TTL.Milliseconds()).Slice()
	if err != nil {
		return false, "", err
	}
	if len(res) != 2 {
		return false, "", fmt.Errorf("unexpected reply %v", res)
	}
	ok, _ := res[0].(int64)
	val, _ := res[1].(string)
	if ok != 1 {
		parts := strings.SplitN(val, "|", 3)
		return false, parts[len(parts)-1], nil
	}
	l.Token, _ = strconv.ParseInt(val, 10, 64)
	s.mu.Lock()
	s.lease = l
	s.mu.Unlock()
	return true, "", nil
}

var renew = goredis.NewScript(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`)

// Renew implements [kit.Leaser].
func (s *Store) Renew(ctx context.Context, l *kit.Lease) error {
	n, err := renew.Run(ctx, s.c, []string{s.lockKey()}, lockValue(l), l.TTL.Milliseconds()).Int64()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%s: %w", s.lockKey(), kit.ErrNotOwner)
	}
	return nil
}

var release = goredis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Release implements [kit.Leaser].
func (s *Store) Release(ctx context.Context, l *kit.Lease) error {
	s.mu.Lock()
	if s.lease == l {
		s.lease = nil
	}
	s.mu.Unlock()
	err := release.Run(ctx, s.c, []string{s.lockKey()}, lockValue(l)).Err()
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	return err
}
