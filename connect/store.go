package connect

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Engines that are not SQL databases, as [StoreConfig.Engine] names them.
// Package engine opens them; this package only checks their URLs.
const (
	MongoDB       = "mongodb"
	DynamoDB      = "dynamodb"
	Redis         = "redis"
	Elasticsearch = "elasticsearch"
	OpenSearch    = "opensearch"
	Cassandra     = "cassandra"
)

// storeEngine maps a URL scheme to the store engine it names.
func storeEngine(scheme string) string {
	switch strings.ToLower(scheme) {
	case "mongodb", "mongodb+srv":
		return MongoDB
	case "dynamodb":
		return DynamoDB
	case "redis", "rediss":
		return Redis
	case "elasticsearch", "elasticsearchs":
		return Elasticsearch
	case "opensearch", "opensearchs":
		return OpenSearch
	case "cassandra":
		return Cassandra
	}
	return ""
}

// IsStore reports whether rawURL's scheme names a document, key-value,
// search or wide-column engine (mongodb://, mongodb+srv://, dynamodb://,
// redis://, rediss://, elasticsearch://, opensearch://, cassandra://)
// rather than a SQL database. It looks at the scheme alone.
func IsStore(rawURL string) bool {
	scheme, _, ok := strings.Cut(rawURL, ":")
	return ok && schemeRe.MatchString(scheme) && storeEngine(scheme) != ""
}

// StoreConfig is the URL of an engine that is not a SQL database, checked:
//
//	mongodb://user:pass@host:27017/db?replicaSet=rs   (and mongodb+srv://)
//	dynamodb://host:8000?region=us-east-1              a local endpoint (http; tls=true for https)
//	dynamodb://aws?region=eu-west-1                    the service, credentials from the AWS chain
//	redis://:pass@host:6379/0                          (rediss:// for TLS)
//	elasticsearch://user:pass@host:9200?tls=true       (also opensearch://; path=/es for a prefix)
//	cassandra://user:pass@host1,host2:9042/keyspace
//
// It holds the URL's secrets: print only URL.
type StoreConfig struct {
	// Engine is one of [MongoDB], [DynamoDB], [Redis], [Elasticsearch],
	// [OpenSearch], [Cassandra].
	Engine string
	// URL is the URL with its secrets hidden.
	URL string
	// Password is the URL's password (for DynamoDB, the secret access
	// key), so callers can scrub it from driver messages.
	Password string
	// User is the userinfo's user (for DynamoDB, the access key id).
	User string
	// Hosts are host:port pairs (several for Cassandra and MongoDB); for
	// DynamoDB on AWS it is empty.
	Hosts []string
	// Database is the MongoDB database, the Cassandra keyspace, or the
	// Redis database number ("0" when the URL has none).
	Database string
	// TLS is set by rediss://, ?tls=true, or (MongoDB) tls=true/ssl=true.
	TLS bool
	// Region is DynamoDB's region (?region=).
	Region string
	// Endpoint is DynamoDB's endpoint URL (http://host:port, or https
	// with tls=true), empty for the AWS service itself; for Elasticsearch
	// and OpenSearch, the base URL requests go to.
	Endpoint string
	// Query holds the URL's parameters.
	Query url.Values

	raw     string
	secrets []string
}

// Raw returns the URL as given, secrets included, for drivers that take a
// URL (MongoDB's). Never print it.
func (c *StoreConfig) Raw() string { return c.raw }

// Scrub hides every secret of the URL in s.
func (c *StoreConfig) Scrub(s string) string {
	return scrub(scrubAll(s, c.secrets), c.Password)
}

// ParseStore checks rawURL, the URL of a store engine ([IsStore]), without
// connecting. Every mistake it finds is a [*URLError] naming the part that
// is wrong: a scheme that names no store engine, a missing host, a MongoDB
// URL without a database, a Cassandra URL without a keyspace, a Redis
// database that is not a number, a DynamoDB URL without a region.
func ParseStore(rawURL string) (*StoreConfig, error) {
	c := &StoreConfig{URL: Redact(rawURL), Password: password(rawURL), secrets: secrets(rawURL), raw: rawURL}
	bad := func(part string, err error) error {
		return &URLError{URL: c.URL, Part: part, Err: errors.New(scrubAll(err.Error(), c.secrets))}
	}
	scheme, _, ok := strings.Cut(rawURL, ":")
	if !ok || !schemeRe.MatchString(scheme) || storeEngine(scheme) == "" {
		return nil, bad("scheme", fmt.Errorf("%w: want mongodb://, dynamodb://, redis://, elasticsearch://, opensearch:// or cassandra://", ErrUnknownScheme))
	}
	c.Engine = storeEngine(scheme)
	scheme = strings.ToLower(scheme)
	u, err := checkURL(rawURL, bad)
	if err != nil {
		return nil, err
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, bad("host", fmt.Errorf("no host: write %s://host:port/…", scheme))
	}
	if c.Query, err = checkQuery(u.RawQuery, bad); err != nil {
		return nil, err
	}
	if u.User != nil {
		c.User = u.User.Username()
	}
	c.Hosts = strings.Split(u.Host, ",")
	db := strings.Trim(u.Path, "/")
	tls, err := boolParam(c.Query, "tls", bad)
	if err != nil {
		return nil, err
	}
	c.TLS = tls || strings.HasSuffix(scheme, "s") && scheme != "redis"
	switch c.Engine {
	case MongoDB:
		if db == "" || strings.Contains(db, "/") {
			return nil, bad("path", errors.New("no database: write mongodb://host:27017/DATABASE"))
		}
		ssl, err := boolParam(c.Query, "ssl", bad)
		if err != nil {
			return nil, err
		}
		c.TLS = tls || ssl || scheme == "mongodb+srv"
	case Cassandra:
		if db == "" || strings.Contains(db, "/") {
			return nil, bad("path", errors.New("no keyspace: write cassandra://host:9042/KEYSPACE"))
		}
	case Redis:
		if db == "" {
			db = "0"
		}
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return nil, bad("path", fmt.Errorf("redis database %q is not a number: write redis://host:6379/0", db))
		}
		c.TLS = tls || scheme == "rediss"
	case DynamoDB:
		if db != "" {
			return nil, bad("path", errors.New("a DynamoDB URL has no path: dynamodb://host:8000?region=us-east-1, or dynamodb://aws?region=us-east-1"))
		}
		c.Region = c.Query.Get("region")
		if c.Region == "" {
			return nil, bad("region", errors.New("no region: add ?region=us-east-1 (any region for a local endpoint)"))
		}
		if strings.EqualFold(u.Host, "aws") {
			c.Hosts = nil
		} else {
			c.Endpoint = "http://" + u.Host
			if c.TLS {
				c.Endpoint = "https://" + u.Host
			}
		}
	case Elasticsearch, OpenSearch:
		if db != "" {
			return nil, bad("path", fmt.Errorf("%s://host:9200 has no path (use ?path=/prefix for a server behind a prefix)", scheme))
		}
		proto := "http"
		if c.TLS {
			proto = "https"
		}
		c.Endpoint = proto + "://" + u.Host + "/" + strings.Trim(c.Query.Get("path"), "/")
		c.Endpoint = strings.TrimSuffix(c.Endpoint, "/")
	}
	c.Database = db
	return c, nil
}

func boolParam(q url.Values, key string, bad func(string, error) error) (bool, error) {
	v := q.Get(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, bad(key, fmt.Errorf("%s=%q: want true or false", key, v))
	}
	return b, nil
}
