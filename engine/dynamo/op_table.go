package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/strata-db/strata/engine/internal/kit"
)

// createTable creates a table and waits until it is ACTIVE.
type createTable struct {
	e            *engine
	Name         string `yaml:"name"`
	PartitionKey attr   `yaml:"partition_key"`
	SortKey      *attr  `yaml:"sort_key"`
	capacity     `yaml:",inline"`
}

func newCreateTable(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &createTable{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "name", o.Name); err != nil {
		return nil, err
	}
	if err := o.PartitionKey.check(r, "partition_key"); err != nil {
		return nil, err
	}
	if o.SortKey != nil {
		if err := o.SortKey.check(r, "sort_key"); err != nil {
			return nil, err
		}
	}
	if o.Name == e.history {
		return nil, r.Errorf("table %s holds strata's history", o.Name)
	}
	return o, o.capacity.check(r)
}

func (o *createTable) Creates() []string { return []string{o.Name} }
func (o *createTable) Describe() []string {
	k := o.PartitionKey.Name + " " + o.PartitionKey.Type
	if o.SortKey != nil {
		k += ", " + o.SortKey.Name + " " + o.SortKey.Type
	}
	return []string{fmt.Sprintf("create table %s (key %s, %s) and wait until ACTIVE", o.Name, k, o.capacity)}
}
func (o *createTable) Inverse() kit.Op { return &dropTable{e: o.e, Name: o.Name} }

func (o *createTable) Run(ctx context.Context, x *kit.Exec) error {
	ks, ad := keySchema(o.PartitionKey, o.SortKey)
	_, err := o.e.c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(o.Name), KeySchema: ks, AttributeDefinitions: ad,
		BillingMode: o.mode(), ProvisionedThroughput: o.throughput()})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) { // in use: a rerun after a stop
		return fmt.Errorf("create table %s: %w", o.Name, err)
	}
	return o.e.waitActive(ctx, x, o.Name, "", false)
}

// dropTable deletes a table and its items.
type dropTable struct {
	e    *engine
	Name string `yaml:"name"`
}

func newDropTable(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &dropTable{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	return o, kit.Require(r, "name", o.Name)
}

func (o *dropTable) Needs() []string { return []string{o.Name} }
func (o *dropTable) Describe() []string {
	return []string{fmt.Sprintf("delete table %s and its items (cannot be undone) and wait until it is gone", o.Name)}
}

func (o *dropTable) Run(ctx context.Context, x *kit.Exec) error {
	_, err := o.e.c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(o.Name)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete table %s: %w", o.Name, err)
	}
	return o.e.waitActive(ctx, x, o.Name, "", true)
}

// addGSI adds a global secondary index and waits until it is ACTIVE
// (backfilled), reporting its progress.
type addGSI struct {
	e            *engine
	Table        string   `yaml:"table"`
	Name         string   `yaml:"name"`
	PartitionKey attr     `yaml:"partition_key"`
	SortKey      *attr    `yaml:"sort_key"`
	Projection   []string `yaml:"projection"` // empty: ALL; [keys_only]; or attribute names
	capacity     `yaml:",inline"`
}

func newAddGSI(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &addGSI{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "table", o.Table, "name", o.Name); err != nil {
		return nil, err
	}
	if err := o.PartitionKey.check(r, "partition_key"); err != nil {
		return nil, err
	}
	if o.SortKey != nil {
		if err := o.SortKey.check(r, "sort_key"); err != nil {
			return nil, err
		}
	}
	return o, o.capacity.check(r)
}

func (o *addGSI) Needs() []string { return []string{o.Table} }
func (o *addGSI) Describe() []string {
	return []string{fmt.Sprintf("add global secondary index %s on %s (partition key %s) and wait until it is ACTIVE (backfilled)", o.Name, o.Table, o.PartitionKey.Name)}
}
func (o *addGSI) Inverse() kit.Op { return &dropGSI{e: o.e, Table: o.Table, Name: o.Name} }

func (o *addGSI) projection() *types.Projection {
	switch {
	case len(o.Projection) == 0:
		return &types.Projection{ProjectionType: types.ProjectionTypeAll}
	case len(o.Projection) == 1 && o.Projection[0] == "keys_only":
		return &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}
	}
	return &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: o.Projection}
}

