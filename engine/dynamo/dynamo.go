// Package dynamo runs strata migrations on DynamoDB (and servers that
// speak its API, such as dynalite): history and the runner lock in one
// table (the lock is an item written with a condition expression, taken
// over only once expired), and declarative operations on tables, indexes,
// capacity, TTL and items.
//
//	cfg, _ := connect.ParseStore("dynamodb://127.0.0.1:8000?region=us-east-1")
//	t, err := dynamo.Open(ctx, cfg, dynamo.Options{})
//	p, err := t.NewProvider(os.DirFS("migrations"))
//
// copy_table scans the source in parallel segments and writes with
// BatchWriteItem, retrying unprocessed items with backoff; each segment's
// position is saved in the history row, so a killed copy resumes where
// each segment stopped (puts are idempotent, so a page written twice
// leaves each item once).
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Options tune a DynamoDB target. The zero value is ready to use.
type Options struct {
	// History names the history table (default strata_schema_migrations).
	History string
	// LeaseTTL is how long the runner lock lives without a heartbeat
	// (default 30s).
	LeaseTTL time.Duration
	// Go are migrations written in Go against the client.
	Go []GoMigration
	// Poll is how often waits for a table or index to become ACTIVE ask
	// (default 1s; the SDK's waiters ask every 20s).
	Poll time.Duration
}

// GoMigration is a migration written in Go with aws-sdk-go-v2.
type GoMigration struct {
	Version  int64
	Name     string
	Up, Down func(ctx context.Context, c *dynamodb.Client) error
}

// Target is an open DynamoDB endpoint. It is safe for concurrent use.
type Target struct {
	Client *dynamodb.Client
	cfg    *connect.StoreConfig
	opts   Options
	store  *Store
	e      *engine
}

// Open makes a client for the endpoint cfg names (credentials: the URL's
// user and password, else the AWS chain, else for a local endpoint
// placeholders it ignores) and checks that it answers.
func Open(ctx context.Context, cfg *connect.StoreConfig, o Options) (*Target, error) {
	if cfg.Engine != connect.DynamoDB {
		return nil, fmt.Errorf("open %s: not a DynamoDB URL", cfg.URL)
	}
	lo := []func(*config.LoadOptions) error{config.WithRegion(cfg.Region)}
	switch {
	case cfg.User != "":
		lo = append(lo, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cfg.User, cfg.Password, "")))
	case cfg.Endpoint != "":
		lo = append(lo, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	ac, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", cfg.URL, cfg.Scrub(err.Error()))
	}
	c := dynamodb.NewFromConfig(ac, func(o *dynamodb.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.ListTables(pctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}); err != nil {
		return nil, &connect.ConnectError{URL: cfg.URL, Err: errors.New(cfg.Scrub(err.Error()))}
	}
	if o.History == "" {
		o.History = kit.DefaultHistory
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	e := &engine{c: c, history: o.History, poll: o.Poll}
	t := &Target{Client: c, cfg: cfg, opts: o, e: e}
	t.store = &Store{e: e, table: o.History, what: "the runner lock of " + cfg.URL + " (table " + o.History + ")", ttl: o.LeaseTTL}
	return t, nil
}

// Close releases nothing: the client holds no connection of its own.
func (t *Target) Close() error { return nil }

// Store returns the history store.
func (t *Target) Store() *Store { return t.store }

// NewProvider returns a provider running the migrations in fsys (and
// Options.Go) on this endpoint.
func (t *Target) NewProvider(fsys fs.FS, opts ...migrate.Option) (*migrate.Provider, error) {
	gos := make([]kit.GoMigration, len(t.opts.Go))
	for i, g := range t.opts.Go {
		gos[i] = kit.GoMigration{Version: g.Version, Name: g.Name, GoFunc: kit.GoFunc{Up: t.bind(g.Up), Down: t.bind(g.Down)}}
	}
	return kit.NewProvider(connect.DynamoDB, t.store, t.e, fsys, gos, opts)
}

func (t *Target) bind(f func(context.Context, *dynamodb.Client) error) func(context.Context) error {
	if f == nil {
		return nil
	}
	return func(ctx context.Context) error { return f(ctx, t.Client) }
}

// Template is the file `strata new --yaml` writes for DynamoDB.
const Template = `# DynamoDB operations, run in order; ` + "`strata plan`" + ` shows what runs.
operations:
  - create_table:
      name: orders
      partition_key: {name: id, type: S}
      billing: pay_per_request
`

// Template returns the file `strata new --yaml` writes for this engine.
func (t *Target) Template() string { return Template }

// waitActive polls until table (and index, when named) is ACTIVE, or gone
// when gone is set, reporting progress through x.
func (e *engine) waitActive(ctx context.Context, x *kit.Exec, table, index string, gone bool) error {
	start := time.Now()
	for {
		out, err := e.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) && gone && index == "" {
			return nil
		}
		if err != nil {
			return fmt.Errorf("describe table %s: %w", table, err)
		}
		td := out.Table
		switch {
		case index == "" && !gone && td.TableStatus == types.TableStatusActive:
			return nil
		case index != "":
			var gsi *types.GlobalSecondaryIndexDescription
			for i := range td.GlobalSecondaryIndexes {
				if aws.ToString(td.GlobalSecondaryIndexes[i].IndexName) == index {
					gsi = &td.GlobalSecondaryIndexes[i]
				}
			}
			if gone && gsi == nil {
				return nil
			}
			if !gone && gsi == nil && td.TableStatus == types.TableStatusActive && time.Since(start) > 3*e.poll {
				return fmt.Errorf("table %s is ACTIVE but index %s never appeared: the server accepted the index and did not build it (dynalite ignores GSI changes in UpdateTable; DynamoDB builds them)", table, index)
			}
			if !gone && gsi != nil && gsi.IndexStatus == types.IndexStatusActive {
				return nil
			}
			if gsi != nil && x != nil {
				x.Batch(ctx, table+"."+index, aws.ToInt64(gsi.ItemCount), aws.ToInt64(td.ItemCount), time.Since(start))
			}
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(e.poll):
		}
	}
}
