// Package cassandra runs strata migrations on Apache Cassandra (and
// ScyllaDB): history in a table of the keyspace, the runner lock as a
// lightweight transaction (INSERT … IF NOT EXISTS USING TTL, renewed with
// UPDATE … IF owner = …), and schema operations that wait for schema
// agreement after each statement.
//
// No Cassandra server runs where strata is developed: the generated CQL is
// unit-tested as text, and the integration tests run only when
// STRATA_TEST_CASSANDRA names a server (cassandra://127.0.0.1:9042/ks).
//
//	cfg, _ := connect.ParseStore("cassandra://127.0.0.1:9042/app")
//	t, err := cassandra.Open(ctx, cfg, cassandra.Options{})
//	p, err := t.NewProvider(os.DirFS("migrations"))
package cassandra

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Options tune a Cassandra target. The zero value is ready to use.
type Options struct {
	// History names the history table (default strata_schema_migrations);
	// the lock lives in HISTORY_lock.
	History string
	// LeaseTTL is how long the runner lock lives without a heartbeat
	// (default 30s); it is the lock row's TTL.
	LeaseTTL time.Duration
	// Go are migrations written in Go against the session.
	Go []GoMigration
}

// GoMigration is a migration written in Go with gocql.
type GoMigration struct {
	Version  int64
	Name     string
	Up, Down func(ctx context.Context, s *gocql.Session) error
}

// Target is an open Cassandra keyspace. It is safe for concurrent use.
type Target struct {
	Session  *gocql.Session
	Keyspace string
	opts     Options
	store    *Store
	e        *engine
}

// Open connects to the keyspace cfg names.
func Open(ctx context.Context, cfg *connect.StoreConfig, o Options) (*Target, error) {
	if cfg.Engine != connect.Cassandra {
		return nil, fmt.Errorf("open %s: not a Cassandra URL", cfg.URL)
	}
	cc := gocql.NewCluster(cfg.Hosts...)
	cc.Keyspace = cfg.Database
	cc.Consistency = gocql.Quorum
	cc.SerialConsistency = gocql.Serial
	cc.Timeout = 10 * time.Second
	if cfg.User != "" {
		cc.Authenticator = gocql.PasswordAuthenticator{Username: cfg.User, Password: cfg.Password}
	}
	if cfg.TLS {
		cc.SslOpts = &gocql.SslOptions{EnableHostVerification: true}
	}
	s, err := cc.CreateSession()
	if err != nil {
		return nil, &connect.ConnectError{URL: cfg.URL, Err: fmt.Errorf("%s", cfg.Scrub(err.Error()))}
	}
	if o.History == "" {
		o.History = kit.DefaultHistory
	}
	e := &engine{s: s, ks: cfg.Database}
	t := &Target{Session: s, Keyspace: cfg.Database, opts: o, e: e}
	t.store = &Store{s: s, ks: cfg.Database, table: o.History, what: "the runner lock of " + cfg.URL, ttl: o.LeaseTTL}
	return t, nil
}

// Close closes the session.
func (t *Target) Close() error { t.Session.Close(); return nil }

// Store returns the history store.
func (t *Target) Store() *Store { return t.store }

// NewProvider returns a provider running the migrations in fsys (and
// Options.Go) on this keyspace.
func (t *Target) NewProvider(fsys fs.FS, opts ...migrate.Option) (*migrate.Provider, error) {
	gos := make([]kit.GoMigration, len(t.opts.Go))
	for i, g := range t.opts.Go {
		up, down := g.Up, g.Down
		gf := kit.GoFunc{Up: func(ctx context.Context) error { return up(ctx, t.Session) }}
		if down != nil {
			gf.Down = func(ctx context.Context) error { return down(ctx, t.Session) }
		}
		gos[i] = kit.GoMigration{Version: g.Version, Name: g.Name, GoFunc: gf}
	}
	return kit.NewProvider(connect.Cassandra, t.store, t.e, fsys, gos, opts)
}

// Template is the file `strata new --yaml` writes for Cassandra.
const Template = `# Cassandra operations; each waits for schema agreement. ` + "`strata plan`" + ` shows the CQL.
operations:
  - add_column: {table: users, name: email, type: text}
`

// Template returns the file `strata new --yaml` writes for this engine.
func (t *Target) Template() string { return Template }

// quote quotes a CQL identifier.
func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

// qualified is keyspace.table, quoted.
func qualified(ks, t string) string { return quote(ks) + "." + quote(t) }

func ttlSeconds(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}
