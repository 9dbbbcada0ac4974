package kit

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/migrate"
)

// Doc is a parsed YAML migration for a store engine:
//
//	description: rename name to full_name      # optional
//	operations:                                 # required, run in order
//	  - rename_field: {collection: users, from: name, to: full_name}
//	down:                                       # optional: what undoes it, when
//	  - …                                       # the operations' inverses do not
type Doc struct {
	File string
	Up   []RawOp
	// Down is the document's own down: list; nil when it has none (the
	// inverses of Up are used).
	Down    []RawOp
	HasDown bool
}

// RawOp is one item of an operations list, before the engine decodes it.
type RawOp struct {
	Name string
	Args *yaml.Node // the mapping under the name
	File string
	Line int
}

// Errorf returns a parse error at the operation.
func (r RawOp) Errorf(format string, args ...any) *migrate.ParseError {
	return &migrate.ParseError{File: r.File, Line: r.Line, Msg: r.Name + ": " + fmt.Sprintf(format, args...)}
}

// Claim reports whether doc has a top-level operations: key, the mark of
// a declarative migration.
func Claim(doc []byte) bool {
	var n yaml.Node
	if yaml.Unmarshal(doc, &n) != nil || len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(n.Content[0].Content); i += 2 {
		if n.Content[0].Content[i].Value == "operations" {
			return true
		}
	}
	return false
}

// ParseDoc reads m's document. Every error is a *migrate.ParseError with
// the file and line.
func ParseDoc(m *migrate.Migration) (*Doc, error) {
	d := &Doc{File: m.File()}
	var n yaml.Node
	if err := yaml.Unmarshal(m.Document, &n); err != nil {
		return nil, &migrate.ParseError{File: d.File, Msg: strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
	}
	if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return nil, &migrate.ParseError{File: d.File, Line: 1, Msg: "want a mapping with operations:"}
	}
	top := n.Content[0]
	for i := 0; i < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		var err error
		switch k.Value {
		case "description", "name":
		case "operations":
			d.Up, err = d.ops(k.Value, v)
		case "down":
			d.HasDown = true
			d.Down, err = d.ops(k.Value, v)
		default:
			return nil, &migrate.ParseError{File: d.File, Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("unknown key %q (want operations:, down:, description:)", k.Value)}
		}
		if err != nil {
			return nil, err
		}
	}
	if len(d.Up) == 0 {
		return nil, &migrate.ParseError{File: d.File, Line: top.Line, Msg: "operations: is empty; list at least one operation"}
	}
	return d, nil
}

func (d *Doc) ops(key string, v *yaml.Node) ([]RawOp, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, &migrate.ParseError{File: d.File, Line: v.Line, Msg: key + ": want a list of operations (- rename_field: {…})"}
	}
	out := make([]RawOp, 0, len(v.Content))
	for _, item := range v.Content {
		if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
			return nil, &migrate.ParseError{File: d.File, Line: item.Line, Msg: key + ": each item is a map with one key, the operation's name"}
		}
		name, args := item.Content[0], item.Content[1]
		if args.Kind != yaml.MappingNode {
			return nil, &migrate.ParseError{File: d.File, Line: name.Line, Msg: name.Value + ": want a map of its fields"}
		}
		out = append(out, RawOp{Name: name.Value, Args: args, File: d.File, Line: name.Line})
	}
	return out, nil
}

// Decode decodes r's fields into v, a pointer to a struct with yaml tags,
// refusing fields v does not have and reporting each error at its line.
func Decode(r RawOp, v any) error {
	known := fieldNames(reflect.TypeOf(v).Elem())
	for i := 0; i < len(r.Args.Content); i += 2 {
		k := r.Args.Content[i]
		if !slices.Contains(known, k.Value) {
			return &migrate.ParseError{File: r.File, Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("%s: unknown field %q (fields: %s)", r.Name, k.Value, strings.Join(known, ", "))}
		}
	}
	if err := r.Args.Decode(v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")
		return &migrate.ParseError{File: r.File, Line: r.Line, Msg: r.Name + ": " + msg, Err: err}
	}
	return nil
}

func fieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.Anonymous && opts == "inline" {
			out = append(out, fieldNames(f.Type)...)
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		out = append(out, tag)
	}
	return out
}

// Require reports the first of the named fields that is empty.
func Require(r RawOp, fields ...any) error {
	for i := 0; i+1 < len(fields); i += 2 {
		name, _ := fields[i].(string)
		if isZero(fields[i+1]) {
			return r.Errorf("%s is required", name)
		}
	}
	return nil
}

func isZero(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return rv.Len() == 0
	}
	return rv.IsZero()
}
