// Command nosql runs the judged scenarios of the store engines (issue 16)
// against the local stand-ins and prints their figures beside the engine's
// own bulk path:
//
//	go build -o /tmp/strata ./cmd/strata
//	go run ./bench/nosql -strata /tmp/strata -n 100000 [-only mongodb,dynamodb,redis]
//
// MongoDB (FerretDB): seed N documents with insertMany (the baseline),
// then four migrations (add a field with a default, rename a field, a
// unique index, a string turned into a number) applied by 10 concurrent
// `strata up` processes; status --json; every document checked; down to 0.
// DynamoDB (dynalite): seed N items with BatchWriteItem (the baseline),
// then `strata up` copying them into a second table with a transform,
// killed with SIGKILL part-way and run again; every item checked once.
// Redis: seed N keys with pipelined SET (the baseline), then rename them by
// pattern with `strata up` while another client writes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	goredis "github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var (
	strata = flag.String("strata", "strata", "the strata binary")
	n      = flag.Int("n", 100_000, "documents, items and keys")
	only   = flag.String("only", "mongodb,dynamodb,redis", "scenarios to run")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	tag := strconv.FormatInt(time.Now().Unix(), 36)
	for _, s := range strings.Split(*only, ",") {
		switch s {
		case "mongodb":
			mongoScenario(tag)
		case "dynamodb":
			dynamoScenario(tag)
		case "redis":
			redisScenario()
		}
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func rate(k int, d time.Duration) string {
	return fmt.Sprintf("%.0f/s", float64(k)/d.Seconds())
}

// dir writes files into a fresh migration directory.
func dir(files map[string]string) string {
	d, err := os.MkdirTemp("", "strata-bench-nosql")
	must(err)
	for name, body := range files {
		must(os.WriteFile(filepath.Join(d, name), []byte(body), 0o644))
	}
	return d
}

// run runs strata and returns its stdout, or both streams when it failed.
func run(url, migrations string, args ...string) (string, error) {
	cmd := exec.Command(*strata, append([]string{"--database", url, "--dir", migrations}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		return out.String() + errOut.String(), err
	}
	return out.String(), nil
}

func mongoScenario(tag string) {
	ctx := context.Background()
	dbName := "bench_nosql_" + tag
	url := "mongodb://127.0.0.1:27017/" + dbName
	c, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:27017"))
	must(err)
	db := c.Database(dbName)
	defer db.Drop(ctx)
	t0 := time.Now()
	for i := 0; i < *n; i += 1000 {
		docs := make([]any, 0, 1000)
		for j := i; j < min(i+1000, *n); j++ {
			docs = append(docs, bson.D{{Key: "_id", Value: j}, {Key: "name", Value: fmt.Sprintf("user %d", j)}, {Key: "price", Value: fmt.Sprintf("%d.5", j)}})
		}
		_, err := db.Collection("users").InsertMany(ctx, docs)
		must(err)
	}
	seed := time.Since(t0)
	migs := dir(map[string]string{
		"0001_status.yaml":  "operations:\n  - add_field: {collection: users, field: status, value: active}\n",
		"0002_rename.yaml":  "operations:\n  - rename_field: {collection: users, from: name, to: full_name}\n",
		"0003_index.yaml":   "operations:\n  - create_index: {collection: users, name: users_full_name, keys: {full_name: 1}, unique: true}\n",
		"0004_numeric.yaml": "operations:\n  - transform: {collection: users, set: {price: \"float(price)\"}, down: {set: {price: \"string(price)\"}}}\n",
	})
	defer os.RemoveAll(migs)
	t0 = time.Now()
	var wg sync.WaitGroup
	var applied atomic.Int64
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := run(url, migs, "up", "--json", "--lock-timeout", "30m")
			if err != nil {
				log.Fatalf("runner %d: %v\n%s", i, err, out)
			}
			var res struct{ Done []any }
			_ = json.Unmarshal([]byte(out), &res)
			applied.Add(int64(len(res.Done)))
		}()
	}
	wg.Wait()
	up := time.Since(t0)
	out, err := run(url, migs, "status", "--json")
	must(err)
	var st struct {
		Migrations []struct{ Version, State string }
	}
	must(json.Unmarshal([]byte(out), &st))
	states := []string{}
	for _, m := range st.Migrations {
		states = append(states, m.Version+"="+m.State)
	}
	cur, err := db.Collection("users").Find(ctx, bson.D{})
	must(err)
	bad, seen := 0, 0
	for cur.Next(ctx) {
		var d bson.M
		must(cur.Decode(&d))
		i := int(d["_id"].(int32))
		if d["status"] != "active" || d["full_name"] != fmt.Sprintf("user %d", i) || d["price"] != float64(i)+0.5 {
			bad++
		}
		seen++
	}
	t0 = time.Now()
	out, err = run(url, migs, "down", "--to", "0", "--yes")
	if err != nil {
		log.Fatalf("down: %v\n%s", err, out)
	}
	down := time.Since(t0)
	fmt.Printf("mongodb (FerretDB) %d documents: insertMany %s (%s); 4 migrations by 10 concurrent `strata up` %s (%s per migration), applied %d times in all; status %s; %d documents checked, %d wrong; down to 0 %s\n",
		*n, seed.Round(time.Millisecond), rate(*n, seed), up.Round(time.Millisecond), rate(*n*4, up), applied.Load(), strings.Join(states, " "), seen, bad, down.Round(time.Millisecond))
}

