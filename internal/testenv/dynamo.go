package testenv

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

const (
	dynamoEnv     = "STRATA_TEST_DYNAMODB"
	dynamoDefault = "dynamodb://127.0.0.1:8000?region=us-east-1"
)

var dynamoServer struct {
	once   sync.Once
	client *dynamodb.Client
	err    error
}

// DynamoDB returns the URL of the DynamoDB endpoint in STRATA_TEST_DYNAMODB
// (default dynamodb://127.0.0.1:8000?region=us-east-1: dynalite, started by
// scripts/services) and a table-name prefix only this test uses
// (strata_test_<hex>_). DynamoDB has no databases: the test names every
// table it makes, history included, with the prefix, and the tables with
// it are deleted when the test ends.
//
// An unreachable server skips the test, or fails it when CI is true.
func DynamoDB(t testing.TB) (url, prefix string) {
	t.Helper()
	s := &dynamoServer
	url = envOr(dynamoEnv, dynamoDefault)
	s.once.Do(func() {
		endpoint := "http://" + strings.TrimPrefix(strings.SplitN(url, "?", 2)[0], "dynamodb://")
		s.client = dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
			Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), HTTPClient: &http.Client{Timeout: adminTimeout}})
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		_, s.err = s.client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	})
	if s.err != nil {
		unavailable(t, "DynamoDB (dynalite)", url, dynamoEnv, s.err)
		return "", ""
	}
	prefix = newName() + "_"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		p := dynamodb.NewListTablesPaginator(s.client, &dynamodb.ListTablesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Errorf("testenv: list DynamoDB tables: %v", err)
				return
			}
			for _, name := range page.TableNames {
				if strings.HasPrefix(name, prefix) {
					if _, err := s.client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
						t.Errorf("testenv: delete DynamoDB table %s: %v", name, err)
					}
				}
			}
		}
	})
	return url, prefix
}
