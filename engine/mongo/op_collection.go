package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/engine/internal/kit"
)

// createCollection creates a collection, with a validator when given.
type createCollection struct {
	e         *engine
	Name      string    `yaml:"name"`
	Validator yaml.Node `yaml:"validator"`
	validator bson.D
}

func newCreateCollection(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &createCollection{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "name", o.Name); err != nil {
		return nil, err
	}
	var err error
	o.validator, err = docOf(r, "validator", &o.Validator)
	return o, err
}

func (o *createCollection) collection() string { return o.Name }
func (o *createCollection) Creates() []string  { return []string{o.Name} }
func (o *createCollection) Describe() []string {
	if o.validator != nil {
		return []string{fmt.Sprintf("create collection %s with a validator", o.Name)}
	}
	return []string{"create collection " + o.Name}
}
func (o *createCollection) Inverse() kit.Op { return &dropCollection{e: o.e, Name: o.Name} }

func (o *createCollection) Run(ctx context.Context, _ *kit.Exec) error {
	cmd := bson.D{{Key: "create", Value: o.Name}}
	if o.validator != nil {
		cmd = append(cmd, bson.E{Key: "validator", Value: o.validator})
	}
	err := o.e.db.RunCommand(ctx, cmd).Err()
	var ce driver.CommandError
	if asCommandError(err, &ce) && ce.Code == 48 { // NamespaceExists: a rerun after a stop
		return nil
	}
	if err != nil {
		return commandError("create collection "+o.Name, err)
	}
	return nil
}

// dropCollection drops a collection and every document in it.
type dropCollection struct {
	e    *engine
	Name string `yaml:"name"`
}

func newDropCollection(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &dropCollection{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	return o, kit.Require(r, "name", o.Name)
}

func (o *dropCollection) collection() string { return o.Name }
func (o *dropCollection) Needs() []string    { return []string{o.Name} }
func (o *dropCollection) Describe() []string {
	return []string{fmt.Sprintf("drop collection %s and its documents (cannot be undone)", o.Name)}
}

func (o *dropCollection) Run(ctx context.Context, _ *kit.Exec) error {
	if err := o.e.db.Collection(o.Name).Drop(ctx); err != nil {
		return fmt.Errorf("drop collection %s: %w", o.Name, err)
	}
	return nil
}

// renameCollection renames a collection.
type renameCollection struct {
	e    *engine
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

func newRenameCollection(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &renameCollection{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	return o, kit.Require(r, "from", o.From, "to", o.To)
}

func (o *renameCollection) collection() string { return o.From }
func (o *renameCollection) Needs() []string    { return []string{o.From} }
func (o *renameCollection) Creates() []string  { return []string{o.To} }
func (o *renameCollection) Describe() []string {
	return []string{fmt.Sprintf("rename collection %s to %s", o.From, o.To)}
}
func (o *renameCollection) Inverse() kit.Op {
	return &renameCollection{e: o.e, From: o.To, To: o.From}
}

func (o *renameCollection) Run(ctx context.Context, _ *kit.Exec) error {
	// A rerun after a stop finds the rename done.
	if ok, err := o.e.Exists(ctx, o.From); err != nil {
		return err
	} else if !ok {
		if done, err := o.e.Exists(ctx, o.To); err == nil && done {
			return nil
		}
	}
	db := o.e.db.Name()
	err := o.e.c.Database("admin").RunCommand(ctx, bson.D{{Key: "renameCollection", Value: db + "." + o.From}, {Key: "to", Value: db + "." + o.To}}).Err()
	if err != nil {
		return fmt.Errorf("rename collection %s to %s: %w", o.From, o.To, err)
	}
	return nil
}

func asCommandError(err error, ce *driver.CommandError) bool {
	if err == nil {
		return false
	}
	c, ok := err.(driver.CommandError)
	if ok {
		*ce = c
	}
	return ok
}
