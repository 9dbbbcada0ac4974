package cli

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/migrate"
)

// plural writes n with the noun's singular or plural form: "1 warning",
// "2 warnings", "0 warnings".
func plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}

// writeJSON writes v as an indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// roundDur rounds d for people: microseconds below a millisecond, a tenth
// of a millisecond below a second, milliseconds above.
func roundDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// label names a migration in progress lines: VERSION_name, or R__name for a
// repeatable one.
func label(e migrate.Event) string {
	if strings.HasPrefix(string(e.Version), "R__") {
		return string(e.Version)
	}
	return string(e.Version) + "_" + e.Name
}
