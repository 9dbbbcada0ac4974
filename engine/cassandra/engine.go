package cassandra

import (
	"context"
	"fmt"
	"strings"

	"github.com/gocql/gocql"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/engine/internal/kit"
)

// engine is Cassandra as the shared step runner sees it.
type engine struct {
	s  *gocql.Session
	ks string
}

var _ kit.Engine = (*engine)(nil)

func (e *engine) Name() string { return "cassandra" }

func (e *engine) Mode() string {
	return "one schema statement at a time, each followed by a wait for schema agreement; Cassandra has no transactional DDL"
}

// Exists reports whether a table exists in the keyspace.
func (e *engine) Exists(ctx context.Context, table string) (bool, error) {
	var n int
	err := e.s.Query("SELECT count(*) FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?", e.ks, table).WithContext(ctx).Scan(&n)
	return n > 0, err
}

func (e *engine) Op(r kit.RawOp, _ []kit.Op) (kit.Op, error) {
	var c cql
	var err error
	switch r.Name {
	case "create_table":
		c, err = newCreateTable(e.ks, r)
	case "drop_table":
		c, err = newDrop(e.ks, r, "TABLE")
	case "add_column":
		c, err = newColumn(e.ks, r, true)
	case "drop_column":
		c, err = newColumn(e.ks, r, false)
	case "create_index":
		c, err = newCreateIndex(e.ks, r)
	case "drop_index":
		c, err = newDrop(e.ks, r, "INDEX")
	case "create_materialized_view":
		c, err = newCreateView(e.ks, r)
	case "drop_materialized_view":
		c, err = newDrop(e.ks, r, "MATERIALIZED VIEW")
	default:
		return nil, r.Errorf("unknown operation for Cassandra (want create_table, drop_table, add_column, drop_column, create_index, drop_index, create_materialized_view, drop_materialized_view)")
	}
	if err != nil {
		return nil, err
	}
	return &op{e: e, c: c}, nil
}

// cql is an operation as CQL: its statement, and the one that undoes it
// ("" when nothing does).
type cql struct {
	up, down string
	needs    string
	creates  string
}

// op runs a cql and waits for schema agreement.
type op struct {
	e *engine
	c cql
}

func (o *op) Describe() []string { return []string{o.c.up + ";"} }

func (o *op) Needs() []string {
	if o.c.needs == "" {
		return nil
	}
	return []string{o.c.needs}
}

func (o *op) Creates() []string {
	if o.c.creates == "" {
		return nil
	}
	return []string{o.c.creates}
}

func (o *op) Inverse() kit.Op {
	if o.c.down == "" {
		return nil
	}
	return &op{e: o.e, c: cql{up: o.c.down}}
}

func (o *op) Run(ctx context.Context, _ *kit.Exec) error {
	if err := o.e.s.Query(o.c.up).WithContext(ctx).Exec(); err != nil {
		return fmt.Errorf("%s: %w", o.c.up, err)
	}
	if err := o.e.s.AwaitSchemaAgreement(ctx); err != nil {
		return fmt.Errorf("wait for schema agreement after %s: %w", o.c.up, err)
	}
	return nil
}

// orderedMap reads a YAML mapping as name/value pairs, in order.
func orderedMap(r kit.RawOp, field string, n yaml.Node) ([][2]string, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, r.Errorf("%s: want a map of name: type, in order", field)
	}
	var out [][2]string
	for i := 0; i < len(n.Content); i += 2 {
		out = append(out, [2]string{n.Content[i].Value, n.Content[i+1].Value})
	}
	return out, nil
}

func quoteAll(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = quote(id)
	}
	return strings.Join(q, ", ")
}

// primaryKey renders PRIMARY KEY ((partition…), clustering…).
func primaryKey(partition, clustering []string) string {
	pk := "(" + quoteAll(partition) + ")"
	if len(clustering) > 0 {
		pk += ", " + quoteAll(clustering)
	}
	return "PRIMARY KEY (" + pk + ")"
}

