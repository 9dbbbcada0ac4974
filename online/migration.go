package online

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Migration is one online migration: the operations of one YAML file, run
// together through start, complete and abort.
type Migration struct {
	// File is the name the migration was parsed from, for messages.
	File string
	// Operations run in order at start; their contract steps run in order
	// at complete and their rollbacks in reverse at abort.
	Operations []Operation
	// Lines holds the line of each operation in File.
	Lines []int

	nodes []*yaml.Node // each operation's fields, for the line of a field
}

// opLoc names operation i for messages: file:line: operation n (kind).
func (m *Migration) opLoc(i int) string {
	loc := m.File
	if l := m.line(i, ""); l > 0 {
		loc = fmt.Sprintf("%s:%d", m.File, l)
	}
	if loc != "" {
		loc += ": "
	}
	return fmt.Sprintf("%soperation %d (%s)", loc, i+1, m.Operations[i].Kind())
}

// line returns the line of field (a dotted path, empty for the operation)
// of operation i, or the operation's line.
func (m *Migration) line(i int, field string) int {
	if i < len(m.nodes) && field != "" {
		if l := fieldLine(m.nodes[i], field); l > 0 {
			return l
		}
	}
	if i < len(m.Lines) {
		return m.Lines[i]
	}
	return 0
}

// Operation is one declarative change. Each kind lives in its own
// op_<kind>.go file. Start expands (makes the new shape exist beside the
// old), Complete contracts (removes the old shape), Rollback undoes Start
// from any partial state, leaving the old shape and its rows untouched.
// Validate checks the operation's own fields, without a database.
type Operation interface {
	Kind() string
	// Tables returns the tables the operation reads or changes.
	Tables() []string
	Validate() error
	Start(ctx context.Context, x *Exec) error
	Complete(ctx context.Context, x *Exec) error
	Rollback(ctx context.Context, x *Exec) error
}

// afterBackfiller is implemented by operations with work that must wait
// until every backfill of the migration is done (validating constraints,
// building indexes on new columns).
type afterBackfiller interface {
	afterBackfill(ctx context.Context, x *Exec) error
}

// planner is implemented by operations to describe what each phase runs.
type planner interface {
	plan(p *plan)
}

// plan collects the human-readable steps of each phase.
type plan struct {
	quoting
	version, schema        string
	start, complete, abort []string
}

func (p *plan) q(table string) string { return p.qualified(p.schema, table) }

// newOperation returns an empty operation of kind, or nil.
func newOperation(kind string) Operation {
	switch kind {
	case "create_table":
		return &CreateTable{}
	case "drop_table":
		return &DropTable{}
	case "rename_table":
		return &RenameTable{}
	case "set_table_options":
		return &SetTableOptions{}
	case "add_column":
		return &AddColumn{}
	case "drop_column":
		return &DropColumn{}
	case "rename_column":
		return &RenameColumn{}
	case "alter_column":
		return &AlterColumn{}
	case "create_index":
		return &CreateIndex{}
	case "drop_index":
		return &DropIndex{}
	case "add_foreign_key":
		return &AddForeignKey{}
	case "add_check":
		return &AddCheck{}
	case "set_not_null":
		return &SetNotNull{}
	case "sql":
		return &RawSQL{}
	case "backfill":
		return &BackfillData{}
	case "restructure_table":
		return &RestructureTable{}
	}
	return nil
}

// Kinds lists the operation kinds Parse accepts.
func Kinds() []string {
	return []string{"create_table", "drop_table", "rename_table", "set_table_options", "add_column", "drop_column",
		"rename_column", "alter_column", "create_index", "drop_index", "add_foreign_key", "add_check", "set_not_null",
		"sql", "backfill", "restructure_table"}
}

// Parse reads a YAML online migration. Errors are [*ParseError]s carrying
// file:line and naming the operation and field.
func Parse(file string, data []byte) (*Migration, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, &ParseError{File: file, Line: yamlErrLine(err), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &ParseError{File: file, Line: 1, Msg: "expected a mapping with an operations: list"}
	}
	root := doc.Content[0]
	m := &Migration{File: file}
	var ops *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "operations":
			ops = v
		case "name", "description", "checks", "restore_point":
			// checks and restore_point are read by package check.
		default:
			return nil, &ParseError{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown field %q (want operations)", k.Value)}
		}
	}
	if ops == nil {
		return nil, &ParseError{File: file, Line: root.Line, Msg: "missing operations: list"}
	}
	if ops.Kind != yaml.SequenceNode {
		return nil, &ParseError{File: file, Line: ops.Line, Msg: "operations must be a list"}
	}
	if len(ops.Content) == 0 {
		return nil, &ParseError{File: file, Line: ops.Line, Msg: "operations is empty"}
	}
	for _, n := range ops.Content {
		if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
			return nil, &ParseError{File: file, Line: n.Line, Msg: "each operation is a map with one key, the operation's kind (for example add_column:)"}
		}
		k, v := n.Content[0], n.Content[1]
		op := newOperation(k.Value)
		if op == nil {
			return nil, &ParseError{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown operation %q (known: %s)", k.Value, strings.Join(Kinds(), ", "))}
		}
		if v.Kind != yaml.MappingNode {
			return nil, &ParseError{File: file, Line: v.Line, Op: k.Value, Msg: "expected a map of fields"}
		}
		if err := checkFields(v, reflect.TypeOf(op).Elem(), ""); err != nil {
			err.File, err.Op = file, k.Value
			return nil, err
		}
		if err := v.Decode(op); err != nil {
			return nil, &ParseError{File: file, Line: yamlErrLine(err), Op: k.Value, Msg: yamlErrMsg(err)}
		}
		if err := op.Validate(); err != nil {
			line := v.Line
			var fe *fieldError
			if errors.As(err, &fe) {
				if l := fieldLine(v, fe.field); l > 0 {
					line = l
				}
			}
			return nil, &ParseError{File: file, Line: line, Op: k.Value, Msg: err.Error()}
		}
		m.Operations = append(m.Operations, op)
		m.Lines = append(m.Lines, k.Line)
		m.nodes = append(m.nodes, v)
	}
	return m, nil
}

