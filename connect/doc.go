// Package connect turns a database URL into an open *sql.DB and the
// [dialect.Dialect] that goes with it, and identifies the dialect of an
// *sql.DB an application opened itself. The URL's scheme picks the engine:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://, pgx://)
//	mysql://user:pass@host:3306/db?param=value          (also mariadb://)
//	sqlite:path/to/file.db, sqlite:///abs/path.db, sqlite::memory:
//
// # Opening
//
// [Open] is the entry point: it checks the URL, opens it and pings the
// server. The Target it returns is closed by the caller:
//
//	t, err := connect.Open(ctx, url)
//	if err != nil {
//		return err // *URLError (malformed: a usage mistake) or *ConnectError (no answer)
//	}
//	defer t.Close()
//	// t.DB, t.Dialect
//
// [Parse] checks a URL without connecting, so a command can reject a
// malformed one before it does anything else.
//
// # Two kinds of failure
//
// A URL that is wrong (an unknown scheme, sslmode=bogus, tls=bogus, a bad
// %-escape, sqlite: without a path, a key=value string where a URL belongs)
// is a [*URLError] that names the part that is wrong in Part. No retry
// fixes it; the strata command exits 2 for it. Its Source field is empty;
// a caller that knows where the URL came from (a flag, an environment
// variable, a configuration file) sets it before reporting the error, and
// the message then says so.
//
// A well-formed URL whose server does not answer, or refuses the login, is
// a [*ConnectError]; the strata command exits 1 for it.
//
// # Secrets
//
// Passwords never leave this package in text. The URL is redacted once, as
// it enters: [Redact] hides the userinfo password, secret query parameters
// (password, sslpassword, sslkey, token, …) and the password of a
// key=value string, and also handles text net/url cannot parse. Every error
// Open, Parse and the DSN helpers return names the URL only in redacted
// form and has every secret of the URL scrubbed from driver messages; the
// MySQL driver's own log lines are scrubbed too. [Target.Scrub] does the
// same for text from elsewhere.
//
// # Detecting a dialect
//
// [Detect] returns the dialect of an *sql.DB from its driver's type, or,
// for a driver it does not know (one wrapped for tracing, say), by asking
// the server. It never guesses: an engine it cannot identify is an error
// wrapping [ErrUnknownEngine]. [ForEngine] maps a configured engine name
// to its dialect.
package connect
