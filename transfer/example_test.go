package transfer_test

import (
	"fmt"

	"github.com/strata-db/strata/transfer"
)

func ExampleParse() {
	spec, err := transfer.Parse("shop.yaml", []byte(`
source: mysql://root@127.0.0.1:3306/shop
target: postgres://postgres@127.0.0.1:5432/shop
tables:
  - from: order_items
    key: [order_id, product_id]
    create: true
    rules:
      - convert: {column: price, to: price_cents, type: cents}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	t := spec.Tables[0]
	fmt.Println(spec.Name, t.From, "→", t.To, t.Key, t.OnConflict)

	_, err = transfer.Parse("shop.yaml", []byte("source: sqlite:a.db\ntarget: sqlite:b.db\ntables:\n  - from: items\n"))
	fmt.Println(err)
	// Output:
	// shop order_items → order_items [order_id product_id] error
	// shop.yaml:4: table items: key: missing (the column or columns rows are ordered and chunked by, e.g. key: id or key: [order_id, product_id])
}
