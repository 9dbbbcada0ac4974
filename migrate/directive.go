package migrate

import (
	"fmt"
	"regexp"
	"strings"
)

// Directive is one directive comment of a migration file, as the runner read
// it: a section marker, a transaction or timeout setting, a lint-ignore. The
// linter gets the runner's directives from [Script.Directives] instead of
// reading the file again.
type Directive struct {
	// Format is the tool whose syntax the directive is written in.
	Format Format
	// Name is the directive's canonical name, whatever the tool's spelling:
	// "up", "down", "no-transaction", "lock-timeout", "statement-timeout",
	// "envsub", "statement-begin", "statement-end", "lint-ignore" or
	// "restore-point".
	Name string
	// Arg is what follows the name ("2s", "on", the rules of a lint-ignore).
	Arg string
	// Line and Col place the comment in the file (1-based).
	Line, Col int
	// Text is the comment as written, delimiters included.
	Text string
}

// Directive names.
const (
	dirUp               = "up"
	dirDown             = "down"
	dirNoTransaction    = "no-transaction"
	dirLockTimeout      = "lock-timeout"
	dirStatementTimeout = "statement-timeout"
	dirEnvsub           = "envsub"
	dirBlockBegin       = "statement-begin"
	dirBlockEnd         = "statement-end"
	dirLintIgnore       = "lint-ignore"
	dirRestorePoint     = "restore-point"
)

// knownDirectives are the strata directives; others are errors, so a typo
// never silently changes how a file runs.
var knownDirectives = []string{
	dirUp, dirDown, dirNoTransaction, dirLockTimeout, dirStatementTimeout, dirEnvsub,
	dirBlockBegin, dirBlockEnd, dirLintIgnore, dirRestorePoint,
}

// readDirective reads one line of a SQL file. ok is false for a line that is
// not a directive of any format. Each format is matched as its own tool
// matches it (case, spacing, position); a line that looks like another
// tool's directive but that tool would not read is an error, because strata
// and the tool would run the file differently.
func readDirective(line string, n int) (d Directive, ok bool, err error) {
	trimmed := strings.TrimSpace(line)
	if !strings.HasPrefix(trimmed, "--") {
		return Directive{}, false, nil
	}
	col := len(line) - len(strings.TrimLeft(line, " \t")) + 1
	for _, match := range []func(line, trimmed string) (Directive, bool, error){matchStrata, matchGoose, matchDbmate} {
		d, ok, err := match(line, trimmed)
		if err != nil || ok {
			d.Line, d.Col, d.Text = n, col, trimmed
			return d, ok, err
		}
	}
	return Directive{}, false, nil
}

// matchStrata reads strata's own directives: "-- strata:NAME [ARG]", the
// name in any case, spaces around it ignored.
func matchStrata(_, trimmed string) (Directive, bool, error) {
	body := strings.TrimSpace(strings.TrimPrefix(trimmed, "--"))
	if len(body) < len("strata:") || !strings.EqualFold(body[:len("strata:")], "strata:") {
		return Directive{}, false, nil
	}
	word, arg, _ := strings.Cut(strings.TrimSpace(body[len("strata:"):]), " ")
	d := Directive{Format: FormatStrata, Name: strings.ToLower(word), Arg: strings.TrimSpace(arg)}
	for _, k := range knownDirectives {
		if d.Name == k {
			return d, true, nil
		}
	}
	return d, false, fmt.Errorf("unknown directive %q (known: -- strata:%s)", trimmed, strings.Join(knownDirectives, ", -- strata:"))
}

// gooseAnnotations maps goose's annotations to directive names. goose
// compares them case-insensitively, with single spaces inside.
var gooseAnnotations = []struct{ spelling, name, arg string }{
	{"Up", dirUp, ""},
	{"Down", dirDown, ""},
	{"StatementBegin", dirBlockBegin, ""},
	{"StatementEnd", dirBlockEnd, ""},
	{"NO TRANSACTION", dirNoTransaction, ""},
	{"ENVSUB ON", dirEnvsub, "on"},
	{"ENVSUB OFF", dirEnvsub, "off"},
}

// matchGoose reads goose's annotations as goose v3 does: a comment line
// holding "+goose" (lower case), with every "--" and the "+goose" removed,
// is an annotation compared case-insensitively with goose's seven. goose
// refuses an annotation with leading whitespace, and so does strata.
func matchGoose(line, trimmed string) (Directive, bool, error) {
	cmd := strings.TrimSpace(strings.ReplaceAll(trimmed, "--", ""))
	if !strings.HasPrefix(cmd, "+goose") {
		if len(cmd) >= len("+goose") && strings.EqualFold(cmd[:len("+goose")], "+goose") {
			return Directive{}, false, fmt.Errorf("%q: goose reads annotations only as lower-case +goose, so it would take this line for a comment; write -- +goose %s", trimmed, strings.TrimSpace(cmd[len("+goose"):]))
		}
		return Directive{}, false, nil
	}
	if line != strings.TrimLeft(line, " \t") {
		return Directive{}, false, fmt.Errorf("%q: goose refuses an annotation with leading whitespace; start the line with --", trimmed)
	}
	cmd = strings.TrimSpace(cmd[len("+goose"):])
	if strings.Contains(cmd, "+goose") {
		return Directive{}, false, fmt.Errorf("%q: more than one goose annotation on one line", trimmed)
	}
	for _, a := range gooseAnnotations {
		if strings.EqualFold(cmd, a.spelling) {
			return Directive{Format: FormatGoose, Name: a.name, Arg: a.arg}, true, nil
		}
	}
	return Directive{}, false, fmt.Errorf("unknown goose annotation %q (goose knows Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB ON, ENVSUB OFF)", trimmed)
}

// dbmateMarker is dbmate's own pattern for its section markers: at the
// start of the line, case-sensitive, options after a space.
var dbmateMarker = regexp.MustCompile(`^--\s*migrate:(up|down)(\s*$|\s+\S+)`)

// matchDbmate reads dbmate's "-- migrate:up" and "-- migrate:down" markers
// as dbmate does, with their options. dbmate ignores an option it does not
// know; strata refuses it, so a typo (transacton:false) never silently runs
// a file in a transaction.
func matchDbmate(line, trimmed string) (Directive, bool, error) {
	m := dbmateMarker.FindStringSubmatch(line)
	if m == nil {
		lower := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(trimmed, "--")))
		if dbmateMarker.MatchString("-- "+lower) && (strings.HasPrefix(lower, "migrate:up") || strings.HasPrefix(lower, "migrate:down")) {
			return Directive{}, false, fmt.Errorf("%q: dbmate reads only -- migrate:up and -- migrate:down in lower case at the start of the line, so it would take this line for a comment", trimmed)
		}
		return Directive{}, false, nil
	}
	d := Directive{Format: FormatDbmate, Name: m[1]}
	rest := line[strings.Index(line, "migrate:"+m[1])+len("migrate:"+m[1]):]
	for _, o := range strings.Fields(rest) {
		k, v, ok := strings.Cut(o, ":")
		if !ok {
			continue // prose after the marker: dbmate ignores it too
		}
		if k != "transaction" || (v != "false" && v != "true") {
			return Directive{}, false, fmt.Errorf("unknown dbmate option %q (known: transaction:false, transaction:true)", o)
		}
		if v == "false" {
			d.Arg = "transaction:false"
		}
	}
	return d, true, nil
}

// isUpMarker reports whether line is a strata, goose or dbmate up marker,
// as the parser reads it.
func isUpMarker(line string) bool {
	d, ok, err := readDirective(line, 0)
	return err == nil && ok && d.Name == dirUp
}
