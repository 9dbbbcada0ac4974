package check

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Severity says what a failing check does: an error blocks (pre) or rolls
// back (post) the migration, a warning is only reported.
type Severity string

// Severities.
const (
	SeverityError Severity = "error"
	SeverityWarn  Severity = "warn"
)

// Phase is when a check runs: before the migration or after it.
type Phase string

// Phases.
const (
	PhasePre  Phase = "pre"
	PhasePost Phase = "post"
)

// Kinds lists the check kinds a checks file accepts.
func Kinds() []string {
	return []string{"not_null", "unique", "orphans", "row_count", "checksum", "sql"}
}

// Spec is one declared check: its kind, its fields and where it was written.
type Spec struct {
	Kind     string
	Name     string
	Severity Severity
	File     string
	Line     int

	Table     string   // not_null, unique, orphans, row_count
	Columns   []string // not_null, unique, checksum
	Key       []string // not_null, unique, orphans (to name offending rows), checksum
	Column    string   // orphans
	RefTable  string   // orphans: the parent table
	RefColumn string   // orphans: the parent column

	// row_count: the expected count is Equals (a number), EqualsTable or
	// EqualsQuery; Tolerance is absolute, or a percentage of the expected
	// count when TolerancePct is set.
	Equals       *int64
	EqualsTable  string
	EqualsQuery  string
	Tolerance    float64
	TolerancePct bool
	Where        string // not_null, row_count: optional filter

	// checksum
	Source, Target Relation

	// sql
	Query       string
	ExpectRows  *int64
	ExpectValue *string
}

// Relation is one side of a checksum: a table or a query.
type Relation struct {
	Table string
	Query string
}

func (r Relation) String() string {
	if r.Table != "" {
		return r.Table
	}
	return "(" + oneLine(r.Query) + ")"
}

// Label names the check in reports: its name, or its kind and table.
func (s *Spec) Label() string {
	if s.Name != "" {
		return s.Name
	}
	switch s.Kind {
	case "not_null", "unique":
		return fmt.Sprintf("%s %s(%s)", s.Kind, s.Table, strings.Join(s.Columns, ", "))
	case "orphans":
		return fmt.Sprintf("orphans %s.%s -> %s.%s", s.Table, s.Column, s.RefTable, s.RefColumn)
	case "row_count":
		return "row_count " + s.Table
	case "checksum":
		return fmt.Sprintf("checksum %s = %s", s.Source, s.Target)
	case "sql":
		return "sql " + oneLine(s.Query)
	}
	return s.Kind
}

// Pos returns "file:line" for messages.
func (s *Spec) Pos() string {
	if s.File == "" {
		return fmt.Sprintf("line %d", s.Line)
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// Set is the checks of one migration.
type Set struct {
	File string
	Pre  []*Spec
	Post []*Spec
	// RestorePoint lists the tables a YAML migration asks to copy before it
	// runs (restore_point:).
	RestorePoint []string
}

// ParseError is a malformed checks file or checks: key.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Parse reads a checks file: a mapping with pre: and post: lists (a
// V_name.checks.yaml beside a SQL migration).
func Parse(file string, data []byte) (*Set, error) {
	root, err := parseRoot(file, data)
	if err != nil || root == nil {
		return &Set{File: file}, err
	}
	return parseSet(file, root, false)
}

// ParseDocument reads the checks: and restore_point: keys of a YAML
// migration; other keys belong to the migration's own kind and are
// ignored. A document without them gives an empty set.
func ParseDocument(file string, data []byte) (*Set, error) {
	root, err := parseRoot(file, data)
	if err != nil || root == nil {
		return &Set{File: file}, err
	}
	set := &Set{File: file}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "checks":
			if v.Kind != yaml.MappingNode {
				return nil, &ParseError{file, v.Line, "checks must be a mapping with pre: and post: lists"}
			}
			s, err := parseSet(file, v, false)
			if err != nil {
				return nil, err
			}
			set.Pre, set.Post = s.Pre, s.Post
		case "restore_point":
			tables, err := stringList(v)
			if err != nil {
				return nil, &ParseError{file, v.Line, "restore_point: " + err.Error()}
			}
			set.RestorePoint = tables
		}
	}
	return set, nil
}

func parseRoot(file string, data []byte) (*yaml.Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
			msg = msg[i+2:]
		}
		return nil, &ParseError{file, yamlLine(err), msg}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ParseError{file, root.Line, "expected a mapping with pre: and post: lists"}
	}
	return root, nil
}

