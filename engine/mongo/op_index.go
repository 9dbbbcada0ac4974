package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/engine/internal/kit"
)

// createIndex builds an index: compound keys in order, unique, partial
// (partial: a filter), TTL (ttl: a duration on a date field), sparse.
type createIndex struct {
	e          *engine
	Collection string         `yaml:"collection"`
	Name       string         `yaml:"name"`
	Keys       yaml.Node      `yaml:"keys"`
	Unique     bool           `yaml:"unique"`
	Sparse     bool           `yaml:"sparse"`
	Partial    yaml.Node      `yaml:"partial"`
	TTL        *time.Duration `yaml:"ttl"`
	keys       bson.D
	partial    bson.D
}

func newCreateIndex(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &createIndex{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "collection", o.Collection, "name", o.Name); err != nil {
		return nil, err
	}
	var err error
	if o.keys, err = docOf(r, "keys", &o.Keys); err != nil {
		return nil, err
	}
	if len(o.keys) == 0 {
		return nil, r.Errorf("keys is required: a map of field: 1 (ascending) or -1 (descending), in order")
	}
	if o.partial, err = docOf(r, "partial", &o.Partial); err != nil {
		return nil, err
	}
	if o.TTL != nil && (len(o.keys) != 1 || *o.TTL < time.Second) {
		return nil, r.Errorf("ttl needs one key (a date field) and at least 1s")
	}
	return o, nil
}

func (o *createIndex) collection() string { return o.Collection }
func (o *createIndex) Needs() []string    { return []string{o.Collection} }

func (o *createIndex) Describe() []string {
	s := fmt.Sprintf("create index %s on %s %v", o.Name, o.Collection, o.keys)
	if o.Unique {
		s += ", unique"
	}
	if o.Sparse {
		s += ", sparse"
	}
	if o.partial != nil {
		s += fmt.Sprintf(", partial %v", o.partial)
	}
	if o.TTL != nil {
		s += fmt.Sprintf(", documents expire %s after %s", *o.TTL, o.keys[0].Key)
	}
	return []string{s}
}

func (o *createIndex) Inverse() kit.Op {
	return &dropIndex{e: o.e, Collection: o.Collection, Name: o.Name}
}

func (o *createIndex) Run(ctx context.Context, _ *kit.Exec) error {
	io := options.Index().SetName(o.Name)
	if o.Unique {
		io.SetUnique(true)
	}
	if o.Sparse {
		io.SetSparse(true)
	}
	if o.partial != nil {
		io.SetPartialFilterExpression(o.partial)
	}
	if o.TTL != nil {
		io.SetExpireAfterSeconds(int32(o.TTL.Seconds()))
	}
	_, err := o.e.db.Collection(o.Collection).Indexes().CreateOne(ctx, driver.IndexModel{Keys: o.keys, Options: io})
	if err != nil {
		if driver.IsDuplicateKeyError(err) {
			return fmt.Errorf("create unique index %s on %s: documents share a key (%w); fix them, then run `strata up` again", o.Name, o.Collection, err)
		}
		return commandError(fmt.Sprintf("create index %s on %s", o.Name, o.Collection), err)
	}
	return nil
}

// dropIndex drops an index by name.
type dropIndex struct {
	e          *engine
	Collection string `yaml:"collection"`
	Name       string `yaml:"name"`
}

func newDropIndex(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &dropIndex{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	return o, kit.Require(r, "collection", o.Collection, "name", o.Name)
}

func (o *dropIndex) collection() string { return o.Collection }
func (o *dropIndex) Needs() []string    { return []string{o.Collection} }
func (o *dropIndex) Describe() []string {
	return []string{fmt.Sprintf("drop index %s on %s", o.Name, o.Collection)}
}

func (o *dropIndex) Run(ctx context.Context, _ *kit.Exec) error {
	err := o.e.db.Collection(o.Collection).Indexes().DropOne(ctx, o.Name)
	var ce driver.CommandError
	if asCommandError(err, &ce) && (ce.Code == 27 || ce.Code == 26) { // IndexNotFound, NamespaceNotFound: done already
		return nil
	}
	if err != nil {
		return fmt.Errorf("drop index %s on %s: %w", o.Name, o.Collection, err)
	}
	return nil
}

// setValidator sets a collection's validator with collMod.
type setValidator struct {
	e          *engine
	Collection string    `yaml:"collection"`
	Schema     yaml.Node `yaml:"schema"`
	Level      string    `yaml:"level"`
	Action     string    `yaml:"action"`
	schema     bson.D
}

func newSetValidator(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &setValidator{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "collection", o.Collection); err != nil {
		return nil, err
	}
	var err error
	if o.schema, err = docOf(r, "schema", &o.Schema); err != nil {
		return nil, err
	}
	if o.Level == "" {
		o.Level = "strict"
	}
	if o.Action == "" {
		o.Action = "error"
	}
	if o.Level != "off" && o.Level != "strict" && o.Level != "moderate" {
		return nil, r.Errorf("level %q: want off, strict or moderate", o.Level)
	}
	if o.Action != "error" && o.Action != "warn" {
		return nil, r.Errorf("action %q: want error or warn", o.Action)
	}
	return o, nil
}

func (o *setValidator) collection() string { return o.Collection }
func (o *setValidator) Needs() []string    { return []string{o.Collection} }
func (o *setValidator) Describe() []string {
	return []string{fmt.Sprintf("set the validator of %s ($jsonSchema %v, level %s, action %s) with collMod", o.Collection, o.schema, o.Level, o.Action)}
}

func (o *setValidator) Run(ctx context.Context, _ *kit.Exec) error {
	v := bson.D{}
	if o.schema != nil {
		v = bson.D{{Key: "$jsonSchema", Value: o.schema}}
	}
	err := o.e.db.RunCommand(ctx, bson.D{{Key: "collMod", Value: o.Collection}, {Key: "validator", Value: v},
		{Key: "validationLevel", Value: o.Level}, {Key: "validationAction", Value: o.Action}}).Err()
	if err != nil {
		return commandError("collMod "+o.Collection, err)
	}
	return nil
}
