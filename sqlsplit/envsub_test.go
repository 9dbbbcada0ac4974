package sqlsplit

import (
	"errors"
	"testing"
)

func TestEnvsub(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"SCHEMA": "app", "OWNER": "admin", "EMPTY": ""}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	cases := []struct {
		name string
		d    Dialect
		src  string
		want string
	}{
		{"a reference in SQL text is replaced", Postgres, "CREATE SCHEMA ${SCHEMA};", "CREATE SCHEMA app;"},
		{"a reference glued to a name is replaced", MySQL, "CREATE TABLE tbl_${SCHEMA} (a INT);", "CREATE TABLE tbl_app (a INT);"},
		{"a default applies when the name is unset", Postgres, "ALTER TABLE t OWNER TO ${ROLE:-postgres};", "ALTER TABLE t OWNER TO postgres;"},
		{"a default applies when the value is empty", Postgres, "SET search_path = ${EMPTY:-public};", "SET search_path = public;"},
		{"an empty default is allowed", SQLite, "SELECT 1${NOPE:-};", "SELECT 1;"},
		{"a set name wins over its default", Postgres, "GRANT ALL ON SCHEMA ${SCHEMA:-public} TO ${OWNER};", "GRANT ALL ON SCHEMA app TO admin;"},
		{"string literals are left alone", Postgres, "SELECT '${SCHEMA}', ${SCHEMA};", "SELECT '${SCHEMA}', app;"},
		{"MySQL double-quoted strings are left alone", MySQL, `SELECT "${SCHEMA}", ${SCHEMA};`, `SELECT "${SCHEMA}", app;`},
		{"quoted identifiers are left alone", Postgres, `SELECT "${SCHEMA}".t;`, `SELECT "${SCHEMA}".t;`},
		{"backquoted identifiers are left alone", MySQL, "SELECT `${SCHEMA}`.t;", "SELECT `${SCHEMA}`.t;"},
		{"bracketed identifiers are left alone", SQLite, "SELECT [${SCHEMA}].t;", "SELECT [${SCHEMA}].t;"},
		{"comments are left alone", Postgres, "-- uses ${UNSET}\n/* ${UNSET} */ SELECT ${SCHEMA};", "-- uses ${UNSET}\n/* ${UNSET} */ SELECT app;"},
		{"MySQL # comments are left alone", MySQL, "# ${UNSET}\nSELECT ${SCHEMA};", "# ${UNSET}\nSELECT app;"},
		{"dollar-quoted bodies are left alone", Postgres, "CREATE FUNCTION ${SCHEMA}.f() RETURNS text AS $$ SELECT '${x}' || ${y} $$ LANGUAGE sql;", "CREATE FUNCTION app.f() RETURNS text AS $$ SELECT '${x}' || ${y} $$ LANGUAGE sql;"},
		{"a lone $ and {} are ordinary text", Postgres, "SELECT $1, '{a}', $ {x};", "SELECT $1, '{a}', $ {x};"},
		{"text without references comes back unchanged", MySQL, "SELECT 1;", "SELECT 1;"},
		{"an unterminated string is copied, not substituted", Postgres, "SELECT ${SCHEMA}, '${UNSET}", "SELECT app, '${UNSET}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Envsub(c.src, c.d, lookup)
			if err != nil {
				t.Fatalf("Envsub: %v", err)
			}
			if got != c.want {
				t.Errorf("Envsub:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestEnvsubErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		src     string
		want    string
		isUnset bool
	}{
		{
			name:    "an unset name without a default names the variable and its position",
			src:     "CREATE TABLE a (x int);\n\nALTER TABLE a SET SCHEMA ${SCHEMA};",
			want:    "line 3:26: ${SCHEMA} is not set (set it in strata.yaml vars or the environment)",
			isUnset: true,
		},
		{
			name: "a missing closing brace",
			src:  "SELECT ${SCHEMA;\nSELECT 1;",
			want: `line 1:8: malformed variable reference "${SCHEMA;": want ${NAME} or ${NAME:-default}`,
		},
		{
			name: "a name starting with a digit",
			src:  "SELECT 1;\n  SELECT ${1X};",
			want: `line 2:10: malformed variable reference "${1X}": want ${NAME} or ${NAME:-default}`,
		},
		{
			name: "an unsupported operator",
			src:  "SELECT ${A:=b};",
			want: `line 1:8: malformed variable reference "${A:=b}": want ${NAME} or ${NAME:-default}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Envsub(c.src, Postgres, func(string) (string, bool) { return "", false })
			if err == nil {
				t.Fatalf("Envsub succeeded, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), c.want)
			}
			var ue *UnsetError
			var se *SyntaxError
			switch {
			case c.isUnset && (!errors.As(err, &ue) || ue.Name != "SCHEMA"):
				t.Errorf("error %#v is not an *UnsetError for SCHEMA", err)
			case !c.isUnset && !errors.As(err, &se):
				t.Errorf("error %T is not a *SyntaxError", err)
			}
		})
	}
}

func TestEnvsubWithNilLookupKnowsNoNames(t *testing.T) {
	t.Parallel()
	got, err := Envsub("SELECT ${A:-1};", SQLite, nil)
	if err != nil || got != "SELECT 1;" {
		t.Errorf("Envsub = %q, %v", got, err)
	}
	if _, err := Envsub("SELECT ${A};", SQLite, nil); err == nil {
		t.Error("Envsub of an unset name succeeded")
	}
	if _, err := Envsub("SELECT ${A};", 0, nil); err == nil {
		t.Error("Envsub with no dialect succeeded")
	}
}