func (o *addGSI) Run(ctx context.Context, x *kit.Exec) error {
	ks, ad := keySchema(o.PartitionKey, o.SortKey)
	_, err := o.e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(o.Table), AttributeDefinitions: ad,
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String(o.Name), KeySchema: ks, Projection: o.projection(), ProvisionedThroughput: o.throughput()}}}})
	if err != nil && !alreadyThere(err) {
		return fmt.Errorf("add index %s to %s: %w", o.Name, o.Table, err)
	}
	return o.e.waitActive(ctx, x, o.Table, o.Name, false)
}

func alreadyThere(err error) bool {
	return err != nil && (containsAny(err.Error(), "already exists"))
}

// dropGSI deletes a global secondary index.
type dropGSI struct {
	e     *engine
	Table string `yaml:"table"`
	Name  string `yaml:"name"`
}

func newDropGSI(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &dropGSI{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	return o, kit.Require(r, "table", o.Table, "name", o.Name)
}

func (o *dropGSI) Needs() []string { return []string{o.Table} }
func (o *dropGSI) Describe() []string {
	return []string{fmt.Sprintf("delete global secondary index %s of %s and wait until it is gone", o.Name, o.Table)}
}

func (o *dropGSI) Run(ctx context.Context, x *kit.Exec) error {
	_, err := o.e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(o.Table),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(o.Name)}}}})
	if err != nil && !isNotFound(err) && !containsAny(err.Error(), "does not exist", "not exist") {
		return fmt.Errorf("delete index %s of %s: %w", o.Name, o.Table, err)
	}
	return o.e.waitActive(ctx, x, o.Table, o.Name, true)
}

// updateCapacity changes a table's billing mode or provisioned capacity.
type updateCapacity struct {
	e        *engine
	Table    string `yaml:"table"`
	capacity `yaml:",inline"`
}

func newUpdateCapacity(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &updateCapacity{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "table", o.Table); err != nil {
		return nil, err
	}
	return o, o.capacity.check(r)
}

func (o *updateCapacity) Needs() []string { return []string{o.Table} }
func (o *updateCapacity) Describe() []string {
	return []string{fmt.Sprintf("set the capacity of %s to %s and wait until ACTIVE (the old capacity is not recorded: give a down: list to undo)", o.Table, o.capacity)}
}

func (o *updateCapacity) Run(ctx context.Context, x *kit.Exec) error {
	_, err := o.e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(o.Table), BillingMode: o.mode(), ProvisionedThroughput: o.throughput()})
	if err != nil && !containsAny(err.Error(), "already", "no change", "must not be the same") {
		return fmt.Errorf("update the capacity of %s: %w", o.Table, err)
	}
	return o.e.waitActive(ctx, x, o.Table, "", false)
}

// updateTTL turns a table's time to live on (attribute) or off.
type updateTTL struct {
	e         *engine
	Table     string `yaml:"table"`
	Attribute string `yaml:"attribute"`
	Enabled   *bool  `yaml:"enabled"`
}

func newUpdateTTL(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &updateTTL{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if o.Enabled == nil {
		o.Enabled = aws.Bool(true)
	}
	return o, kit.Require(r, "table", o.Table, "attribute", o.Attribute)
}

func (o *updateTTL) Needs() []string { return []string{o.Table} }
func (o *updateTTL) Describe() []string {
	if *o.Enabled {
		return []string{fmt.Sprintf("turn on TTL for %s: items expire at the epoch seconds in %s", o.Table, o.Attribute)}
	}
	return []string{fmt.Sprintf("turn off TTL for %s (attribute %s)", o.Table, o.Attribute)}
}
func (o *updateTTL) Inverse() kit.Op {
	inv := *o
	inv.Enabled = aws.Bool(!*o.Enabled)
	return &inv
}

func (o *updateTTL) Run(ctx context.Context, _ *kit.Exec) error {
	_, err := o.e.c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(o.Table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(o.Attribute), Enabled: o.Enabled}})
	if err != nil && containsAny(err.Error(), "already enabled", "already disabled") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("update the TTL of %s: %w (dynalite has no UpdateTimeToLive; DynamoDB does)", o.Table, err)
	}
	return nil
}
