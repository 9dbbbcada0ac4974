package cli

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseConfig reads strata.yaml. Unlike a plain decode, a misspelt key is
// reported with the file, the line and the keys strata knows (not a Go
// type), and the line of every value that may hold ${NAME} is kept, so that
// an unset variable is reported where it is written.
func parseConfig(path string, data []byte) (*fileConfig, error) {
	fc := &fileConfig{path: path, lines: map[string]int{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return fc, nil // an empty file
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return fc, nil
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want settings such as database: and dir:, one per line", path, doc.Line)
	}
	settingsKeys := yamlKeys(reflect.TypeOf(settings{}))
	topKeys := yamlKeys(reflect.TypeOf(fileConfig{}))
	if err := checkKeys(path, doc, topKeys, ""); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch k.Value {
		case "environments":
			if v.Kind != yaml.MappingNode {
				if v.Tag == "!!null" {
					continue
				}
				return nil, fmt.Errorf("%s:%d: environments: want one entry per environment, each with its settings (environments: {prod: {database: ...}})", path, v.Line)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				name, env := v.Content[j], v.Content[j+1]
				if env.Kind == yaml.AliasNode && env.Alias != nil {
					env = env.Alias // prod: *staging
				}
				if env.Tag == "!!null" || name.Value == "<<" {
					continue
				}
				if env.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("%s:%d: environment %q: want its settings (database:, dir: ...), one per line", path, env.Line, name.Value)
				}
				if err := checkKeys(path, env, settingsKeys, fmt.Sprintf(" in environment %q", name.Value)); err != nil {
					return nil, err
				}
				if err := recordLines(path, env, "environments."+name.Value+".", fc.lines); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := recordLines(path, doc, "", fc.lines); err != nil {
		return nil, err
	}
	if err := doc.Decode(fc); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return fc, nil
}

// recordLines keeps the line of database: and of each vars: entry of one
// settings mapping, under prefix.
func recordLines(path string, m *yaml.Node, prefix string, lines map[string]int) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch k.Value {
		case "database":
			lines[prefix+"database"] = v.Line
		case "vars":
			if v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return fmt.Errorf("%s:%d: %svars: want NAME: value entries, one per line", path, v.Line, strings.TrimSuffix(prefix, "."))
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				lines[prefix+"vars."+v.Content[j].Value] = v.Content[j+1].Line
			}
		}
	}
	return nil
}

// checkKeys reports the first key of m that is not in known.
func checkKeys(path string, m *yaml.Node, known []string, where string) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		// "<<" merges another mapping (prod: {<<: *base, dir: x}).
		if contains(known, k.Value) || k.Value == "<<" {
			continue
		}
		hint := ""
		if s := closest(k.Value, known); s != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", s)
		}
		return fmt.Errorf("%s:%d: unknown key %q%s%s; the keys are: %s", path, k.Line, k.Value, where, hint, strings.Join(known, ", "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlKeys lists the yaml keys of struct type t, inline fields included,
// sorted: the keys strata.yaml accepts are the fields it decodes into.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case opts == "inline":
			keys = append(keys, yamlKeys(f.Type)...)
		case name != "" && name != "-":
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

// closest returns the known key within two edits of s, if there is one.
func closest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, counting a swap of
// two neighbours as one edit.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// errUnsetVar is a ${NAME} in strata.yaml or a transfer spec with no value.
var errUnsetVar = errors.New("variable is not set")

// unsetVarError names the variable expandVars found unset.
type unsetVarError struct {
	Name string
	Bare bool // written $NAME, not ${NAME}
}

func (e *unsetVarError) Error() string {
	msg := fmt.Sprintf("${%s} is not set (set it in the environment, or write ${%s:-default})", e.Name, e.Name)
	if e.Bare {
		msg = fmt.Sprintf("$%s is not set (set it in the environment; write $$ for a literal $)", e.Name)
	}
	return msg
}

func (e *unsetVarError) Is(target error) bool { return target == errUnsetVar }

// expandVars replaces ${NAME}, ${NAME:-default} and $NAME in s, as the
// shell and goose's envsub do: an unset NAME without a default is an error
// (it used to become empty, which turned a missing password into a
// different database URL); ${NAME:-default} takes default when NAME is
// unset or empty; $$ is a literal $.
func expandVars(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("malformed variable reference %q: want ${NAME} or ${NAME:-default}", s[i:])
			}
			ref := s[i+2 : i+2+end]
			name, def, hasDef := strings.Cut(ref, ":-")
			if !isVarName(name) {
				return "", fmt.Errorf("malformed variable reference %q: want ${NAME} or ${NAME:-default}", "${"+ref+"}")
			}
			v, ok := lookup(name)
			if hasDef && (!ok || v == "") {
				v, ok = def, true
			}
			if !ok {
				return "", &unsetVarError{Name: name}
			}
			b.WriteString(v)
			i += 2 + end
		case isVarStart(next):
			j := i + 1
			for j < len(s) && isVarChar(s[j]) {
				j++
			}
			name := s[i+1 : j]
			v, ok := lookup(name)
			if !ok {
				return "", &unsetVarError{Name: name, Bare: true}
			}
			b.WriteString(v)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isVarStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isVarChar(c byte) bool  { return isVarStart(c) || c >= '0' && c <= '9' }

func isVarName(s string) bool {
	if s == "" || !isVarStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isVarChar(s[i]) {
			return false
		}
	}
	return true
}

// envLookup looks a variable up in the environment: set (even to "") is
// found.
func (app *App) envLookup(name string) (string, bool) {
	if v := app.Getenv(name); v != "" {
		return v, true
	}
	return os.LookupEnv(name)
}

// expandSetting expands one value of strata.yaml, naming the file, line
// and key when a variable is unset.
func (fc *fileConfig) expand(app *App, key, value string) (string, error) {
	out, err := expandVars(value, app.envLookup)
	if err == nil {
		return out, nil
	}
	where := fc.path
	if line := fc.lines[key]; line > 0 {
		where = fmt.Sprintf("%s:%d", fc.path, line)
	}
	return "", Exit(ExitUsage, fmt.Errorf("%s: %s: %w", where, key, err))
}
