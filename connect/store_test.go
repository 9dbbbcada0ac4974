package connect_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/strata-db/strata/connect"
)

func TestParseStore(t *testing.T) {
	for _, tc := range []struct {
		url, engine, db, endpoint string
		hosts                     int
		tls                       bool
	}{
		{"mongodb://u:secret@127.0.0.1:27017/app?authSource=admin", connect.MongoDB, "app", "", 1, false},
		{"mongodb+srv://u:secret@cluster.example.com/app", connect.MongoDB, "app", "", 1, true},
		{"mongodb://h1:27017,h2:27017/app?replicaSet=rs", connect.MongoDB, "app", "", 2, false},
		{"dynamodb://127.0.0.1:8000?region=us-east-1", connect.DynamoDB, "", "http://127.0.0.1:8000", 1, false},
		{"dynamodb://aws?region=eu-west-1", connect.DynamoDB, "", "", 0, false},
		{"redis://:secret@127.0.0.1:6379/3", connect.Redis, "3", "", 1, false},
		{"rediss://127.0.0.1:6380", connect.Redis, "0", "", 1, true},
		{"elasticsearch://u:p@127.0.0.1:9200?tls=true", connect.Elasticsearch, "", "https://127.0.0.1:9200", 1, true},
		{"opensearch://127.0.0.1:9200?path=/es", connect.OpenSearch, "", "http://127.0.0.1:9200/es", 1, false},
		{"cassandra://u:p@c1,c2:9042/ks", connect.Cassandra, "ks", "", 2, false},
	} {
		c, err := connect.ParseStore(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if c.Engine != tc.engine || c.Database != tc.db || c.Endpoint != tc.endpoint || len(c.Hosts) != tc.hosts || c.TLS != tc.tls {
			t.Errorf("%s = %+v", tc.url, c)
		}
		if strings.Contains(c.URL, "secret") || !connect.IsStore(tc.url) {
			t.Errorf("%s: URL %s shows the password, or IsStore is false", tc.url, c.URL)
		}
	}
}

func TestParseStoreRefusesWhatCannotWork(t *testing.T) {
	for _, tc := range []struct{ url, part string }{
		{"mongodb://127.0.0.1:27017", "path"},
		{"mongodb://u:secret@127.0.0.1:27017/", "path"},
		{"cassandra://127.0.0.1:9042", "path"},
		{"redis://127.0.0.1:6379/zero", "path"},
		{"dynamodb://127.0.0.1:8000", "region"},
		{"dynamodb://127.0.0.1:8000/table?region=x", "path"},
		{"redis:///0", "host"},
		{"couchdb://127.0.0.1/x", "scheme"},
		{"mongodb://127.0.0.1/app?tls=maybe", "tls"},
	} {
		_, err := connect.ParseStore(tc.url)
		var ue *connect.URLError
		if !errors.As(err, &ue) || ue.Part != tc.part || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v, want a URLError about %s without the password", tc.url, err, tc.part)
		}
	}
	if _, err := connect.Engine("mongodb://127.0.0.1/app"); err == nil || !strings.Contains(err.Error(), "mongodb is not a SQL database") {
		t.Errorf("Engine of a MongoDB URL: %v", err)
	}
	if connect.IsStore("postgres://x/y") || connect.IsStore("sqlite:x.db") {
		t.Error("IsStore is true for a SQL URL")
	}
}
