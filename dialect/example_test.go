package dialect_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
)

// Code that builds SQL or reads the catalog asks the Dialect instead of
// comparing engine names: the same lines work on PostgreSQL, MySQL and
// SQLite.
func Example() {
	ctx := context.Background()
	t, err := connect.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	d := t.Dialect

	table := dialect.Table{Name: "order"} // a reserved word
	ddl := "CREATE TABLE " + table.Qualified(d) + " (id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT " + d.QuoteLiteral(`it's \ fine`) + ")"
	if _, err := t.DB.ExecContext(ctx, ddl); err != nil {
		log.Fatal(err)
	}

	ti, err := d.DescribeTable(ctx, t.DB, table)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range ti.Columns {
		fmt.Printf("%s %s nullable=%v default=%q identity=%v\n", c.Name, c.Type, c.Nullable, c.Default, c.Identity != nil)
	}
	fmt.Println("primary key:", ti.PrimaryKey)

	_, err = t.DB.ExecContext(ctx, "INSERT INTO "+table.Qualified(d)+" (id) VALUES (1), (1)")
	class, code := d.Classify(err)
	fmt.Println("duplicate key:", class, code, "retry:", class.Retryable())

	_, err = d.DescribeTable(ctx, t.DB, dialect.Table{Name: "missing"})
	fmt.Println("missing table:", errors.Is(err, dialect.ErrNotFound))
	// Output:
	// id INTEGER nullable=false default="" identity=true
	// note TEXT nullable=false default="'it''s \\ fine'" identity=false
	// primary key: [id]
	// duplicate key: unique_violation 1555 retry: false
	// missing table: true
}
