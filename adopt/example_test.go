package adopt_test

import (
	"fmt"
	"testing/fstest"

	"github.com/strata-db/strata/adopt"
	"github.com/strata-db/strata/migrate"
)

// A plan matches another tool's history with the migration directory. In
// an application the history comes from [adopt.Read] and the plan's rows
// go to [migrate.Provider.Adopt].
func ExampleNewPlan() {
	fsys := fstest.MapFS{
		"00001_create_users.sql": {Data: []byte("-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Down\nDROP TABLE users;\n")},
		"00002_add_email.sql":    {Data: []byte("-- +goose Up\nALTER TABLE users ADD COLUMN email text;\n")},
	}
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: "postgres"})
	if err != nil {
		panic(err)
	}
	h := &adopt.History{Tool: adopt.Goose, Table: "goose_db_version", Rows: []adopt.Row{
		{Key: "1", Version: "1", State: adopt.Applied, Where: "goose_db_version id 2"},
	}}
	pl := adopt.NewPlan(h, ms, adopt.PlanOptions{FS: fsys, Dir: "migrations"})
	for _, e := range pl.Adopt {
		fmt.Println("record", e.Version, e.File, "from", e.From)
	}
	for _, e := range pl.Pending {
		fmt.Println("pending", e.Version)
	}
	fmt.Println("problems:", pl.Err())
	// Output:
	// record 1 migrations/00001_create_users.sql from goose_db_version id 2
	// pending 2
	// problems: <nil>
}