func yamlLine(err error) int {
	var n int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &n)
	}
	return n
}

func parseSet(file string, root *yaml.Node, _ bool) (*Set, error) {
	set := &Set{File: file}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var dst *[]*Spec
		switch k.Value {
		case "pre":
			dst = &set.Pre
		case "post":
			dst = &set.Post
		default:
			return nil, &ParseError{file, k.Line, fmt.Sprintf("unknown key %q (want pre: or post:)", k.Value)}
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.SequenceNode {
			return nil, &ParseError{file, v.Line, k.Value + " must be a list of checks"}
		}
		for _, n := range v.Content {
			s, err := parseSpec(file, n)
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, s)
		}
	}
	return set, nil
}

// fields maps each kind to the fields it accepts (beyond name and severity).
var fields = map[string][]string{
	"not_null":  {"table", "columns", "key", "where"},
	"unique":    {"table", "columns", "key"},
	"orphans":   {"table", "column", "references", "key"},
	"row_count": {"table", "where", "equals", "tolerance"},
	"checksum":  {"source", "target", "key", "columns"},
	"sql":       {"query", "expect"},
}

// parseSpec reads one list item: `- not_null: {table: t, columns: [a]}`.
func parseSpec(file string, n *yaml.Node) (*Spec, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return nil, &ParseError{file, n.Line, "each check is a map with one key, its kind (for example not_null: {table: users, columns: [email]}); kinds: " + strings.Join(Kinds(), ", ")}
	}
	k, v := n.Content[0], n.Content[1]
	allowed, ok := fields[k.Value]
	if !ok {
		return nil, &ParseError{file, k.Line, fmt.Sprintf("unknown check %q (kinds: %s)", k.Value, strings.Join(Kinds(), ", "))}
	}
	if v.Kind != yaml.MappingNode {
		return nil, &ParseError{file, v.Line, k.Value + ": expected a map of fields"}
	}
	s := &Spec{Kind: k.Value, Severity: SeverityError, File: file, Line: k.Line}
	fail := func(at *yaml.Node, format string, args ...any) error {
		return &ParseError{file, at.Line, k.Value + ": " + fmt.Sprintf(format, args...)}
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		fk, fv := v.Content[i], v.Content[i+1]
		if fk.Value != "name" && fk.Value != "severity" && !contains(allowed, fk.Value) {
			return nil, fail(fk, "unknown field %q (want %s, name, severity)", fk.Value, strings.Join(allowed, ", "))
		}
		seen[fk.Value] = fv
		if err := s.setField(fk.Value, fv); err != nil {
			return nil, fail(fv, "%s: %v", fk.Value, err)
		}
	}
	if err := s.required(seen, v, fail); err != nil {
		return nil, err
	}
	return s, nil
}

// setField reads the value of one field of a check.
func (s *Spec) setField(name string, fv *yaml.Node) error {
	var err error
	switch name {
	case "name":
		s.Name, err = scalar(fv)
	case "severity":
		s.Severity, err = parseSeverity(fv)
	case "table":
		s.Table, err = scalar(fv)
	case "column":
		s.Column, err = scalar(fv)
	case "where":
		s.Where, err = scalar(fv)
	case "query":
		s.Query, err = scalar(fv)
	case "columns":
		s.Columns, err = stringList(fv)
	case "key":
		s.Key, err = stringList(fv)
	case "references":
		s.RefTable, s.RefColumn, err = parseReference(fv)
	case "equals":
		err = parseEquals(s, fv)
	case "tolerance":
		s.Tolerance, s.TolerancePct, err = parseTolerance(fv)
	case "source":
		s.Source, err = parseRelation(fv)
	case "target":
		s.Target, err = parseRelation(fv)
	case "expect":
		err = parseExpect(s, fv)
	}
	return err
}

// required checks that the fields the check's kind needs are there.
func (s *Spec) required(seen map[string]*yaml.Node, v *yaml.Node, fail func(at *yaml.Node, format string, args ...any) error) error {
	need := map[string][]string{
		"not_null":  {"table", "columns"},
		"unique":    {"table", "columns"},
		"orphans":   {"table", "column", "references"},
		"row_count": {"table", "equals"},
		"checksum":  {"source", "target", "key"},
		"sql":       {"query", "expect"},
	}[s.Kind]
	for _, f := range need {
		if seen[f] == nil {
			return fail(v, "missing field %s", f)
		}
	}
	if (s.Kind == "not_null" || s.Kind == "unique") && len(s.Columns) == 0 {
		return fail(seen["columns"], "columns is empty")
	}
	return nil
}

