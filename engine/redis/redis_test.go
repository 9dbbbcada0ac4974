package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/engine/internal/storetest"
	"github.com/strata-db/strata/engine/redis"
	"github.com/strata-db/strata/internal/testenv"
	"github.com/strata-db/strata/migrate"
)

func open(t *testing.T, url string, o redis.Options) *redis.Target {
	t.Helper()
	cfg, err := connect.ParseStore(url)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := redis.Open(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func TestStoreConformance(t *testing.T) {
	url := testenv.Redis(t)
	storetest.Run(t, func(t *testing.T, name string, ttl time.Duration) migrate.Store {
		return open(t, url, redis.Options{History: "h_" + name, LeaseTTL: ttl}).Store()
	})
}

func TestLostLeaseFencesHistoryWrites(t *testing.T) {
	url := testenv.Redis(t)
	ttl := 600 * time.Millisecond
	tg := open(t, url, redis.Options{LeaseTTL: ttl})
	s := tg.Store()
	storetest.Steal(t, s, ttl, func(ctx context.Context) error {
		return tg.Client.Set(ctx, "strata_schema_migrations:lock", "other|99|someone else", 0).Err()
	})
	err := s.Insert(context.Background(), migrate.Record{Version: "1", Name: "x", State: migrate.StateRunning})
	if !errors.Is(err, dialect.ErrLockLost) {
		t.Fatalf("Insert after the lease was taken over = %v, want ErrLockLost", err)
	}
}

func seed(t *testing.T, c *goredis.Client, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i += 1000 {
		pipe := c.Pipeline()
		for j := i; j < min(i+1000, n); j++ {
			pipe.Set(ctx, prefix+strconv.Itoa(j), "v"+strconv.Itoa(j), 0)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

const renameDoc = `operations:
  - rename_keys: {match: "user:*", from: "user:", to: "account:", batch: 100}
  - convert_type: {match: "account:*", from: string, to: hash, field: data, batch: 100}
  - set_ttl: {match: "account:*", ttl: 1h}
`

func TestUpStatusDownRestoresEveryKey(t *testing.T) {
	url := testenv.Redis(t)
	tg := open(t, url, redis.Options{})
	ctx := context.Background()
	seed(t, tg.Client, "user:", 1500)
	fsys := fstest.MapFS{"0001_accounts.yaml": {Data: []byte(renameDoc)}}
	p, err := tg.NewProvider(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 777, 1499} {
		k := "account:" + strconv.Itoa(i)
		v, err := tg.Client.HGet(ctx, k, "data").Result()
		if err != nil || v != "v"+strconv.Itoa(i) {
			t.Fatalf("HGET %s data = %q, %v", k, v, err)
		}
		if ttl := tg.Client.PTTL(ctx, k).Val(); ttl <= 0 {
			t.Fatalf("%s has no TTL", k)
		}
	}
	if n := countKeys(t, tg.Client, "user:*"); n != 0 {
		t.Fatalf("%d user:* keys left", n)
	}
	sts, err := p.Status(ctx)
	if err != nil || len(sts) != 1 || sts[0].State != migrate.StateApplied {
		t.Fatalf("status = %+v, %v", sts, err)
	}
	if _, err := p.DownTo(ctx, "0"); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, tg.Client, "user:*"); n != 1500 {
		t.Fatalf("after down: %d user:* keys, want 1500", n)
	}
	if v := tg.Client.Get(ctx, "user:42").Val(); v != "v42" {
		t.Fatalf("user:42 = %q after down", v)
	}
	if ttl := tg.Client.PTTL(ctx, "user:42").Val(); ttl != -1 {
		t.Fatalf("user:42 kept a TTL (%v) after down", ttl)
	}
}

func countKeys(t *testing.T, c *goredis.Client, pattern string) int {
	t.Helper()
	n := 0
	iter := c.Scan(context.Background(), 0, pattern, 1000).Iterator()
	for iter.Next(context.Background()) {
		n++
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// A run stopped part-way (here: cancelled after a few batches, as a kill
// or a lost lease would stop it) is recorded as failed with its SCAN
// cursor, and the next up resumes and finishes it: every key renamed once.
func TestStoppedRunResumesFromItsCursor(t *testing.T) {
	url := testenv.Redis(t)
	tg := open(t, url, redis.Options{})
	seed(t, tg.Client, "user:", 3000)
	ctx, cancel := context.WithCancel(context.Background())
	var batches atomic.Int32
	fsys := fstest.MapFS{"0001_rename.yaml": {Data: []byte(`operations:
  - rename_keys: {match: "user:*", from: "user:", to: "account:", batch: 100}
`)}}
	p, err := tg.NewProvider(fsys, migrate.WithObserver(migrate.ObserverFunc(func(_ context.Context, e migrate.Event) {
		if e.Kind == migrate.EventBatchDone && batches.Add(1) == 5 {
			cancel()
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	sts, _ := p.Status(context.Background())
	if sts[0].State != migrate.StateFailed || !strings.Contains(string(sts[0].Progress), `"cursor"`) {
		t.Fatalf("status after the stop = %s %s, want failed with a cursor", sts[0].State, sts[0].Progress)
	}
	moved := countKeys(t, tg.Client, "account:*")
	if moved == 0 || moved == 3000 {
		t.Fatalf("%d keys moved before the stop; the test wants a stop part-way", moved)
	}
	p2, err := tg.NewProvider(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, u := countKeys(t, tg.Client, "account:*"), countKeys(t, tg.Client, "user:*"); a != 3000 || u != 0 {
		t.Fatalf("after resume: %d account:*, %d user:*", a, u)
	}
}

// The judged scenario: 100,000 keys renamed by pattern while another client
// keeps writing (other keys, and keys under the new names): every key ends
// under its new name with its value, and the writer's keys are intact.
func TestRenameWhileAnotherClientWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 keys")
	}
	url := testenv.Redis(t)
	tg := open(t, url, redis.Options{})
	const n = 100_000
	seed(t, tg.Client, "user:", n)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var writes atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			pipe := tg.Client.Pipeline()
			pipe.Set(ctx, "other:"+strconv.Itoa(i), "x", 0)
			pipe.Incr(ctx, "counter")
			if _, err := pipe.Exec(ctx); err == nil {
				writes.Add(1)
			}
		}
	}()
	fsys := fstest.MapFS{"0001_rename.yaml": {Data: []byte(`operations:
  - rename_keys: {match: "user:*", from: "user:", to: "account:"}
`)}}
	p, err := tg.NewProvider(fsys)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(context.Background())
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if a, u := countKeys(t, tg.Client, "account:*"), countKeys(t, tg.Client, "user:*"); a != n || u != 0 {
		t.Fatalf("%d account:* and %d user:* keys, want %d and 0", a, u, n)
	}
	for _, i := range []int{0, 4242, n - 1} {
		if v := tg.Client.Get(context.Background(), fmt.Sprintf("account:%d", i)).Val(); v != "v"+strconv.Itoa(i) {
			t.Fatalf("account:%d = %q", i, v)
		}
	}
	if got := tg.Client.Get(context.Background(), "counter").Val(); got != strconv.FormatInt(writes.Load(), 10) || writes.Load() == 0 {
		t.Fatalf("the writer's counter is %s after %d writes", got, writes.Load())
	}
}

func TestBadInputNamesFileLineAndOperation(t *testing.T) {
	url := testenv.Redis(t)
	tg := open(t, url, redis.Options{})
	for _, tc := range []struct{ doc, want string }{
		{"operations:\n  - rename_fields: {match: a}\n", "0001_x.yaml:2: rename_fields: unknown operation for Redis"},
		{"operations:\n  - rename_keys: {match: \"a*\", from: b, to: c}\n", `must start with from "b"`},
		{"operations:\n  - set_ttl: {match: \"a*\", tll: 1h}\n", `unknown field "tll"`},
	} {
		_, err := tg.NewProvider(fstest.MapFS{"0001_x.yaml": {Data: []byte(tc.doc)}})
		var pe migrate.ParseErrors
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewProvider(%q) = %v, want a parse error containing %q", tc.doc, err, tc.want)
		}
	}
	_, err := tg.NewProvider(fstest.MapFS{"0001_x.sql": {Data: []byte("SELECT 1;")}})
	if err == nil || !strings.Contains(err.Error(), "a SQL migration cannot run on redis") {
		t.Errorf("a SQL file: %v", err)
	}
}
