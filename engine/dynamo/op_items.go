package dynamo

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/strata-db/strata/engine/internal/kit"
)

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// keyJSON is a key attribute value in a checkpoint: {"S": "…"}, {"N":
// "…"} or {"B": base64}.
type keyJSON map[string]string

func encodeKey(k map[string]types.AttributeValue) map[string]keyJSON {
	if len(k) == 0 {
		return nil
	}
	out := map[string]keyJSON{}
	for name, v := range k {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			out[name] = keyJSON{"S": v.Value}
		case *types.AttributeValueMemberN:
			out[name] = keyJSON{"N": v.Value}
		case *types.AttributeValueMemberB:
			out[name] = keyJSON{"B": base64.StdEncoding.EncodeToString(v.Value)}
		}
	}
	return out
}

func decodeKey(k map[string]keyJSON) map[string]types.AttributeValue {
	if len(k) == 0 {
		return nil
	}
	out := map[string]types.AttributeValue{}
	for name, v := range k {
		switch {
		case hasKey(v, "S"):
			out[name] = &types.AttributeValueMemberS{Value: v["S"]}
		case hasKey(v, "N"):
			out[name] = &types.AttributeValueMemberN{Value: v["N"]}
		case hasKey(v, "B"):
			b, _ := base64.StdEncoding.DecodeString(v["B"])
			out[name] = &types.AttributeValueMemberB{Value: b}
		}
	}
	return out
}

func hasKey(m keyJSON, k string) bool { _, ok := m[k]; return ok }

// segment is one parallel scan segment's position.
type segment struct {
	Last     map[string]keyJSON `json:"last,omitempty"`
	Done     int64              `json:"done"`
	Finished bool               `json:"finished,omitempty"`
}

// scanState is the checkpoint of a parallel scan.
type scanState struct {
	Segments []segment `json:"segments"`
}

