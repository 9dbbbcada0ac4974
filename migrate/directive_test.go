package migrate

import (
	"strings"
	"testing"
)

// Each format's directives are read as that format's tool reads them: the
// spellings it accepts are directives, and a line it would take for a
// comment while strata might not is refused, so strata and the tool never
// run one file two ways.
func TestDirectivesMatchTheirTool(t *testing.T) {
	t.Parallel()
	cases := []struct {
		line    string
		want    string // format name arg, or "" for an ordinary line
		wantErr string
	}{
		// goose compares annotations case-insensitively, after removing
		// every "--" and the "+goose" (goose v3 sqlparser).
		{"-- +goose Up", "goose up ", ""},
		{"-- +goose up", "goose up ", ""},
		{"--+goose UP", "goose up ", ""},
		{"-- +goose   Down   ", "goose down ", ""},
		{"-- +goose no transaction", "goose no-transaction ", ""},
		{"-- +goose NO TRANSACTION", "goose no-transaction ", ""},
		{"-- +goose statementbegin", "goose statement-begin ", ""},
		{"-- +goose StatementEnd", "goose statement-end ", ""},
		{"-- +goose envsub on", "goose envsub on", ""},
		{"-- +goose ENVSUB OFF", "goose envsub off", ""},
		{"  -- +goose Up", "", "leading whitespace"},
		{"-- +goose no  transaction", "", "unknown goose annotation"},
		{"-- +goose Upp", "", "unknown goose annotation"},
		{"-- +GOOSE Up", "", "lower-case +goose"},
		{"-- +goose Up +goose Down", "", "more than one"},
		{"-- see the +goose docs", "", ""},
		// dbmate: case-sensitive, at the start of the line, options after
		// a space (dbmate's own regular expression).
		{"-- migrate:up", "dbmate up ", ""},
		{"--migrate:up", "dbmate up ", ""},
		{"-- migrate:down", "dbmate down ", ""},
		{"-- migrate:up transaction:false", "dbmate up transaction:false", ""},
		{"-- migrate:up transaction:true", "dbmate up ", ""},
		{"-- migrate:up creates the users", "dbmate up ", ""},
		{"-- migrate:up Transaction:false", "", "unknown dbmate option"},
		{"-- migrate:up transacton:false", "", "unknown dbmate option"},
		{"-- Migrate:Up", "", "dbmate reads only"},
		{"  -- migrate:up", "", "dbmate reads only"},
		{"-- migrate:upgrade notes", "", ""},
		// strata's own: any case, spaces around the name.
		{"-- strata:up", "strata up ", ""},
		{"--  STRATA:No-Transaction", "strata no-transaction ", ""},
		{"-- strata:lock-timeout 2s", "strata lock-timeout 2s", ""},
		{"-- strata:lint-ignore drop-column -- unused since v41", "strata lint-ignore drop-column -- unused since v41", ""},
		{"-- strata:no-transactoin", "", "unknown directive"},
		{"-- a comment", "", ""},
		{"SELECT 1; -- +goose Up", "", ""},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			d, ok, err := readDirective(c.line, 7)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if ok {
				got = string(d.Format) + " " + d.Name + " " + d.Arg
				if d.Line != 7 || d.Text != strings.TrimSpace(c.line) {
					t.Errorf("line %d text %q", d.Line, d.Text)
				}
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// goose's lower-case no transaction makes the whole file run outside a
// transaction, as goose runs it, wherever the annotation is.
func TestGooseLowerCaseNoTransaction(t *testing.T) {
	t.Parallel()
	pf, err := parseSQLFile("1_x.sql", "-- +goose up\nCREATE INDEX i ON t (a);\n-- +goose no transaction\n-- +goose down\nDROP INDEX i;\n", SplitDialect("postgres"), false)
	if err != nil {
		t.Fatal(err)
	}
	if pf.format != FormatGoose || !pf.up.NoTransaction || !pf.down.NoTransaction || !strings.Contains(pf.up.NoTxReason, "-- +goose no transaction (line 3)") {
		t.Fatalf("format %s up %+v down %+v", pf.format, pf.up, pf.down)
	}
}

// An empty down section, or one of comments only, is no down section.
func TestEmptyDownIsNoDown(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"an empty section":          {"1_a.sql": "-- strata:up\nCREATE TABLE a (id int);\n-- strata:down\n\n"},
		"a section of comments":     {"1_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\n-- nothing yet\n/* later */\n"},
		"a down file with comments": {"1_a.up.sql": "CREATE TABLE a (id int);", "1_a.down.sql": "-- a: undo what the up file does\n"},
	} {
		t.Run(name, func(t *testing.T) {
			ms, err := Load(mapFS(files), LoadOptions{Engine: "postgres"})
			if err != nil {
				t.Fatal(err)
			}
			if m := ms[0]; m.Down != nil || m.HasDown() || m.EmptyDown == "" {
				t.Fatalf("down %+v empty %q", m.Down, m.EmptyDown)
			}
		})
	}
}
