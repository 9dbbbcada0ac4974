package mongo

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Options tune a MongoDB target. The zero value is ready to use.
type Options struct {
	// History names the history collection (default
	// strata_schema_migrations); the lock lives in HISTORY_lock.
	History string
	// LeaseTTL is how long the runner lock lives without a heartbeat
	// (default 30s).
	LeaseTTL time.Duration
	// Go are migrations written in Go against the database.
	Go []GoMigration
}

// GoMigration is a migration written in Go with the official driver.
type GoMigration struct {
	Version  int64
	Name     string
	Up, Down func(ctx context.Context, db *driver.Database) error
}

// Target is an open MongoDB database. It is safe for concurrent use.
type Target struct {
	Client *driver.Client
	DB     *driver.Database
	cfg    *connect.StoreConfig
	opts   Options
	store  *Store
	e      *engine
}

// Open connects to the database cfg names, checks that it answers and asks
// whether it supports multi-document transactions.
func Open(ctx context.Context, cfg *connect.StoreConfig, o Options) (*Target, error) {
	if cfg.Engine != connect.MongoDB {
		return nil, fmt.Errorf("open %s: not a MongoDB URL", cfg.URL)
	}
	c, err := driver.Connect(options.Client().ApplyURI(cfg.Raw()).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", cfg.URL, cfg.Scrub(err.Error()))
	}
	db := c.Database(cfg.Database)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var hello bson.M
	if err := db.RunCommand(pctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		_ = c.Disconnect(context.Background())
		return nil, &connect.ConnectError{URL: cfg.URL, Err: fmt.Errorf("%s", cfg.Scrub(err.Error()))}
	}
	_, rs := hello["setName"]
	msg, _ := hello["msg"].(string)
	if o.History == "" {
		o.History = kit.DefaultHistory
	}
	t := &Target{Client: c, DB: db, cfg: cfg, opts: o}
	t.store = &Store{hist: db.Collection(o.History), lock: db.Collection(o.History + "_lock"), what: "the runner lock of " + cfg.URL, ttl: o.LeaseTTL}
	var build bson.M
	_ = db.RunCommand(pctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&build)
	_, ferret := build["ferretdbVersion"]
	t.e = &engine{db: db, c: c, txn: rs || msg == "isdbgrid", ferret: ferret, history: o.History}
	return t, nil
}

// Close disconnects.
func (t *Target) Close() error { return t.Client.Disconnect(context.Background()) }

// Store returns the history store.
func (t *Target) Store() *Store { return t.store }

// Transactions reports whether operations run each batch in a
// multi-document transaction (the server is a replica set or a sharded
// cluster).
func (t *Target) Transactions() bool { return t.e.txn }

// NewProvider returns a provider running the migrations in fsys (and
// Options.Go) on this database.
func (t *Target) NewProvider(fsys fs.FS, opts ...migrate.Option) (*migrate.Provider, error) {
	gos := make([]kit.GoMigration, len(t.opts.Go))
	for i, g := range t.opts.Go {
		gos[i] = kit.GoMigration{Version: g.Version, Name: g.Name, GoFunc: kit.GoFunc{Up: t.bind(g.Up), Down: t.bind(g.Down)}}
	}
	return kit.NewProvider(connect.MongoDB, t.store, t.e, fsys, gos, opts)
}

func (t *Target) bind(f func(context.Context, *driver.Database) error) func(context.Context) error {
	if f == nil {
		return nil
	}
	return func(ctx context.Context) error { return f(ctx, t.DB) }
}

// Template is the file `strata new --yaml` writes for MongoDB.
const Template = `# MongoDB operations, run in order; ` + "`strata plan`" + ` shows what runs.
operations:
  - add_field:
      collection: users
      field: status
      value: active       # set only where the field is missing
`

// Template returns the file `strata new --yaml` writes for this engine.
func (t *Target) Template() string { return Template }
