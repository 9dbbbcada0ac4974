package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/strata-db/strata/engine/internal/kit"
)

// engine is DynamoDB as the shared step runner sees it.
type engine struct {
	c       *dynamodb.Client
	history string
	poll    time.Duration
}

var _ kit.Engine = (*engine)(nil)

func (e *engine) Name() string { return "dynamodb" }

func (e *engine) Mode() string {
	return "table changes wait until ACTIVE; item changes in batches (parallel scan segments, BatchWriteItem / UpdateItem) with each segment's position saved after every page; no transactions across batches"
}

// Exists reports whether a table exists.
func (e *engine) Exists(ctx context.Context, table string) (bool, error) {
	_, err := e.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

var ops = map[string]func(*engine, kit.RawOp, []kit.Op) (kit.Op, error){
	"create_table":    newCreateTable,
	"drop_table":      newDropTable,
	"add_gsi":         newAddGSI,
	"drop_gsi":        newDropGSI,
	"update_capacity": newUpdateCapacity,
	"update_ttl":      newUpdateTTL,
	"copy_table":      newCopyTable,
	"transform":       newTransform,
}

func (e *engine) Op(r kit.RawOp, prev []kit.Op) (kit.Op, error) {
	build, ok := ops[r.Name]
	if !ok {
		return nil, r.Errorf("unknown operation for DynamoDB (want create_table, drop_table, add_gsi, drop_gsi, update_capacity, update_ttl, copy_table, transform)")
	}
	op, err := build(e, r, prev)
	if err != nil {
		return nil, err
	}
	if n, ok := op.(kit.Needer); ok {
		for _, t := range n.Needs() {
			if t == e.history {
				return nil, r.Errorf("table %s holds strata's history; migrations must not change it", t)
			}
		}
	}
	return op, nil
}

// attr is a key attribute: name and type (S, N or B).
type attr struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
}

func (a attr) check(r kit.RawOp, what string) error {
	if a.Name == "" {
		return r.Errorf("%s.name is required", what)
	}
	switch strings.ToUpper(a.Type) {
	case "S", "N", "B":
		return nil
	}
	return r.Errorf("%s.type %q: want S, N or B", what, a.Type)
}

func keySchema(pk attr, sk *attr) ([]types.KeySchemaElement, []types.AttributeDefinition) {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
	ad := []types.AttributeDefinition{{AttributeName: aws.String(pk.Name), AttributeType: types.ScalarAttributeType(strings.ToUpper(pk.Type))}}
	if sk != nil {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
		ad = append(ad, types.AttributeDefinition{AttributeName: aws.String(sk.Name), AttributeType: types.ScalarAttributeType(strings.ToUpper(sk.Type))})
	}
	return ks, ad
}

// capacity is billing: pay_per_request (default) or provisioned with
// read and write units.
type capacity struct {
	Billing string `yaml:"billing"`
	Read    int64  `yaml:"read"`
	Write   int64  `yaml:"write"`
}

func (c *capacity) check(r kit.RawOp) error {
	switch c.Billing {
	case "", "pay_per_request":
		c.Billing = "pay_per_request"
		if c.Read != 0 || c.Write != 0 {
			return r.Errorf("read and write are for billing: provisioned")
		}
	case "provisioned":
		if c.Read <= 0 || c.Write <= 0 {
			return r.Errorf("billing: provisioned needs read and write units")
		}
	default:
		return r.Errorf("billing %q: want pay_per_request or provisioned", c.Billing)
	}
	return nil
}

func (c capacity) mode() types.BillingMode {
	if c.Billing == "provisioned" {
		return types.BillingModeProvisioned
	}
	return types.BillingModePayPerRequest
}

func (c capacity) throughput() *types.ProvisionedThroughput {
	if c.Billing != "provisioned" {
		return nil
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(c.Read), WriteCapacityUnits: aws.Int64(c.Write)}
}

func (c capacity) String() string {
	if c.Billing == "provisioned" {
		return fmt.Sprintf("provisioned %d RCU / %d WCU", c.Read, c.Write)
	}
	return "on demand"
}