// scan reads table in segments parallel segments, page items a page,
// calling fn on each page and saving every segment's position after each
// of its pages.
func (e *engine) scan(ctx context.Context, x *kit.Exec, table string, segments, page int, fn func(ctx context.Context, items []map[string]types.AttributeValue) error) error {
	var st scanState
	if _, err := x.Resume(&st); err != nil {
		return err
	}
	if len(st.Segments) != segments {
		st = scanState{Segments: make([]segment, segments)}
	}
	total := int64(0)
	if out, err := e.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}); err == nil {
		total = aws.ToInt64(out.Table.ItemCount)
	}
	var mu sync.Mutex
	done := func() int64 {
		var n int64
		for _, s := range st.Segments {
			n += s.Done
		}
		return n
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := range segments {
		g.Go(func() error {
			mu.Lock()
			seg := st.Segments[i]
			mu.Unlock()
			for !seg.Finished {
				t0 := time.Now()
				out, err := e.c.Scan(gctx, &dynamodb.ScanInput{TableName: aws.String(table), Segment: aws.Int32(int32(i)), TotalSegments: aws.Int32(int32(segments)),
					ExclusiveStartKey: decodeKey(seg.Last), Limit: aws.Int32(int32(page)), ConsistentRead: aws.Bool(true)})
				if err != nil {
					return fmt.Errorf("scan %s segment %d: %w", table, i, err)
				}
				if len(out.Items) > 0 {
					// A page, once read, is written to its end: the stop
					// comes between pages, at a checkpoint.
					if err := fn(context.WithoutCancel(gctx), out.Items); err != nil {
						return fmt.Errorf("segment %d: %w", i, err)
					}
				}
				seg.Last, seg.Done = encodeKey(out.LastEvaluatedKey), seg.Done+int64(len(out.Items))
				seg.Finished = len(out.LastEvaluatedKey) == 0
				mu.Lock()
				st.Segments[i] = seg
				n := done()
				err = x.Checkpoint(context.WithoutCancel(gctx), st, n)
				mu.Unlock()
				if err != nil {
					return err
				}
				x.Batch(gctx, table, n, total, time.Since(t0))
				if err := gctx.Err(); err != nil {
					return context.Cause(gctx)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// writeAll puts items into table with BatchWriteItem, 25 at a time,
// retrying unprocessed items with exponential backoff and jitter (the
// SDK's retryer already backs off on throttling errors).
func (e *engine) writeAll(ctx context.Context, table string, items []map[string]types.AttributeValue) error {
	for len(items) > 0 {
		n := min(25, len(items))
		reqs := make([]types.WriteRequest, n)
		for i, it := range items[:n] {
			reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
		}
		items = items[n:]
		backoff := 50 * time.Millisecond
		for attempt := 0; len(reqs) > 0; attempt++ {
			out, err := e.c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
			if err != nil {
				return fmt.Errorf("BatchWriteItem into %s: %w", table, err)
			}
			reqs = out.UnprocessedItems[table]
			if len(reqs) == 0 {
				break
			}
			if attempt >= 12 {
				return fmt.Errorf("BatchWriteItem into %s: %d items still unprocessed after %d retries (throttled: raise the table's write capacity, or lower segments)", table, len(reqs), attempt)
			}
			time.Sleep(backoff + time.Duration(rand.Int64N(int64(backoff))))
			backoff = min(backoff*2, 5*time.Second)
		}
	}
	return nil
}

// copyTable copies every item of From into To, optionally transformed
// (set: expressions over the item's attributes).
type copyTable struct {
	e        *engine
	From     string            `yaml:"from"`
	To       string            `yaml:"to"`
	Segments int               `yaml:"segments"`
	Page     int               `yaml:"page"`
	Set      map[string]string `yaml:"set"`
	set      *kit.Set
	ownsTo   bool // an earlier operation of the migration creates To
}

func newCopyTable(e *engine, r kit.RawOp, prev []kit.Op) (kit.Op, error) {
	o := &copyTable{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "from", o.From, "to", o.To); err != nil {
		return nil, err
	}
	if o.Segments <= 0 {
		o.Segments = 4
	}
	if o.Page <= 0 {
		o.Page = 1000
	}
	var err error
	if len(o.Set) > 0 {
		if o.set, err = kit.CompileSet(r, "set", o.Set); err != nil {
			return nil, err
		}
	}
	for _, p := range prev {
		if c, ok := p.(*createTable); ok && c.Name == o.To {
			o.ownsTo = true
		}
	}
	return o, nil
}

func (o *copyTable) Needs() []string { return []string{o.From, o.To} }
func (o *copyTable) Describe() []string {
	s := fmt.Sprintf("copy every item of %s into %s: %d parallel scan segments, pages of %d, BatchWriteItem of 25 with retries of unprocessed items", o.From, o.To, o.Segments, o.Page)
	if o.set.Len() > 0 {
		var parts []string
		for _, f := range o.set.Fields() {
			parts = append(parts, f+" = "+o.Set[f])
		}
		s += "; each item transformed: " + strings.Join(parts, ", ")
	}
	return []string{s}
}

// Inverse: the copied items go with the target table when the migration
// created it (its create_table is undone after this); otherwise they
// cannot be told apart from the items the table had.
func (o *copyTable) Inverse() kit.Op {
	if !o.ownsTo {
		return nil
	}
	return nothing{fmt.Sprintf("nothing for the copy into %s: its items go with the table", o.To)}
}

func (o *copyTable) Run(ctx context.Context, x *kit.Exec) error {
	return o.e.scan(ctx, x, o.From, o.Segments, o.Page, func(ctx context.Context, items []map[string]types.AttributeValue) error {
		if o.set.Len() > 0 {
			for _, it := range items {
				if err := applySet(o.set, it); err != nil {
					return err
				}
			}
		}
		return o.e.writeAll(ctx, o.To, items)
	})
}

// applySet evaluates the expressions on item and stores the results in it.
func applySet(s *kit.Set, item map[string]types.AttributeValue) error {
	var m map[string]any
	if err := attributevalue.UnmarshalMap(item, &m); err != nil {
		return err
	}
	vals, err := s.Eval(m)
	if err != nil {
		return fmt.Errorf("item %v: %w", encodeKey(item), err)
	}
	for k, v := range vals {
		av, err := attributevalue.Marshal(v)
		if err != nil {
			return fmt.Errorf("set %s: %w", k, err)
		}
		item[k] = av
	}
	return nil
}

// nothing is an operation that does nothing, saying why.
type nothing struct{ why string }

func (n nothing) Describe() []string                   { return []string{n.why} }
func (n nothing) Run(context.Context, *kit.Exec) error { return nil }

// transform updates every item of a table in place: SET of expressions
// evaluated on each item (UpdateItem, from a few workers per page), and
// REMOVE of attributes.
type transform struct {
	e        *engine
	Table    string            `yaml:"table"`
	Set      map[string]string `yaml:"set"`
	Remove   []string          `yaml:"remove"`
	Segments int               `yaml:"segments"`
	Page     int               `yaml:"page"`
	set      *kit.Set
}

func newTransform(e *engine, r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	o := &transform{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "table", o.Table); err != nil {
		return nil, err
	}
	if len(o.Set) == 0 && len(o.Remove) == 0 {
		return nil, r.Errorf("give set: (attribute: expression) or remove: (attributes)")
	}
	if o.Segments <= 0 {
		o.Segments = 4
	}
	if o.Page <= 0 {
		o.Page = 500
	}
	var err error
	if len(o.Set) > 0 {
		o.set, err = kit.CompileSet(r, "set", o.Set)
	}
	return o, err
}

func (o *transform) Needs() []string { return []string{o.Table} }
func (o *transform) Describe() []string {
	var parts []string
	for _, f := range o.set.Fields() {
		parts = append(parts, "SET "+f+" = "+o.Set[f])
	}
	if len(o.Remove) > 0 {
		parts = append(parts, "REMOVE "+strings.Join(o.Remove, ", "))
	}
	return []string{fmt.Sprintf("transform every item of %s: %s (UpdateItem per item, %d scan segments)", o.Table, strings.Join(parts, "; "), o.Segments)}
}

func (o *transform) Run(ctx context.Context, x *kit.Exec) error {
	out, err := o.e.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(o.Table)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", o.Table, err)
	}
	var keys []string
	for _, k := range out.Table.KeySchema {
		keys = append(keys, aws.ToString(k.AttributeName))
	}
	return o.e.scan(ctx, x, o.Table, o.Segments, o.Page, func(ctx context.Context, items []map[string]types.AttributeValue) error {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(8)
		for _, it := range items {
			g.Go(func() error { return o.one(gctx, keys, it) })
		}
		return g.Wait()
	})
}

func (o *transform) one(ctx context.Context, keys []string, item map[string]types.AttributeValue) error {
	key := map[string]types.AttributeValue{}
	for _, k := range keys {
		key[k] = item[k]
	}
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var sets, removes []string
	if o.set.Len() > 0 {
		newItem := map[string]types.AttributeValue{}
		for k, v := range item {
			newItem[k] = v
		}
		if err := applySet(o.set, newItem); err != nil {
			return err
		}
		fields := o.set.Fields()
		sort.Strings(fields)
		for i, f := range fields {
			names[fmt.Sprintf("#s%d", i)] = f
			values[fmt.Sprintf(":s%d", i)] = newItem[f]
			sets = append(sets, fmt.Sprintf("#s%d = :s%d", i, i))
		}
	}
	for i, f := range o.Remove {
		names[fmt.Sprintf("#r%d", i)] = f
		removes = append(removes, fmt.Sprintf("#r%d", i))
	}
	expr := ""
	if len(sets) > 0 {
		expr = "SET " + strings.Join(sets, ", ")
	}
	if len(removes) > 0 {
		expr += " REMOVE " + strings.Join(removes, ", ")
	}
	in := &dynamodb.UpdateItemInput{TableName: aws.String(o.Table), Key: key, UpdateExpression: aws.String(strings.TrimSpace(expr)), ExpressionAttributeNames: names}
	if len(values) > 0 {
		in.ExpressionAttributeValues = values
	}
	if _, err := o.e.c.UpdateItem(ctx, in); err != nil {
		return fmt.Errorf("update item %v of %s: %w", encodeKey(key), o.Table, err)
	}
	return nil
}