// parseSeverity reads error, warn or warning.
func parseSeverity(fv *yaml.Node) (Severity, error) {
	sev, err := scalar(fv)
	if err != nil {
		return SeverityError, err
	}
	switch Severity(sev) {
	case SeverityError, SeverityWarn:
		return Severity(sev), nil
	case "warning":
		return SeverityWarn, nil
	}
	return SeverityError, fmt.Errorf("%q is not error or warn", sev)
}

// parseReference reads table.column, or table(column) as in SQL.
func parseReference(fv *yaml.Node) (table, column string, err error) {
	ref, err := scalar(fv)
	if err != nil {
		return "", "", err
	}
	if t, c, ok := strings.Cut(strings.TrimSuffix(ref, ")"), "("); ok && strings.HasSuffix(ref, ")") && t != "" && c != "" {
		return strings.TrimSpace(t), strings.TrimSpace(c), nil
	}
	i := strings.LastIndex(ref, ".")
	if i <= 0 || i == len(ref)-1 {
		return "", "", fmt.Errorf("%q: want table.column", ref)
	}
	return ref[:i], ref[i+1:], nil
}

// parseTolerance reads a number of rows, or a percentage such as 0.5%.
func parseTolerance(fv *yaml.Node) (tol float64, pct bool, err error) {
	t, err := scalar(fv)
	if err != nil {
		return 0, false, err
	}
	f, perr := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if perr != nil || f < 0 {
		return 0, false, fmt.Errorf("%q: want a non-negative number or a percentage such as 0.5%%", t)
	}
	return f, strings.HasSuffix(t, "%"), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errors.New("expected a single value")
	}
	if n.Value == "" {
		return "", errors.New("is empty")
	}
	return n.Value, nil
}

// stringList accepts [a, b], a list, or "a, b".
func stringList(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		var out []string
		for _, p := range strings.Split(n.Value, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			s, err := scalar(c)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errors.New("expected a list of names")
}

func isQuery(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) > 0 && (f[0] == "select" || f[0] == "with" || f[0] == "(select")
}

// parseEquals reads row_count's equals: a number, a table, a query, or
// {table: t} / {query: q}.
func parseEquals(s *Spec, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		r, err := parseRelation(n)
		s.EqualsTable, s.EqualsQuery = r.Table, r.Query
		return err
	}
	v, err := scalar(n)
	if err != nil {
		return err
	}
	if i, err := strconv.ParseInt(v, 10, 64); err == nil && n.Tag == "!!int" {
		s.Equals = &i
		return nil
	}
	if isQuery(v) {
		s.EqualsQuery = v
	} else {
		s.EqualsTable = v
	}
	return nil
}

func parseRelation(n *yaml.Node) (Relation, error) {
	if n.Kind == yaml.ScalarNode {
		v, err := scalar(n)
		if err != nil {
			return Relation{}, err
		}
		if isQuery(v) {
			return Relation{Query: v}, nil
		}
		return Relation{Table: v}, nil
	}
	if n.Kind != yaml.MappingNode {
		return Relation{}, errors.New("want a table name, a query, {table: name} or {query: SQL}")
	}
	var r Relation
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		val, err := scalar(v)
		if err != nil {
			return r, fmt.Errorf("%s: %w", k.Value, err)
		}
		switch k.Value {
		case "table":
			r.Table = val
		case "query":
			r.Query = val
		default:
			return r, fmt.Errorf("unknown field %q (want table or query)", k.Value)
		}
	}
	if (r.Table == "") == (r.Query == "") {
		return r, errors.New("want exactly one of table or query")
	}
	return r, nil
}

func parseExpect(s *Spec, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("want {rows: N} or {value: X}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: expected a single value", k.Value)
		}
		switch k.Value {
		case "rows":
			c, err := strconv.ParseInt(v.Value, 10, 64)
			if err != nil || c < 0 {
				return fmt.Errorf("rows: %q is not a row count", v.Value)
			}
			s.ExpectRows = &c
		case "value":
			val := v.Value
			if v.Tag == "!!null" {
				val = nullText
			}
			s.ExpectValue = &val
		default:
			return fmt.Errorf("unknown field %q (want rows or value)", k.Value)
		}
	}
	if (s.ExpectRows == nil) == (s.ExpectValue == nil) {
		return errors.New("want exactly one of rows or value")
	}
	return nil
}

// nullText is how reports show SQL NULL.
const nullText = "NULL"
