package docs_test

import (
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/internal/cli"
	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/observe"
	"github.com/strata-db/strata/online"
	"github.com/strata-db/strata/serve/guard"
	"github.com/strata-db/strata/transfer"
)

// These tests fail when the code grows a command, a flag, an operation, a
// field or a metric that the guide does not mention, so that a new feature
// arrives with its documentation.

func pageText(t *testing.T, name string) string {
	t.Helper()
	for _, p := range loadGuide(t) {
		if p.path == "docs/"+name {
			return p.text
		}
	}
	t.Fatalf("docs/%s is missing", name)
	return ""
}

func allDocs(t *testing.T) string {
	var b strings.Builder
	for _, p := range loadGuide(t) {
		if strings.HasPrefix(p.path, "docs/") {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

func TestGuideNamesEveryCommandAndFlag(t *testing.T) {
	docs := allDocs(t)
	app := &cli.App{Stdout: io.Discard, Stderr: io.Discard}
	root := cli.NewRoot(app)
	var walk func(c *cobra.Command, path string)
	walk = func(c *cobra.Command, path string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			name := path + " " + sub.Name()
			if !strings.Contains(docs, name+" ") && !strings.Contains(docs, name+"`") && !strings.Contains(docs, name+"\n") {
				t.Errorf("no page of docs/ shows %q", name)
			}
			sub.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if f.Name == "help" {
					return
				}
				if !strings.Contains(docs, "--"+f.Name) {
					t.Errorf("no page of docs/ explains %s --%s", name, f.Name)
				}
			})
			walk(sub, name)
		}
	}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(docs, "--"+f.Name) {
			t.Errorf("no page of docs/ explains the global flag --%s", f.Name)
		}
	})
	walk(root, "strata")
}

// yamlFields returns the yaml field names of t's struct, and of the structs
// its fields hold, by struct type name.
func yamlFields(t reflect.Type, out map[string][]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || out[t.Name()] != nil {
		return
	}
	out[t.Name()] = []string{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			if f.Anonymous {
				yamlFields(f.Type, out)
			}
			continue
		}
		out[t.Name()] = append(out[t.Name()], tag)
		yamlFields(f.Type, out)
	}
}

// sectionOf returns the text under the heading whose text is heading (any
// level), up to the next heading of the same or a higher level.
func sectionOf(text, heading string) string {
	lines := strings.Split(stripFences(text), "\n")
	for i, l := range lines {
		level := len(l) - len(strings.TrimLeft(l, "#"))
		if level == 0 || strings.TrimSpace(l[level:]) != heading {
			continue
		}
		var b strings.Builder
		for _, m := range lines[i+1:] {
			ml := len(m) - len(strings.TrimLeft(m, "#"))
			if ml > 0 && ml <= level && strings.HasPrefix(m[ml:], " ") {
				break
			}
			b.WriteString(m + "\n")
		}
		return b.String()
	}
	return ""
}

func TestOnlinePageDocumentsEveryOperationAndField(t *testing.T) {
	text := pageText(t, "online.md")
	ops := map[string]any{
		"create_table": online.CreateTable{}, "drop_table": online.DropTable{}, "rename_table": online.RenameTable{},
		"set_table_options": online.SetTableOptions{}, "add_column": online.AddColumn{}, "drop_column": online.DropColumn{},
		"rename_column": online.RenameColumn{}, "alter_column": online.AlterColumn{}, "create_index": online.CreateIndex{},
		"drop_index": online.DropIndex{}, "add_foreign_key": online.AddForeignKey{}, "add_check": online.AddCheck{},
		"set_not_null": online.SetNotNull{}, "sql": online.RawSQL{}, "backfill": online.BackfillData{},
		"restructure_table": online.RestructureTable{},
	}
	kinds := online.Kinds()
	sort.Strings(kinds)
	for _, k := range kinds {
		op, ok := ops[k]
		if !ok {
			t.Errorf("operation %s is new: add it to this test and to docs/online.md", k)
			continue
		}
		sec := sectionOf(text, "`"+k+"`")
		if sec == "" {
			t.Errorf("docs/online.md has no heading `%s`", k)
			continue
		}
		fields := map[string][]string{}
		yamlFields(reflect.TypeOf(op), fields)
		for _, f := range fields[reflect.TypeOf(op).Name()] {
			if !strings.Contains(sec, "`"+f+"`") {
				t.Errorf("docs/online.md, `%s`: field %s is not described", k, f)
			}
		}
	}
	for _, typ := range []any{online.Column{}, online.Check{}, online.References{}} {
		name := reflect.TypeOf(typ).Name()
		fields := map[string][]string{}
		yamlFields(reflect.TypeOf(typ), fields)
		sec := sectionOf(text, "Columns") // a column and its check and references
		for _, f := range fields[name] {
			if !strings.Contains(sec, "`"+f+"`") {
				t.Errorf("docs/online.md: field %s of %s is not described", f, name)
			}
		}
	}
}

func TestTransferPageDocumentsEveryKey(t *testing.T) {
	text := pageText(t, "transfer.md")
	fields := map[string][]string{}
	yamlFields(reflect.TypeOf(transfer.Spec{}), fields)
	for typ, names := range fields {
		if typ == "Limit" || typ == "Strings" {
			continue
		}
		for _, f := range names {
			if !strings.Contains(text, "`"+f+"`") && !strings.Contains(text, "`"+f+":") {
				t.Errorf("docs/transfer.md: key %s (%s) is not described", f, typ)
			}
		}
	}
}

func TestChecksPageDocumentsEveryKind(t *testing.T) {
	text := pageText(t, "checks.md")
	for _, k := range check.Kinds() {
		if sectionOf(text, "`"+k+"`") == "" {
			t.Errorf("docs/checks.md has no heading `%s`", k)
		}
	}
}

func TestConfigurationPageDocumentsObserveAndLint(t *testing.T) {
	text := pageText(t, "configuration.md")
	fields := map[string][]string{}
	yamlFields(reflect.TypeOf(observe.Config{}), fields)
	yamlFields(reflect.TypeOf(lint.Config{}), fields)
	for typ, names := range fields {
		for _, f := range names {
			if !strings.Contains(text, "`"+f+"`") && !strings.Contains(text, f+":") {
				t.Errorf("docs/configuration.md: key %s (%s) is not described", f, typ)
			}
		}
	}
}

func TestOperationsPageNamesEveryMetricAndGuardOption(t *testing.T) {
	text := pageText(t, "operations.md")
	for _, m := range observe.MetricNames {
		if !strings.Contains(text, "`"+m+"`") {
			t.Errorf("docs/operations.md does not describe metric %s", m)
		}
	}
	typ := reflect.TypeOf(guard.Options{})
	for i := range typ.NumField() {
		if f := typ.Field(i); !strings.Contains(text, "`"+f.Name+"`") {
			t.Errorf("docs/operations.md does not describe guard.Options.%s", f.Name)
		}
	}
}

func TestLintPageNamesEveryFormat(t *testing.T) {
	text := pageText(t, "lint.md")
	for _, f := range []lint.Format{lint.FormatText, lint.FormatJSON, lint.FormatSARIF, lint.FormatGitHub} {
		if sectionOf(text, "`"+string(f)+"`") == "" {
			t.Errorf("docs/lint.md has no heading `%s`", f)
		}
	}
}
