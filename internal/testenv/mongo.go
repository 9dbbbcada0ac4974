package testenv

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	mongoEnv     = "STRATA_TEST_MONGO"
	mongoDefault = "mongodb://127.0.0.1:27017"
)

var mongoServer struct {
	once   sync.Once
	client *mongo.Client
	url    *url.URL
	err    error
}

// Mongo returns the URL of a MongoDB database that only this test uses,
// such as mongodb://127.0.0.1:27017/strata_test_1f…, and drops it when the
// test ends. The server is the one in STRATA_TEST_MONGO (default
// mongodb://127.0.0.1:27017: FerretDB, started by scripts/services).
//
// An unreachable server skips the test, or fails it when CI is true.
func Mongo(t testing.TB) string {
	t.Helper()
	s := &mongoServer
	s.once.Do(func() {
		admin := envOr(mongoEnv, mongoDefault)
		if s.url, s.err = url.Parse(admin); s.err != nil {
			return
		}
		s.client, s.err = mongo.Connect(options.Client().ApplyURI(admin).SetServerSelectionTimeout(connectTimeout))
		if s.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
			defer cancel()
			s.err = s.client.Ping(ctx, nil)
		}
	})
	if s.err != nil {
		unavailable(t, "MongoDB (FerretDB)", redact(envOr(mongoEnv, mongoDefault)), mongoEnv, s.err)
		return ""
	}
	name := newName()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		if err := s.client.Database(name).Drop(ctx); err != nil {
			t.Errorf("testenv: drop MongoDB database %s: %v", name, err)
		}
	})
	return withDatabase(s.url, name)
}
