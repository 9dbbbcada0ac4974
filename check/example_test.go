package check_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/migrate"
)

func asParseError(err error, pe **check.ParseError) bool { return errors.As(err, pe) }

// A Checker plugs into the runner: pre-checks block, post-checks roll back.
func ExampleNew() {
	var db *sql.DB // an open PostgreSQL database
	c, err := check.New(postgres.Dialect{}, check.WithObserver(func(rep *check.Report) {
		fmt.Println(rep.Phase, rep.Passed())
	}))
	if err != nil {
		panic(err)
	}
	if db == nil {
		return
	}
	p, err := migrate.NewProvider(db, nil, migrate.WithChecker(c))
	if err != nil {
		panic(err)
	}
	_, _ = p.Up(context.Background())
}

// Compare two tables on two servers and print every differing key.
func ExampleCompare() {
	var pg, my *sql.DB // open PostgreSQL and MySQL databases
	if pg == nil {
		return
	}
	d, err := check.Compare(context.Background(),
		check.Side{DB: pg, Dialect: postgres.Dialect{}, Table: "orders"},
		check.Side{DB: my, Dialect: mysql.Dialect{}, Table: "orders"},
		check.CompareOptions{Key: "id"})
	if err != nil {
		panic(err)
	}
	for _, k := range d.Keys {
		fmt.Println(k.Kind, k.Key)
	}
}