func newCreateTable(ks string, r kit.RawOp) (cql, error) {
	var a struct {
		Name       string    `yaml:"name"`
		Columns    yaml.Node `yaml:"columns"`
		Partition  []string  `yaml:"partition_key"`
		Clustering []string  `yaml:"clustering_key"`
		With       string    `yaml:"with"`
	}
	if err := kit.Decode(r, &a); err != nil {
		return cql{}, err
	}
	if err := kit.Require(r, "name", a.Name, "partition_key", a.Partition); err != nil {
		return cql{}, err
	}
	cols, err := orderedMap(r, "columns", a.Columns)
	if err != nil {
		return cql{}, err
	}
	defs := make([]string, 0, len(cols)+1)
	for _, c := range cols {
		defs = append(defs, quote(c[0])+" "+c[1])
	}
	defs = append(defs, primaryKey(a.Partition, a.Clustering))
	up := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s)", qualified(ks, a.Name), strings.Join(defs, ", "))
	if a.With != "" {
		up += " WITH " + a.With
	}
	return cql{up: up, down: "DROP TABLE IF EXISTS " + qualified(ks, a.Name), creates: a.Name}, nil
}

func newDrop(ks string, r kit.RawOp, what string) (cql, error) {
	var a struct {
		Name string `yaml:"name"`
	}
	if err := kit.Decode(r, &a); err != nil {
		return cql{}, err
	}
	if err := kit.Require(r, "name", a.Name); err != nil {
		return cql{}, err
	}
	c := cql{up: fmt.Sprintf("DROP %s IF EXISTS %s", what, qualified(ks, a.Name))}
	if what == "TABLE" {
		c.needs = a.Name
	}
	return c, nil
}

func newColumn(ks string, r kit.RawOp, add bool) (cql, error) {
	var a struct {
		Table string `yaml:"table"`
		Name  string `yaml:"name"`
		Type  string `yaml:"type"`
	}
	if err := kit.Decode(r, &a); err != nil {
		return cql{}, err
	}
	if err := kit.Require(r, "table", a.Table, "name", a.Name); err != nil {
		return cql{}, err
	}
	t := qualified(ks, a.Table)
	drop := fmt.Sprintf("ALTER TABLE %s DROP %s", t, quote(a.Name))
	if !add {
		return cql{up: drop, needs: a.Table}, nil
	}
	if a.Type == "" {
		return cql{}, r.Errorf("type is required (text, int, bigint, timestamp, uuid, map<text, text>, …)")
	}
	return cql{up: fmt.Sprintf("ALTER TABLE %s ADD %s %s", t, quote(a.Name), a.Type), down: drop, needs: a.Table}, nil
}

func newCreateIndex(ks string, r kit.RawOp) (cql, error) {
	var a struct {
		Table  string `yaml:"table"`
		Name   string `yaml:"name"`
		Column string `yaml:"column"`
		Using  string `yaml:"using"`
	}
	if err := kit.Decode(r, &a); err != nil {
		return cql{}, err
	}
	if err := kit.Require(r, "table", a.Table, "name", a.Name, "column", a.Column); err != nil {
		return cql{}, err
	}
	up := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", quote(a.Name), qualified(ks, a.Table), quote(a.Column))
	if a.Using != "" {
		up = fmt.Sprintf("CREATE CUSTOM INDEX IF NOT EXISTS %s ON %s (%s) USING '%s'", quote(a.Name), qualified(ks, a.Table), quote(a.Column), strings.ReplaceAll(a.Using, "'", "''"))
	}
	return cql{up: up, down: "DROP INDEX IF EXISTS " + qualified(ks, a.Name), needs: a.Table}, nil
}

func newCreateView(ks string, r kit.RawOp) (cql, error) {
	var a struct {
		Name       string   `yaml:"name"`
		Table      string   `yaml:"table"`
		Columns    []string `yaml:"columns"`
		Partition  []string `yaml:"partition_key"`
		Clustering []string `yaml:"clustering_key"`
	}
	if err := kit.Decode(r, &a); err != nil {
		return cql{}, err
	}
	if err := kit.Require(r, "name", a.Name, "table", a.Table, "partition_key", a.Partition); err != nil {
		return cql{}, err
	}
	sel := "*"
	if len(a.Columns) > 0 {
		sel = quoteAll(a.Columns)
	}
	key := append(append([]string{}, a.Partition...), a.Clustering...)
	where := make([]string, len(key))
	for i, k := range key {
		where[i] = quote(k) + " IS NOT NULL"
	}
	up := fmt.Sprintf("CREATE MATERIALIZED VIEW IF NOT EXISTS %s AS SELECT %s FROM %s WHERE %s %s",
		qualified(ks, a.Name), sel, qualified(ks, a.Table), strings.Join(where, " AND "), primaryKey(a.Partition, a.Clustering))
	return cql{up: up, down: "DROP MATERIALIZED VIEW IF EXISTS " + qualified(ks, a.Name), needs: a.Table, creates: a.Name}, nil
}