func dynamoScenario(tag string) {
	ctx := context.Background()
	c := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:8000"), Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	prefix := "bench_" + tag + "_"
	url := "dynamodb://127.0.0.1:8000?region=us-east-1"
	defer func() {
		tables, _ := c.ListTables(ctx, &dynamodb.ListTablesInput{})
		for _, t := range tables.TableNames {
			if strings.HasPrefix(t, prefix) {
				c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(t)})
			}
		}
	}()
	migs := dir(map[string]string{
		"0001_orders.yaml": "operations:\n  - create_table: {name: " + prefix + "orders, partition_key: {name: id, type: S}}\n",
		"0002_copy.yaml": "operations:\n  - create_table: {name: " + prefix + "orders2, partition_key: {name: id, type: S}}\n" +
			"  - copy_table: {from: " + prefix + "orders, to: " + prefix + "orders2, segments: 1, set: {euros: \"cents / 100\"}}\n",
	})
	defer os.RemoveAll(migs)
	hist := []string{"--table", prefix + "history"}
	out, err := run(url, migs, append([]string{"up", "--to", "1"}, hist...)...)
	if err != nil {
		log.Fatalf("up 1: %v\n%s", err, out)
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 25; i < *n; i += 100 {
				var reqs []types.WriteRequest
				for j := i; j < min(i+25, *n); j++ {
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
						"id": &types.AttributeValueMemberS{Value: "o" + strconv.Itoa(j)}, "cents": &types.AttributeValueMemberN{Value: strconv.Itoa(j * 100)}}}})
				}
				_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{prefix + "orders": reqs}})
				must(err)
			}
		}()
	}
	wg.Wait()
	seed := time.Since(t0)
	// Kill -9 part-way through the copy, then resume.
	cmd := exec.Command(*strata, append([]string{"--database", url, "--dir", migs, "up"}, hist...)...)
	must(cmd.Start())
	t0 = time.Now()
	for count(ctx, c, prefix+"orders2") < *n/3 && time.Since(t0) < 10*time.Minute {
		time.Sleep(200 * time.Millisecond)
	}
	must(cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	first := time.Since(t0)
	atKill := count(ctx, c, prefix+"orders2")
	status, _ := run(url, migs, append([]string{"status"}, hist...)...)
	t1 := time.Now()
	out, err = run(url, migs, append([]string{"up", "--lock-timeout", "2m"}, hist...)...)
	if err != nil {
		log.Fatalf("resume: %v\n%s", err, out)
	}
	resume := time.Since(t1)
	// Every item once, transformed.
	seen, bad := map[string]bool{}, 0
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(prefix + "orders2")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(err)
		for _, it := range page.Items {
			id := it["id"].(*types.AttributeValueMemberS).Value
			if seen[id] {
				bad++
			}
			seen[id] = true
			cents, _ := strconv.Atoi(it["cents"].(*types.AttributeValueMemberN).Value)
			if e, ok := it["euros"].(*types.AttributeValueMemberN); !ok || e.Value != strconv.Itoa(cents/100) {
				bad++
			}
		}
	}
	fmt.Printf("dynamodb (dynalite) %d items: BatchWriteItem seed %s (%s); strata copy with a transform killed (SIGKILL) after %s with %d items copied (%s); history then: %s; resumed (after the killed runner's 30s lease expired) and finished in %s; %d distinct items in the copy, %d wrong or duplicated\n",
		*n, seed.Round(time.Millisecond), rate(*n, seed), first.Round(time.Millisecond), atKill, rate(atKill, first), strings.Join(strings.Fields(lastLine(status)), " "), resume.Round(time.Millisecond), len(seen), bad)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "2 ") {
			return l
		}
	}
	return lines[len(lines)-1]
}

