package cli

import "github.com/strata-db/strata/connect"

func passwordOf(raw string) string { return connect.Password(raw) }
