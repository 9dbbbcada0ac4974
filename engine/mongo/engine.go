package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/engine/internal/kit"
)

// engine is MongoDB as the shared step runner sees it.
type engine struct {
	db      *driver.Database
	c       *driver.Client
	txn     bool // the server runs multi-document transactions
	ferret  bool // the server is FerretDB
	history string
}

var _ kit.Engine = (*engine)(nil)

func (e *engine) Name() string { return "mongodb" }

func (e *engine) Mode() string {
	if e.txn {
		return "batches of documents by _id range, each batch in a multi-document transaction; the last _id is saved after every batch"
	}
	return "batches of documents by _id range, one update per batch (the server has no multi-document transactions: not a replica set); the last _id is saved after every batch"
}

// Exists reports whether a collection exists.
func (e *engine) Exists(ctx context.Context, coll string) (bool, error) {
	names, err := e.db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: coll}})
	if err != nil {
		return false, fmt.Errorf("list collections: %w", err)
	}
	return len(names) > 0, nil
}

func (e *engine) Op(r kit.RawOp, prev []kit.Op) (kit.Op, error) {
	build, ok := ops[r.Name]
	if !ok {
		return nil, r.Errorf("unknown operation for MongoDB (want %s)", opNames)
	}
	op, err := build(e, r)
	if err != nil {
		return nil, err
	}
	if c, ok := op.(interface{ collection() string }); ok && (c.collection() == e.history || c.collection() == e.history+"_lock") {
		return nil, r.Errorf("collection %s holds strata's history; migrations must not change it", c.collection())
	}
	return op, nil
}

var ops = map[string]func(*engine, kit.RawOp) (kit.Op, error){
	"create_collection": newCreateCollection,
	"drop_collection":   newDropCollection,
	"rename_collection": newRenameCollection,
	"add_field":         newAddField,
	"rename_field":      newRenameField,
	"remove_field":      newRemoveField,
	"transform":         newTransform,
	"create_index":      newCreateIndex,
	"drop_index":        newDropIndex,
	"set_validator":     newSetValidator,
}

const opNames = "create_collection, drop_collection, rename_collection, add_field, rename_field, remove_field, transform, create_index, drop_index, set_validator"

// toBSON converts YAML to BSON values, keeping the order of mapping keys
// (index keys and some commands depend on it).
func toBSON(n *yaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		return toBSON(n.Content[0])
	case yaml.AliasNode:
		return toBSON(n.Alias)
	case yaml.MappingNode:
		d := bson.D{}
		for i := 0; i < len(n.Content); i += 2 {
			v, err := toBSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			d = append(d, bson.E{Key: n.Content[i].Value, Value: v})
		}
		return d, nil
	case yaml.SequenceNode:
		a := bson.A{}
		for _, c := range n.Content {
			v, err := toBSON(c)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func docOf(r kit.RawOp, field string, n *yaml.Node) (bson.D, error) {
	if n == nil || n.Kind == 0 {
		return nil, nil
	}
	v, err := toBSON(n)
	if err != nil {
		return nil, r.Errorf("%s: %v", field, err)
	}
	d, ok := v.(bson.D)
	if !ok {
		return nil, r.Errorf("%s: want a map", field)
	}
	return d, nil
}

// idCursor is the checkpoint of a walk by _id: the last _id done, as
// relaxed extended JSON so any _id type survives the history row.
type idCursor struct {
	Last json.RawMessage `json:"last,omitempty"`
	Done int64           `json:"done"`
}

// batchTimeout bounds one batch's write.
const batchTimeout = 2 * time.Minute

// walk runs fn on each batch of documents of coll matching filter, in _id
// order, batch documents at a time: fn gets the _id range [lo, hi] of the
// batch and the ids. After each batch the last _id is saved, so a stopped
// run resumes after it.
func (e *engine) walk(ctx context.Context, x *kit.Exec, coll string, filter bson.D, batch int, fn func(ctx context.Context, rng bson.D, ids []any) (int64, error)) error {
	c := e.db.Collection(coll)
	var cur idCursor
	var last any
	if ok, err := x.Resume(&cur); err != nil {
		return err
	} else if ok && len(cur.Last) > 0 {
		var w struct{ V any }
		if err := bson.UnmarshalExtJSON(cur.Last, false, &w); err != nil {
			return fmt.Errorf("the recorded checkpoint %s cannot be read (%v): run `strata abort %s` and start again", cur.Last, err, x.Version)
		}
		last = w.V
	}
	total, _ := c.EstimatedDocumentCount(ctx)
	for {
		t0 := time.Now()
		f := append(bson.D{}, filter...)
		if last != nil {
			f = append(f, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: last}}})
		}
		fc, err := c.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(batch)).SetProjection(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			return fmt.Errorf("read _id batch of %s: %w", coll, err)
		}
		var docs []struct {
			ID any `bson:"_id"`
		}
		if err := fc.All(ctx, &docs); err != nil {
			return fmt.Errorf("read _id batch of %s: %w", coll, err)
		}
		if len(docs) == 0 {
			return nil
		}
		ids := make([]any, len(docs))
		for i, d := range docs {
			ids[i] = d.ID
		}
		rng := bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: ids[0]}, {Key: "$lte", Value: ids[len(ids)-1]}}}}
		// A batch, once sent, runs to its end: the stop comes between
		// batches, at a checkpoint. (An update cancelled half-way also
		// left FerretDB unable to answer the connection's next command.)
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
		var n int64
		if e.txn {
			err = e.inTxn(bctx, func(ctx context.Context) error {
				var err error
				n, err = fn(ctx, rng, ids)
				return err
			})
		} else {
			n, err = fn(bctx, rng, ids)
		}
		cancel()
		if err == nil && ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		if err != nil {
			return fmt.Errorf("batch of %s after _id %v: %w", coll, last, err)
		}
		last = ids[len(ids)-1]
		cur.Done += n
		js, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: last}}, false, false)
		if err != nil {
			return err
		}
		cur.Last = js
		if err := x.Checkpoint(context.WithoutCancel(ctx), cur, cur.Done); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		x.Batch(ctx, coll, cur.Done, total, time.Since(t0))
		if len(docs) < batch {
			return nil
		}
	}
}

func (e *engine) inTxn(ctx context.Context, fn func(ctx context.Context) error) error {
	sess, err := e.c.StartSession()
	if err != nil {
		return err
	}
	defer sess.EndSession(context.Background())
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) { return nil, fn(ctx) })
	return err
}

// commandError makes a server's refusal of a feature say so.
func commandError(what string, err error) error {
	var ce driver.CommandError
	if errors.As(err, &ce) && (ce.Code == 59 || ce.Code == 115 || ce.Code == 238) {
		return fmt.Errorf("%s: the server does not support it (%w); FerretDB, for one, has no validators, TTL or partial indexes, or pipeline updates", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