func count(ctx context.Context, c *dynamodb.Client, table string) int {
	out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount})
	if err != nil {
		return 0
	}
	total := int(out.Count)
	for out.LastEvaluatedKey != nil {
		out, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount, ExclusiveStartKey: out.LastEvaluatedKey})
		if err != nil {
			return total
		}
		total += int(out.Count)
	}
	return total
}

func redisScenario() {
	ctx := context.Background()
	const db = 14
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379", DB: db})
	must(c.FlushDB(ctx).Err())
	defer c.FlushDB(ctx)
	t0 := time.Now()
	for i := 0; i < *n; i += 1000 {
		pipe := c.Pipeline()
		for j := i; j < min(i+1000, *n); j++ {
			pipe.Set(ctx, "user:"+strconv.Itoa(j), "v"+strconv.Itoa(j), 0)
		}
		_, err := pipe.Exec(ctx)
		must(err)
	}
	seed := time.Since(t0)
	// The engine's own bulk path for the same change: pipelined RENAME of
	// the keys SCAN finds, on a copy of the keys.
	t0 = time.Now()
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, "user:*", 1000).Result()
		must(err)
		pipe := c.Pipeline()
		for _, k := range keys {
			pipe.Rename(ctx, k, "tmp:"+strings.TrimPrefix(k, "user:"))
		}
		_, err = pipe.Exec(ctx)
		must(err)
		if cursor = next; cursor == 0 {
			break
		}
	}
	hand := time.Since(t0)
	for {
		keys, next, err := c.Scan(ctx, cursor, "tmp:*", 1000).Result()
		must(err)
		pipe := c.Pipeline()
		for _, k := range keys {
			pipe.Rename(ctx, k, "user:"+strings.TrimPrefix(k, "tmp:"))
		}
		_, err = pipe.Exec(ctx)
		must(err)
		if cursor = next; cursor == 0 {
			break
		}
	}
	migs := dir(map[string]string{"0001_rename.yaml": "operations:\n  - rename_keys: {match: \"user:*\", from: \"user:\", to: \"account:\"}\n"})
	defer os.RemoveAll(migs)
	stop := make(chan struct{})
	var writes atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if c.Set(ctx, "other:"+strconv.Itoa(i), "x", 0).Err() == nil {
				writes.Add(1)
			}
		}
	}()
	t0 = time.Now()
	out, err := run("redis://127.0.0.1:6379/"+strconv.Itoa(db), migs, "up")
	up := time.Since(t0)
	close(stop)
	wg.Wait()
	if err != nil {
		log.Fatalf("up: %v\n%s", err, out)
	}
	left, _ := c.Eval(ctx, "return #redis.call('KEYS', ARGV[1])", nil, "user:*").Int()
	moved, _ := c.Eval(ctx, "return #redis.call('KEYS', ARGV[1])", nil, "account:*").Int()
	others, _ := c.Eval(ctx, "return #redis.call('KEYS', ARGV[1])", nil, "other:*").Int()
	fmt.Printf("redis %d keys: pipelined SET seed %s (%s); hand-written SCAN + pipelined RENAME %s (%s); strata rename_keys while another client wrote %d keys: %s (%s, whole process); %d renamed, %d left, %d of the writer's keys present\n",
		*n, seed.Round(time.Millisecond), rate(*n, seed), hand.Round(time.Millisecond), rate(*n, hand), writes.Load(), up.Round(time.Millisecond), rate(*n, up), moved, left, others)
}
