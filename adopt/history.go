package adopt

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/migrate"
)

// RowState is where the other tool says one of its migrations stands.
type RowState string

// Row states.
const (
	// Applied: the tool ran it to the end.
	Applied RowState = "applied"
	// Failed: the tool recorded a failure (Flyway's success = false,
	// Prisma's unfinished row, Atlas's partial revision, Liquibase's
	// FAILED).
	Failed RowState = "failed"
	// Dirty: golang-migrate stopped part-way through it.
	Dirty RowState = "dirty"
)

// Row is one migration in the other tool's history, as it stands after
// every row the tool wrote about it (goose's down rows, Flyway's undo rows
// and Prisma's rolled-back rows are already taken into account).
type Row struct {
	// Key is how the tool names the migration: its version for most
	// tools, "app.name" for Django, "id::author::file" for Liquibase, the
	// change name for sqitch, the migration name for Laravel.
	Key string
	// Version is the migration's version, when the tool's key is one.
	Version migrate.Version
	// Name is the tool's description or name, for messages.
	Name  string
	State RowState
	// AppliedAt and AppliedBy are what the tool recorded (zero and empty
	// when it kept no such thing); ExecutionMS how long it said it took.
	AppliedAt   time.Time
	AppliedBy   string
	ExecutionMS int64
	// Checksum is the tool's checksum of what it ran, in the tool's own
	// form, when it keeps one.
	Checksum string
	// Repeatable is a Flyway R__ migration (Key is its script name).
	Repeatable bool
	// Where says where in the tool's table the row is, for messages
	// ("goose_db_version id 4").
	Where string
	// Error is the failure the tool recorded, when it recorded one.
	Error string
}

// History is the other tool's record of what it applied.
type History struct {
	Tool Tool
	// Table is the history table that was read.
	Table string
	// Rows are the migrations the tool applied or failed, in the order it
	// applied them.
	Rows []Row
	// UpTo is golang-migrate's one version: every migration up to it is
	// applied. Flyway's baseline sets it too (migrations up to the
	// baseline version count as applied).
	UpTo migrate.Version
	// UpToDirty is golang-migrate's dirty flag on UpTo.
	UpToDirty bool
	// Note is what else the tool keeps that a human should see (Rails'
	// environment).
	Note string
}

// asTime reads a timestamp column as the drivers return it.
func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case []byte:
		return parseTime(string(t))
	case string:
		return parseTime(t)
	}
	return time.Time{}
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// asString reads a text or number column; NULL is "".
func asString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(t)
	case string:
		return t
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// asInt reads an integer column; NULL and text that is not a number are 0.
func asInt(v any) int64 {
	switch t := v.(type) {
	case int64:
		return t
	case int32:
		return int64(t)
	case int:
		return int64(t)
	case uint64:
		return int64(t)
	case float64:
		return int64(t)
	case bool:
		if t {
			return 1
		}
	case []byte, string:
		n, _ := strconv.ParseInt(strings.TrimSpace(asString(t)), 10, 64)
		return n
	}
	return 0
}

// asBool reads a boolean column: PostgreSQL's boolean, MySQL's tinyint.
func asBool(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case []byte, string:
		s := strings.ToLower(asString(t))
		return s == "1" || s == "t" || s == "true"
	}
	return asInt(v) != 0
}