// fieldError is a Validate error about one field, so Parse can point at
// its line.
type fieldError struct {
	field string // dotted path, e.g. "column.type"
	msg   string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func errField(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// required reports the first empty one of the fields it is given as
// pairs of name and value: required("table", o.Table, "name", o.Name).
func required(namesAndValues ...string) error {
	for i := 0; i+1 < len(namesAndValues); i += 2 {
		if namesAndValues[i+1] == "" {
			return errField(namesAndValues[i], "is required")
		}
	}
	return nil
}

// fieldLine finds the line of a dotted field path under mapping n; a part
// may index a list ("columns[2].type").
func fieldLine(n *yaml.Node, path string) int {
	cur := n
	line := 0
	for _, p := range strings.Split(path, ".") {
		idx := -1
		if i := strings.IndexByte(p, '['); i > 0 && strings.HasSuffix(p, "]") {
			if _, err := fmt.Sscanf(p[i+1:len(p)-1], "%d", &idx); err != nil {
				idx = -1
			}
			p = p[:i]
		}
		if cur.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(cur.Content); i += 2 {
			if cur.Content[i].Value == p {
				line = cur.Content[i].Line
				cur = cur.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
		if idx >= 0 {
			if cur.Kind != yaml.SequenceNode || idx >= len(cur.Content) {
				return line
			}
			cur = cur.Content[idx]
			line = cur.Line
		}
	}
	return line
}

// checkFields reports the first key of mapping n that t has no yaml field
// for, recursing into nested structs, lists and maps of structs.
func checkFields(n *yaml.Node, t reflect.Type, path string) *ParseError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // Decode reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = f.Type
			names = append(names, tag)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				return &ParseError{Line: k.Line, Msg: fmt.Sprintf("unknown field %q (known: %s)", path+k.Value, strings.Join(names, ", "))}
			}
			if err := checkFields(n.Content[i+1], ft, path+k.Value+"."); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				if err := checkFields(c, t.Elem(), path); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func yamlErrLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	return line
}

func yamlErrMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return msg
}

// Tables returns the tables the migration touches, each once, in order.
func (m *Migration) Tables() []string {
	var out []string
	seen := map[string]bool{}
	for _, op := range m.Operations {
		for _, t := range op.Tables() {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// Plan returns a human-readable plan: the SQL each phase would run on
// PostgreSQL, as far as it can be known without reading the database
// ([Runner.Plan] with a zero Runner).
func (m *Migration) Plan(version string) []string { return (&Runner{}).Plan(version, m) }

// Plan returns a human-readable plan of m: the SQL each phase would run
// on r's engine, as far as it can be known without reading the database.
func (r *Runner) Plan(version string, m *Migration) []string {
	p := &plan{quoting: quoting{r.dialect()}, version: version, schema: r.schema()}
	for _, op := range m.Operations {
		if pl, ok := op.(planner); ok {
			pl.plan(p)
		} else {
			p.start = append(p.start, "-- "+op.Kind())
		}
	}
	vs := p.ident(VersionSchema(version))
	p.start = append(p.start, "CREATE SCHEMA "+vs+" -- with one view per table showing the new shape")
	p.abort = append([]string{"DROP SCHEMA IF EXISTS " + vs + " CASCADE"}, reverse(p.abort)...)
	out := []string{"-- start (strata up): each statement under lock_timeout, retried with backoff"}
	out = append(out, p.start...)
	out = append(out, "-- complete (strata complete): one short transaction under lock_timeout")
	out = append(out, "DROP SCHEMA IF EXISTS "+vs+" CASCADE -- applications reading through it fall through to the tables")
	out = append(out, p.complete...)
	out = append(out, "-- abort (strata abort)")
	return append(out, p.abort...)
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
