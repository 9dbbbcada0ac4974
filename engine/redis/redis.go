package redis

import (
	"context"
	"crypto/tls"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Options tune a Redis target. The zero value is ready to use.
type Options struct {
	// History names the hash that holds history; the lock and fencing
	// counter use it as a prefix. Default strata_schema_migrations.
	History string
	// LeaseTTL is how long the runner lock lives without a heartbeat
	// (default 30s).
	LeaseTTL time.Duration
	// Go are migrations written in Go against the client.
	Go []GoMigration
}

// GoMigration is a migration written in Go with the go-redis client.
type GoMigration struct {
	Version  int64
	Name     string
	Up, Down func(ctx context.Context, c *goredis.Client) error
}

// Target is an open Redis database. It is safe for concurrent use.
type Target struct {
	Client *goredis.Client
	cfg    *connect.StoreConfig
	opts   Options
	store  *Store
}

// Open connects to the database cfg names and checks that it answers.
func Open(ctx context.Context, cfg *connect.StoreConfig, o Options) (*Target, error) {
	if cfg.Engine != connect.Redis {
		return nil, fmt.Errorf("open %s: not a Redis URL", cfg.URL)
	}
	db, _ := strconv.Atoi(cfg.Database)
	ro := &goredis.Options{Addr: cfg.Hosts[0], Username: cfg.User, Password: cfg.Password, DB: db}
	if cfg.TLS {
		ro.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	c := goredis.NewClient(ro)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, &connect.ConnectError{URL: cfg.URL, Err: fmt.Errorf("%s", cfg.Scrub(err.Error()))}
	}
	if o.History == "" {
		o.History = kit.DefaultHistory
	}
	t := &Target{Client: c, cfg: cfg, opts: o}
	t.store = &Store{c: c, hash: o.History, what: "the runner lock of " + cfg.URL, ttl: o.LeaseTTL}
	return t, nil
}

// Close closes the client.
func (t *Target) Close() error { return t.Client.Close() }

// Store returns the history store.
func (t *Target) Store() *Store { return t.store }

// NewProvider returns a provider running the migrations in fsys (and
// Options.Go) on this database.
func (t *Target) NewProvider(fsys fs.FS, opts ...migrate.Option) (*migrate.Provider, error) {
	gos := make([]kit.GoMigration, len(t.opts.Go))
	for i, g := range t.opts.Go {
		gos[i] = kit.GoMigration{Version: g.Version, Name: g.Name, GoFunc: kit.GoFunc{Up: t.bind(g.Up), Down: t.bind(g.Down)}}
	}
	return kit.NewProvider(connect.Redis, t.store, &engine{c: t.Client, store: t.store}, fsys, gos, opts)
}

func (t *Target) bind(f func(context.Context, *goredis.Client) error) func(context.Context) error {
	if f == nil {
		return nil
	}
	return func(ctx context.Context) error { return f(ctx, t.Client) }
}

// Template is the file `strata new --yaml` writes for Redis.
const Template = `# Redis operations: keys are walked with SCAN in batches; ` + "`strata plan`" + ` shows what runs.
operations:
  - rename_keys:
      match: "user:*"     # SCAN MATCH pattern
      from: "user:"       # prefix to replace
      to: "account:"
`

// Template returns the file `strata new --yaml` writes for this engine.
func (t *Target) Template() string { return Template }
