package guard

import (
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Defaults of [Options].
const (
	DefaultCacheFor   = 2 * time.Second
	DefaultRetryAfter = 30 * time.Second
)

// Options configure [Middleware], [NewProbe] and [Ready].
type Options struct {
	// Table is the history table, name or schema.name (default
	// strata_schema_migrations): the one strata runs with, since the lock
	// is derived from it.
	Table string
	// Dialect is the database's engine. Nil means Engine, or else detected
	// with detect.Driver or detect.Server: from the driver, or by asking the server when
	// the driver is wrapped (otelsql, sqlcommenter). A database whose
	// engine cannot be told is never guessed: every check fails with an
	// error wrapping detect.ErrUnknownEngine, and the guard fails open or
	// closed as FailClosed says.
	Dialect dialect.Dialect
	// Engine names the engine as detect.Named spells it ("postgres",
	// "mysql", "mariadb", "sqlite"), for a caller that has a name rather
	// than a Dialect; Dialect wins. An unknown name fails every check.
	Engine string
	// CacheFor is how long an answer is reused (default 2s).
	CacheFor time.Duration
	// RetryAfter is the Retry-After given with a 503 (default 30s).
	RetryAfter time.Duration
	// AllowReadOnly lets GET, HEAD and OPTIONS requests through during a
	// migration.
	AllowReadOnly bool
	// FailClosed answers 503 when the database cannot be asked; by
	// default requests go through (the handler meets the same error).
	FailClosed bool
	// OnError is told of failed checks (default: ignored).
	OnError func(error)
}

func (o Options) withDefaults() Options {
	if o.CacheFor <= 0 {
		o.CacheFor = DefaultCacheFor
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	return o
}

func (o Options) table() dialect.Table {
	name := o.Table
	if name == "" {
		name = dialect.DefaultTable
	}
	if s, n, ok := strings.Cut(name, "."); ok {
		return dialect.Table{Schema: s, Name: n}
	}
	return dialect.Table{Name: name}
}
