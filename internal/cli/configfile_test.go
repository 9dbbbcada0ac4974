package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestParseConfigNamesTheKeyTheFileAndTheLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml, wantErr string
	}{
		{"an empty file is no settings", "", ""},
		{"a comment-only file is no settings", "# nothing yet\n", ""},
		{"known keys pass", "database: sqlite:x.db\ndir: m\nlint:\n  rules: {}\nobserve: {}\nenvironments:\n  prod:\n    database: sqlite:p.db\n", ""},
		{"a merge key and an alias pass", "environments:\n  base: &base\n    dir: m\n  prod:\n    <<: *base\n    database: sqlite:p.db\n  copy: *base\n", ""},
		{"a misspelt key names the nearest", "databse: x\n", `strata.yaml:1: unknown key "databse" (did you mean database?); the keys are: allow_out_of_order,`},
		{"a key far from any has no guess", "colour: red\n", `strata.yaml:1: unknown key "colour"; the keys are: `},
		{"a misspelt key in an environment names it", "environments:\n  prod:\n    dri: m\n", `strata.yaml:3: unknown key "dri" in environment "prod" (did you mean dir?); the keys are: allow_out_of_order, auto_rollback, database, dir, lock_timeout, table, vars`},
		{"an environment that is not a mapping", "environments:\n  prod: sqlite:x.db\n", `strata.yaml:2: environment "prod": want its settings`},
		{"vars that are not a mapping", "vars: [a]\n", `strata.yaml:1: vars: want NAME: value entries`},
		{"a list at the top", "- a\n", `strata.yaml:1: want settings such as database: and dir:`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfig("strata.yaml", []byte(tc.yaml))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want it to start with %q", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "cli."):
				t.Errorf("the error shows a Go type: %v", err)
			}
		})
	}
}

func TestExpandVars(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOST": "db", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		in, want, wantErr string
	}{
		{"postgres://app@${HOST}/app", "postgres://app@db/app", ""},
		{"postgres://app@$HOST/app", "postgres://app@db/app", ""},
		{"${MISSING:-fallback}", "fallback", ""},
		{"${EMPTY:-fallback}", "fallback", ""},
		{"[${EMPTY}]", "[]", ""},
		{"pa$$word", "pa$word", ""},
		{"cost: 5$", "cost: 5$", ""},
		{"a $ b", "a $ b", ""},
		{"${MISSING}", "", "${MISSING} is not set (set it in the environment, or write ${MISSING:-default})"},
		{"pa$sword", "", "$sword is not set (set it in the environment; write $$ for a literal $)"},
		{"${HOST", "", `malformed variable reference "${HOST": want ${NAME} or ${NAME:-default}`},
		{"${1X}", "", `malformed variable reference "${1X}"`},
	} {
		got, err := expandVars(tc.in, lookup)
		if tc.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("expandVars(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expandVars(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := expandVars("${NOPE}", lookup); !errors.Is(err, errUnsetVar) {
		t.Errorf("an unset variable is not errUnsetVar: %v", err)
	}
}
