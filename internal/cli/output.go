package cli

import "strconv"

// plural writes n with the noun's singular or plural form: "1 warning",
// "2 warnings", "0 warnings".
func plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}
