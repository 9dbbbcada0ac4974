// Package engine opens the targets that are not SQL databases — MongoDB,
// Redis, DynamoDB and Cassandra (Elasticsearch/OpenSearch URLs parse but
// have no runner yet) — from a URL, and gives each a migration provider on the same
// runner as SQL: history, lock, checksums, plans, progress, status.
//
//	t, err := engine.Open(ctx, "mongodb://127.0.0.1:27017/app", engine.Options{})
//	if err != nil { … }
//	defer t.Close()
//	p, err := t.NewProvider(os.DirFS("migrations"))
//	res, err := p.Up(ctx)
//
// Each engine's package (engine/mongo, engine/redis) documents its
// operations and can be used directly, with Go migrations written against
// its official client.
package engine

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/engine/cassandra"
	"github.com/strata-db/strata/engine/dynamo"
	"github.com/strata-db/strata/engine/mongo"
	"github.com/strata-db/strata/engine/redis"
	"github.com/strata-db/strata/migrate"
)

// Options tune every engine's target.
type Options struct {
	// History names the collection, hash, table or index that holds
	// history (default strata_schema_migrations).
	History string
	// LeaseTTL is how long the runner lock lives without a heartbeat
	// (default 30s).
	LeaseTTL time.Duration
}

// Target is an open store engine.
type Target interface {
	// NewProvider returns a provider running the migrations in fsys.
	NewProvider(fsys fs.FS, opts ...migrate.Option) (*migrate.Provider, error)
	// Template is the file `strata new --yaml` writes for the engine.
	Template() string
	Close() error
}

// ErrUnsupported is returned (wrapped) for an engine whose URL parses but
// that this build cannot run migrations on.
var ErrUnsupported = fmt.Errorf("no migration runner for this engine")

// Open connects to the store engine rawURL names ([connect.IsStore]). A
// malformed URL is a *connect.URLError; a server that does not answer a
// *connect.ConnectError.
func Open(ctx context.Context, rawURL string, o Options) (Target, *connect.StoreConfig, error) {
	cfg, err := connect.ParseStore(rawURL)
	if err != nil {
		return nil, nil, err
	}
	var t Target
	switch cfg.Engine {
	case connect.MongoDB:
		t, err = mongo.Open(ctx, cfg, mongo.Options{History: o.History, LeaseTTL: o.LeaseTTL})
	case connect.Redis:
		t, err = redis.Open(ctx, cfg, redis.Options{History: o.History, LeaseTTL: o.LeaseTTL})
	case connect.DynamoDB:
		t, err = dynamo.Open(ctx, cfg, dynamo.Options{History: o.History, LeaseTTL: o.LeaseTTL})
	case connect.Cassandra:
		t, err = cassandra.Open(ctx, cfg, cassandra.Options{History: o.History, LeaseTTL: o.LeaseTTL})
	default:
		return nil, cfg, fmt.Errorf("%s: %w (%s)", cfg.URL, ErrUnsupported, cfg.Engine)
	}
	return t, cfg, err
}

// Template returns the `strata new --yaml` file for the engine rawURL
// names, or "" when it names none.
func Template(rawURL string) string {
	cfg, err := connect.ParseStore(rawURL)
	if err != nil {
		return ""
	}
	switch cfg.Engine {
	case connect.MongoDB:
		return mongo.Template
	case connect.Redis:
		return redis.Template
	case connect.DynamoDB:
		return dynamo.Template
	case connect.Cassandra:
		return cassandra.Template
	}
	return ""
}
