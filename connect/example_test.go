package connect_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/strata-db/strata/connect"
)

func Example() {
	ctx := context.Background()
	t, err := connect.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Println(t.Dialect.Name(), t.URL)
	// Output: sqlite sqlite::memory:
}

// A malformed URL is a *URLError naming the wrong part; the caller says
// where the URL came from. The password is never in the text.
func ExampleURLError() {
	_, err := connect.Open(context.Background(), "postgres://app:s3cret@db.internal/app?sslmode=bogus")
	var ue *connect.URLError
	if errors.As(err, &ue) {
		ue.Source = "env STRATA_DATABASE_URL"
		fmt.Println(ue.Part)
		fmt.Println(err)
	}
	// Output:
	// sslmode
	// database URL postgres://app:xxxxx@db.internal/app?sslmode=bogus: sslmode "bogus" is not one of disable, allow, prefer, require, verify-ca, verify-full (the URL comes from env STRATA_DATABASE_URL)
}

func ExampleRedact() {
	fmt.Println(connect.Redact("postgres://app:s3cret@db/app?sslpassword=k3y&application_name=web"))
	fmt.Println(connect.Redact("postgres//app:s3cret@db/app"))
	fmt.Println(connect.Redact("host=db user=app password=s3cret dbname=app"))
	// Output:
	// postgres://app:xxxxx@db/app?sslpassword=xxxxx&application_name=web
	// postgres//xxxxx@db/app
	// host=db user=app password=xxxxx dbname=app
}
