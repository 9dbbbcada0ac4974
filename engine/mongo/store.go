package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Store keeps history in a collection, one document per migration with the
// version as _id, and the runner lock as a lease: the document {_id:
// "lock"} of HISTORY_lock, created with insertOne (the unique _id lets one
// runner in) and taken over only once expired, with a findOneAndUpdate
// conditional on the expiry. Expiry times come from the runners' clocks, so
// they must agree to well within the lease (30s by default). It is safe
// for concurrent use.
type Store struct {
	hist, lock *driver.Collection
	what       string
	ttl        time.Duration
}

var (
	_ migrate.Store = (*Store)(nil)
	_ kit.Leaser    = (*Store)(nil)
)

type row struct {
	ID      string `bson:"_id"`
	kit.Row `bson:",inline"`
}

// Ensure implements [migrate.Store]: collections are created on first write.
func (s *Store) Ensure(context.Context) error { return nil }

// List implements [migrate.Store].
func (s *Store) List(ctx context.Context) ([]migrate.Record, error) {
	cur, err := s.hist.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read history collection %s: %w", s.hist.Name(), err)
	}
	var rows []row
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read history collection %s: %w", s.hist.Name(), err)
	}
	out := make([]migrate.Record, len(rows))
	for i, r := range rows {
		out[i] = r.Record()
	}
	return out, nil
}

// Insert implements [migrate.Store]: the version is the _id, so a second
// insert of it fails.
func (s *Store) Insert(ctx context.Context, r migrate.Record) error {
	_, err := s.hist.InsertOne(ctx, row{ID: string(r.Version), Row: kit.ToRow(r)})
	if driver.IsDuplicateKeyError(err) {
		return fmt.Errorf("insert history %s: it is recorded already (another runner?)", r.Version)
	}
	if err != nil {
		return fmt.Errorf("insert history %s into %s: %w", r.Version, s.hist.Name(), err)
	}
	return nil
}

// Update implements [migrate.Store].
func (s *Store) Update(ctx context.Context, r migrate.Record) error {
	res, err := s.hist.ReplaceOne(ctx, bson.D{{Key: "_id", Value: string(r.Version)}}, row{ID: string(r.Version), Row: kit.ToRow(r)})
	if err != nil {
		return fmt.Errorf("update history %s in %s: %w", r.Version, s.hist.Name(), err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update history %s: it is not recorded", r.Version)
	}
	return nil
}

// Delete implements [migrate.Store].
func (s *Store) Delete(ctx context.Context, v migrate.Version) error {
	if _, err := s.hist.DeleteOne(ctx, bson.D{{Key: "_id", Value: string(v)}}); err != nil {
		return fmt.Errorf("delete history %s from %s: %w", v, s.hist.Name(), err)
	}
	return nil
}

// Lock implements [migrate.Locker].
func (s *Store) Lock(ctx context.Context, opts dialect.LockOptions) (dialect.Lock, error) {
	return kit.Acquire(ctx, s, s.what, kit.NewLease(s.ttl), opts)
}

type lockDoc struct {
	ID      string    `bson:"_id"`
	Owner   string    `bson:"owner"`
	Holder  string    `bson:"holder"`
	Expires time.Time `bson:"expires"`
}

// TryAcquire implements [kit.Leaser].
func (s *Store) TryAcquire(ctx context.Context, l *kit.Lease) (bool, string, error) {
	now := time.Now()
	doc := lockDoc{ID: "lock", Owner: l.Owner, Holder: l.Holder, Expires: now.Add(l.TTL)}
	_, err := s.lock.InsertOne(ctx, doc)
	if err == nil {
		return true, "", nil
	}
	if !driver.IsDuplicateKeyError(err) {
		return false, "", err
	}
	// Held: take it over only if its lease ran out.
	err = s.lock.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "lock"}, {Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: l.Owner}, {Key: "holder", Value: l.Holder}, {Key: "expires", Value: doc.Expires}}}}).Err()
	if err == nil {
		return true, "", nil
	}
	if !errors.Is(err, driver.ErrNoDocuments) {
		return false, "", err
	}
	var cur lockDoc
	if err := s.lock.FindOne(ctx, bson.D{{Key: "_id", Value: "lock"}}).Decode(&cur); err != nil && !errors.Is(err, driver.ErrNoDocuments) {
		return false, "", err
	}
	return false, fmt.Sprintf("%s (lease until %s)", cur.Holder, cur.Expires.Local().Format(time.TimeOnly)), nil
}

// Renew implements [kit.Leaser].
func (s *Store) Renew(ctx context.Context, l *kit.Lease) error {
	res, err := s.lock.UpdateOne(ctx, bson.D{{Key: "_id", Value: "lock"}, {Key: "owner", Value: l.Owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: time.Now().Add(l.TTL)}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("%s.lock: %w", s.lock.Name(), kit.ErrNotOwner)
	}
	return nil
}

// Release implements [kit.Leaser].
func (s *Store) Release(ctx context.Context, l *kit.Lease) error {
	_, err := s.lock.DeleteOne(ctx, bson.D{{Key: "_id", Value: "lock"}, {Key: "owner", Value: l.Owner}}, options.DeleteOne())
	return err
}
