package mongo

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/engine/internal/kit"
)

// transform rewrites the documents of a collection in batches, one of
// three ways:
//
//   - set (and unset): expressions evaluated by strata on each document
//     (expr-lang, as transfer's set:), written back with $set/$unset; works
//     on every server.
//   - update: an update pipeline the server runs (updateMany with a
//     pipeline; MongoDB 4.2+).
//   - pipeline: aggregation stages whose output documents are written back
//     by _id ($set of every output field).
//
// filter limits the documents; down is the transform that undoes it, in
// the same forms.
type transform struct {
	fieldOp  `yaml:",inline"`
	Filter   yaml.Node         `yaml:"filter"`
	Set      map[string]string `yaml:"set"`
	Unset    []string          `yaml:"unset"`
	Update   yaml.Node         `yaml:"update"`
	Pipeline yaml.Node         `yaml:"pipeline"`
	Down     yaml.Node         `yaml:"down"`

	filter   bson.D
	set      *kit.Set
	update   bson.A
	pipeline bson.A
	down     *transform
}

func newTransform(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &transform{fieldOp: fieldOp{e: e}}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := o.prepare(r, true); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *transform) prepare(r kit.RawOp, top bool) error {
	if err := kit.Require(r, "collection", o.Collection); err != nil {
		return err
	}
	forms := 0
	if len(o.Set) > 0 || len(o.Unset) > 0 {
		forms++
	}
	if o.Update.Kind != 0 {
		forms++
	}
	if o.Pipeline.Kind != 0 {
		forms++
	}
	if forms != 1 {
		return r.Errorf("give one of set:/unset: (expressions strata evaluates), update: (an update pipeline) or pipeline: (aggregation stages whose output is written back)")
	}
	var err error
	if o.filter, err = docOf(r, "filter", &o.Filter); err != nil {
		return err
	}
	if len(o.Set) > 0 {
		if o.set, err = kit.CompileSet(r, "set", o.Set); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		n   *yaml.Node
		dst *bson.A
		key string
	}{{&o.Update, &o.update, "update"}, {&o.Pipeline, &o.pipeline, "pipeline"}} {
		if f.n.Kind == 0 {
			continue
		}
		v, err := toBSON(f.n)
		if err != nil {
			return r.Errorf("%s: %v", f.key, err)
		}
		a, ok := v.(bson.A)
		if !ok {
			return r.Errorf("%s: want a list of stages", f.key)
		}
		*f.dst = a
	}
	if o.Down.Kind != 0 {
		if !top {
			return r.Errorf("down: a down transform has no down of its own")
		}
		d := &transform{fieldOp: fieldOp{e: o.e}}
		if err := o.Down.Decode(d); err != nil {
			return r.Errorf("down: %v", err)
		}
		if d.Collection == "" {
			d.Collection = o.Collection
		}
		if d.Batch == 0 {
			d.Batch = o.Batch
		}
		if err := d.prepare(r, false); err != nil {
			return err
		}
		o.down = d
	}
	return nil
}

func (o *transform) how() string {
	switch {
	case o.set.Len() > 0 || len(o.Unset) > 0:
		var parts []string
		for _, f := range o.set.Fields() {
			parts = append(parts, fmt.Sprintf("%s = %s", f, o.Set[f]))
		}
		for _, f := range o.Unset {
			parts = append(parts, "unset "+f)
		}
		return strings.Join(parts, ", ") + " (evaluated by strata, written with $set)"
	case o.update != nil:
		return fmt.Sprintf("update pipeline %v (run by the server)", o.update)
	}
	return fmt.Sprintf("aggregation %v, output written back by _id", o.pipeline)
}

func (o *transform) Describe() []string {
	s := fmt.Sprintf("transform %s: %s, %d documents per batch", o.Collection, o.how(), o.batch())
	if o.filter != nil {
		s += fmt.Sprintf(", where %v", o.filter)
	}
	return []string{s}
}

func (o *transform) Inverse() kit.Op {
	if o.down == nil {
		return nil
	}
	return o.down
}

