package online_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/online"
)

func Example() {
	db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:5432/app")
	if err != nil {
		log.Fatal(err)
	}
	m, err := online.Parse("V42_double_a.yaml", []byte(`
operations:
  - add_column:
      table: t
      column: {name: c, type: bigint, nullable: false}
      up: a * 2
`))
	if err != nil {
		log.Fatal(err)
	}
	var saved *online.State
	store := online.StateStoreFunc(func(ctx context.Context, st *online.State) error {
		saved = st // the engine writes st.JSON() to its history row
		return nil
	})
	r := &online.Runner{DB: db}
	ctx := context.Background()
	if err := r.Start(ctx, "42", m, nil, store); err != nil {
		log.Fatal(err) // run Start again with saved to resume, or Abort
	}
	// Applications move to the new shape: SET search_path = strata_v42, public.
	// Complete drops strata_v42; they then read the tables through public.
	if err := r.Complete(ctx, "42", m, saved, store); err != nil {
		log.Fatal(err)
	}
	fmt.Println(saved.Phase)
}
