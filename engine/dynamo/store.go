package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Store keeps history in a table keyed by id: an item "v#VERSION" per
// migration, and the item "lock" for the runner lock, a lease written with
// a condition expression (absent, or expired) and renewed and released on
// condition that its owner is unchanged. Expiry times come from the
// runners' clocks. The table is created on demand (on-demand billing). It
// is safe for concurrent use.
type Store struct {
	e     *engine
	table string
	what  string
	ttl   time.Duration

	once sync.Mutex
	made bool
}

var (
	_ migrate.Store = (*Store)(nil)
	_ kit.Leaser    = (*Store)(nil)
)

type item struct {
	ID string `dynamodbav:"id"`
	kit.Row
}

func isCondition(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

// Ensure implements [migrate.Store]: it creates the history table when it
// is missing and waits until it is ACTIVE.
func (s *Store) Ensure(ctx context.Context) error {
	s.once.Lock()
	defer s.once.Unlock()
	if s.made {
		return nil
	}
	_, err := s.e.c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(s.table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create history table %s: %w", s.table, err)
	}
	if err := s.e.waitActive(ctx, nil, s.table, "", false); err != nil {
		return err
	}
	s.made = true
	return nil
}

// List implements [migrate.Store].
func (s *Store) List(ctx context.Context) ([]migrate.Record, error) {
	var out []migrate.Record
	p := dynamodb.NewScanPaginator(s.e.c, &dynamodb.ScanInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read history table %s: %w", s.table, err)
		}
		for _, av := range page.Items {
			if id, ok := av["id"].(*types.AttributeValueMemberS); !ok || id.Value == "lock" {
				continue
			}
			var it item
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("read history table %s: %w", s.table, err)
			}
			out = append(out, it.Record())
		}
	}
	return out, nil
}

func (s *Store) put(ctx context.Context, r migrate.Record, cond string) error {
	av, err := attributevalue.MarshalMap(item{ID: "v#" + string(r.Version), Row: kit.ToRow(r)})
	if err != nil {
		return err
	}
	_, err = s.e.c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: av, ConditionExpression: aws.String(cond)})
	return err
}

// Insert implements [migrate.Store]: a put conditional on the item being
// absent.
func (s *Store) Insert(ctx context.Context, r migrate.Record) error {
	err := s.put(ctx, r, "attribute_not_exists(id)")
	if isCondition(err) {
		return fmt.Errorf("insert history %s: it is recorded already (another runner?)", r.Version)
	}
	if err != nil {
		return fmt.Errorf("insert history %s into %s: %w", r.Version, s.table, err)
	}
	return nil
}

// Update implements [migrate.Store]: a put conditional on the item
// existing.
func (s *Store) Update(ctx context.Context, r migrate.Record) error {
	err := s.put(ctx, r, "attribute_exists(id)")
	if isCondition(err) {
		return fmt.Errorf("update history %s: it is not recorded", r.Version)
	}
	if err != nil {
		return fmt.Errorf("update history %s in %s: %w", r.Version, s.table, err)
	}
	return nil
}

// Delete implements [migrate.Store].
func (s *Store) Delete(ctx context.Context, v migrate.Version) error {
	_, err := s.e.c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key("v#" + string(v))})
	if err != nil {
		return fmt.Errorf("delete history %s from %s: %w", v, s.table, err)
	}
	return nil
}

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}
}

// Lock implements [migrate.Locker]. The lock lives in the history table,
// which it creates first when missing.
func (s *Store) Lock(ctx context.Context, opts dialect.LockOptions) (dialect.Lock, error) {
	if err := s.Ensure(ctx); err != nil {
		return nil, err
	}
	return kit.Acquire(ctx, s, s.what, kit.NewLease(s.ttl), opts)
}

func ms(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

// TryAcquire implements [kit.Leaser].
func (s *Store) TryAcquire(ctx context.Context, l *kit.Lease) (bool, string, error) {
	now := time.Now()
	_, err := s.e.c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "lock"}, "owner": &types.AttributeValueMemberS{Value: l.Owner},
			"holder": &types.AttributeValueMemberS{Value: l.Holder}, "expires": ms(now.Add(l.TTL))},
		ConditionExpression:       aws.String("attribute_not_exists(id) OR expires < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": ms(now)},
	})
	if err == nil {
		return true, "", nil
	}
	if !isCondition(err) {
		return false, "", err
	}
	out, err := s.e.c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key("lock"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, "", err
	}
	holder := ""
	if h, ok := out.Item["holder"].(*types.AttributeValueMemberS); ok {
		holder = h.Value
	}
	return false, holder, nil
}

// Renew implements [kit.Leaser].
func (s *Store) Renew(ctx context.Context, l *kit.Lease) error {
	_, err := s.e.c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key("lock"),
		UpdateExpression:          aws.String("SET expires = :e"),
		ConditionExpression:       aws.String("#o = :o"),
		ExpressionAttributeNames:  map[string]string{"#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": ms(time.Now().Add(l.TTL)), ":o": &types.AttributeValueMemberS{Value: l.Owner}},
	})
	if isCondition(err) {
		return fmt.Errorf("%s lock item: %w", s.table, kit.ErrNotOwner)
	}
	return err
}

// Release implements [kit.Leaser].
func (s *Store) Release(ctx context.Context, l *kit.Lease) error {
	_, err := s.e.c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: key("lock"),
		ConditionExpression:       aws.String("#o = :o"),
		ExpressionAttributeNames:  map[string]string{"#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: l.Owner}},
	})
	if isCondition(err) {
		return nil
	}
	return err
}