func (o *transform) Run(ctx context.Context, x *kit.Exec) error {
	c := o.e.db.Collection(o.Collection)
	return o.e.walk(ctx, x, o.Collection, o.filter, o.batch(), func(ctx context.Context, rng bson.D, _ []any) (int64, error) {
		f := append(append(bson.D{}, o.filter...), rng...)
		switch {
		case o.update != nil:
			res, err := c.UpdateMany(ctx, f, o.update)
			if err != nil {
				return 0, commandError("update pipeline", err)
			}
			return res.ModifiedCount, nil
		case o.pipeline != nil:
			return o.writeBack(ctx, c, append(bson.A{bson.D{{Key: "$match", Value: f}}}, o.pipeline...))
		}
		return o.evaluate(ctx, c, f)
	})
}

// evaluate reads each document of the batch, evaluates the expressions and
// writes the changed fields back.
func (o *transform) evaluate(ctx context.Context, c *driver.Collection, f bson.D) (int64, error) {
	cur, err := c.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, err
	}
	var docs []bson.M
	if err := cur.All(ctx, &docs); err != nil {
		return 0, err
	}
	models := make([]update, 0, len(docs))
	for _, d := range docs {
		upd := bson.D{}
		if o.set.Len() > 0 {
			vals, err := o.set.Eval(d)
			if err != nil {
				return 0, fmt.Errorf("document _id %v: %w", d["_id"], err)
			}
			set := bson.D{}
			for _, k := range o.set.Fields() {
				set = append(set, bson.E{Key: k, Value: vals[k]})
			}
			upd = append(upd, bson.E{Key: "$set", Value: set})
		}
		if len(o.Unset) > 0 {
			un := bson.D{}
			for _, k := range o.Unset {
				un = append(un, bson.E{Key: k, Value: ""})
			}
			upd = append(upd, bson.E{Key: "$unset", Value: un})
		}
		models = append(models, update{id: d["_id"], set: upd})
	}
	return o.e.bulk(ctx, c, models)
}

// writeBack runs the aggregation and sets each output document's fields
// on the document with its _id.
func (o *transform) writeBack(ctx context.Context, c *driver.Collection, pipeline bson.A) (int64, error) {
	cur, err := c.Aggregate(ctx, pipeline)
	if err != nil {
		return 0, commandError("aggregation", err)
	}
	var docs []bson.D
	if err := cur.All(ctx, &docs); err != nil {
		return 0, err
	}
	models := make([]update, 0, len(docs))
	for _, d := range docs {
		var id any
		set := bson.D{}
		for _, e := range d {
			if e.Key == "_id" {
				id = e.Value
				continue
			}
			set = append(set, e)
		}
		if id == nil {
			return 0, fmt.Errorf("an output document has no _id: the pipeline must keep _id so it can be written back")
		}
		models = append(models, update{id: id, set: bson.D{{Key: "$set", Value: set}}})
	}
	return o.e.bulk(ctx, c, models)
}

// update is one document's change.
type update struct {
	id  any
	set bson.D
}

// bulk writes the changes of a batch: one unordered bulkWrite on MongoDB;
// on FerretDB, which leaks a backend connection per statement of a
// multi-statement update (and then stops answering), one update per
// document from a few workers.
func (e *engine) bulk(ctx context.Context, c *driver.Collection, us []update) (int64, error) {
	if len(us) == 0 {
		return 0, nil
	}
	if !e.ferret {
		models := make([]driver.WriteModel, len(us))
		for i, u := range us {
			models[i] = driver.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: u.id}}).SetUpdate(u.set)
		}
		res, err := c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		if err != nil {
			return 0, err
		}
		return res.ModifiedCount, nil
	}
	var n atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, u := range us {
		g.Go(func() error {
			res, err := c.UpdateOne(gctx, bson.D{{Key: "_id", Value: u.id}}, u.set)
			if err != nil {
				return fmt.Errorf("document _id %v: %w", u.id, err)
			}
			n.Add(res.ModifiedCount)
			return nil
		})
	}
	err := g.Wait()
	return n.Load(), err
}
