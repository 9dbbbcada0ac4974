package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/engine/internal/kit"
)

// fieldOp is what the field operations share: a collection, a batch size.
type fieldOp struct {
	e          *engine
	Collection string `yaml:"collection"`
	Batch      int    `yaml:"batch"`
}

func (f *fieldOp) collection() string { return f.Collection }
func (f *fieldOp) Needs() []string    { return []string{f.Collection} }

func (f *fieldOp) batch() int {
	if f.Batch <= 0 {
		return 1000
	}
	return f.Batch
}

// update runs update on the documents of each batch that match filter.
func (f *fieldOp) update(ctx context.Context, x *kit.Exec, filter, update bson.D) error {
	c := f.e.db.Collection(f.Collection)
	return f.e.walk(ctx, x, f.Collection, filter, f.batch(), func(ctx context.Context, rng bson.D, _ []any) (int64, error) {
		res, err := c.UpdateMany(ctx, append(append(bson.D{}, filter...), rng...), update)
		if err != nil {
			return 0, err
		}
		return res.ModifiedCount, nil
	})
}

func exists(field string, yes bool) bson.D {
	return bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: yes}}}}
}

// addField sets a field to a value in every document that lacks it.
type addField struct {
	fieldOp `yaml:",inline"`
	Field   string    `yaml:"field"`
	Value   yaml.Node `yaml:"value"`
	value   any
}

func newAddField(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &addField{fieldOp: fieldOp{e: e}}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "collection", o.Collection, "field", o.Field); err != nil {
		return nil, err
	}
	if o.Value.Kind == 0 {
		return nil, r.Errorf("value is required (the default the field gets where it is missing)")
	}
	var err error
	if o.value, err = toBSON(&o.Value); err != nil {
		return nil, r.Errorf("value: %v", err)
	}
	return o, nil
}

func (o *addField) Describe() []string {
	return []string{fmt.Sprintf("add field %s.%s = %v where it is missing ($set, %d documents per batch)", o.Collection, o.Field, o.value, o.batch())}
}

// Inverse removes the field from documents that hold the default.
func (o *addField) Inverse() kit.Op {
	return &removeField{fieldOp: o.fieldOp, Field: o.Field, where: bson.D{{Key: o.Field, Value: o.value}}}
}

func (o *addField) Run(ctx context.Context, x *kit.Exec) error {
	return o.update(ctx, x, exists(o.Field, false), bson.D{{Key: "$set", Value: bson.D{{Key: o.Field, Value: o.value}}}})
}

// renameField renames a field in every document that has it.
type renameField struct {
	fieldOp `yaml:",inline"`
	From    string `yaml:"from"`
	To      string `yaml:"to"`
}

func newRenameField(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &renameField{fieldOp: fieldOp{e: e}}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "collection", o.Collection, "from", o.From, "to", o.To); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *renameField) Describe() []string {
	return []string{fmt.Sprintf("rename field %s.%s to %s where it exists ($rename, %d documents per batch)", o.Collection, o.From, o.To, o.batch())}
}

func (o *renameField) Inverse() kit.Op {
	return &renameField{fieldOp: o.fieldOp, From: o.To, To: o.From}
}

func (o *renameField) Run(ctx context.Context, x *kit.Exec) error {
	return o.update(ctx, x, exists(o.From, true), bson.D{{Key: "$rename", Value: bson.D{{Key: o.From, Value: o.To}}}})
}

// removeField unsets a field in every document (that matches where).
type removeField struct {
	fieldOp `yaml:",inline"`
	Field   string `yaml:"field"`
	where   bson.D
}

func newRemoveField(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &removeField{fieldOp: fieldOp{e: e}}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	return o, kit.Require(r, "collection", o.Collection, "field", o.Field)
}

func (o *removeField) Describe() []string {
	if o.where != nil {
		return []string{fmt.Sprintf("remove field %s.%s where it is %v ($unset, %d documents per batch)", o.Collection, o.Field, o.where[0].Value, o.batch())}
	}
	return []string{fmt.Sprintf("remove field %s.%s ($unset, %d documents per batch; cannot be undone)", o.Collection, o.Field, o.batch())}
}

func (o *removeField) Run(ctx context.Context, x *kit.Exec) error {
	filter := o.where
	if filter == nil {
		filter = exists(o.Field, true)
	}
	return o.update(ctx, x, filter, bson.D{{Key: "$unset", Value: bson.D{{Key: o.Field, Value: ""}}}})
}
