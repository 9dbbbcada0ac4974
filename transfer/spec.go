package transfer

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Spec is a transfer file: where rows come from, where they go, and how each
// table is mapped. Parse validates it; every error names file:line.
type Spec struct {
	// File is the path the spec was read from, for messages.
	File string `yaml:"-"`
	// Name identifies the transfer in the checkpoint and quarantine tables
	// (default: the file's base name without extension).
	Name   string `yaml:"name"`
	Source string `yaml:"source"`
	Target string `yaml:"target"`
	// Workers is how many chunks are written at once (default 2).
	Workers int `yaml:"workers"`
	// ChunkRows is the rows of one chunk, the unit of a checkpoint
	// (default 20,000).
	ChunkRows int `yaml:"chunk_rows"`
	// MaxErrors bounds quarantined rows per table: a count ("100") or a
	// ratio ("1%", "0.01"). Empty: no bound (every bad row is quarantined
	// and reported).
	MaxErrors Limit `yaml:"max_errors"`
	// Timezone is the zone MySQL DATETIME and SQLite text timestamps are
	// read in (default UTC).
	Timezone string `yaml:"timezone"`
	// Verify compares the tables after the copy (default true).
	Verify *bool    `yaml:"verify"`
	Tables []*Table `yaml:"tables"`
	line   int
}

// Table maps one source table (or query) onto one target table.
type Table struct {
	// From is a table name or a SELECT.
	From string `yaml:"from"`
	// To defaults to From (a query needs To).
	To string `yaml:"to"`
	// Key is the source column (or columns) rows are ordered and chunked by.
	Key Strings `yaml:"key"`
	// Columns keeps, drops and renames source columns.
	Columns *Columns `yaml:"columns"`
	// Where filters the source rows in SQL (counted neither read nor skipped).
	Where string `yaml:"where"`
	// Rules run on every row in order.
	Rules []*Rule `yaml:"rules"`
	// OnConflict is error (default), skip or update.
	OnConflict string `yaml:"on_conflict"`
	// Create creates the target table from the source's schema.
	Create bool `yaml:"create"`
	// DeferIndexes drops the secondary indexes and foreign keys of an
	// empty PostgreSQL target for the load and rebuilds them afterwards,
	// several at once. Other engines keep their indexes.
	DeferIndexes bool `yaml:"defer_indexes"`
	// MaxErrors overrides the spec's.
	MaxErrors Limit `yaml:"max_errors"`
	// Lookups fetch a value from another table by one of the row's
	// values, chunk by chunk.
	Lookups []*Lookup `yaml:"lookups"`
	// Explode writes one target row per element of a list column (a
	// comma list or a JSON array): a junction table.
	Explode *Explode `yaml:"explode"`
	// References are foreign keys checked against the target, chunk by
	// chunk: a row whose parent is missing is an orphan.
	References []*Reference `yaml:"references"`
	Line       int          `yaml:"-"`
	fields     map[string]int
}

// lineOf returns the line of the table's field, or the table's own line.
func (t *Table) lineOf(field string) int {
	if l, ok := t.fields[field]; ok {
		return l
	}
	return t.Line
}

// Lookup sets Into to Table.Value where Table.Key equals the row's From.
type Lookup struct {
	From  string `yaml:"from"`
	Table string `yaml:"table"`
	Key   string `yaml:"key"`
	Value string `yaml:"value"`
	// Into defaults to Value.
	Into string `yaml:"into"`
	// In is target (default) or source: the database Table is read from.
	In string `yaml:"in"`
	// OnMissing is quarantine (default), null or skip.
	OnMissing string `yaml:"on_missing"`
}

// Explode turns a list column into rows.
type Explode struct {
	// Column holds the list; Into names the column each element goes to.
	Column string `yaml:"column"`
	Into   string `yaml:"into"`
	// Sep separates a text list (default ","); a value that starts with
	// '[' is read as a JSON array.
	Sep string `yaml:"sep"`
}

// Reference is a foreign key of the target table: Column (a target column)
// must match Key of Table in the target database, which an earlier mapping
// of the spec (or something else) filled.
type Reference struct {
	Column string `yaml:"column"`
	Table  string `yaml:"table"`
	Key    string `yaml:"key"`
	// Orphans says what happens to a row without a parent: fail (default)
	// stops the run naming the key, skip counts it skipped, quarantine
	// sends it to quarantine, null stores NULL in Column.
	Orphans string `yaml:"orphans"`
}

// Columns selects and renames columns. Keep and Drop are exclusive.
type Columns struct {
	Keep   []string          `yaml:"keep"`
	Drop   []string          `yaml:"drop"`
	Rename map[string]string `yaml:"rename"`
}

// Strings is a YAML scalar or list of strings.
type Strings []string

// UnmarshalYAML accepts `x` and `[x, y]`.
func (s *Strings) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = Strings{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// Limit is a count or a ratio of rows.
type Limit struct {
	Set   bool
	Count int64
	Ratio float64 // > 0 when a ratio was given
}

// UnmarshalYAML accepts 100, "1%" and 0.01.
func (l *Limit) UnmarshalYAML(n *yaml.Node) error {
	v := strings.TrimSpace(n.Value)
	l.Set = true
	if p, ok := strings.CutSuffix(v, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || f > 100 {
			return fmt.Errorf("line %d: max_errors %q: want a count, a ratio below 1 or a percentage", n.Line, v)
		}
		l.Ratio = f / 100
		if f == 0 {
			l.Count, l.Ratio = 0, 0
		}
		return nil
	}
	if c, err := strconv.ParseInt(v, 10, 64); err == nil && c >= 0 {
		l.Count = c
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f >= 1 || math.IsNaN(f) {
		return fmt.Errorf("line %d: max_errors %q: want a count, a ratio below 1 or a percentage", n.Line, v)
	}
	l.Ratio = f
	return nil
}

// Exceeded reports whether bad rows out of read go beyond the limit.
func (l Limit) Exceeded(bad, read int64) bool {
	if !l.Set {
		return false
	}
	if l.Ratio > 0 {
		return read > 0 && float64(bad) > l.Ratio*float64(read) && bad > 0
	}
	return bad > l.Count
}

func (l Limit) String() string {
	if l.Ratio > 0 {
		return strconv.FormatFloat(l.Ratio*100, 'g', -1, 64) + "%"
	}
	return strconv.FormatInt(l.Count, 10)
}

// Parse reads and validates a spec. file names it in errors.
func Parse(file string, data []byte) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlErr(file, err)
	}
	if len(doc.Content) == 0 {
		return nil, &SpecError{File: file, Msg: "empty spec: want source:, target: and tables:"}
	}
	root := doc.Content[0]
	s := &Spec{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil {
		return nil, yamlErr(file, err)
	}
	s.File, s.line = file, root.Line
	p := &specParser{s: s, keys: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(root.Content); i += 2 {
		p.keys[root.Content[i].Value] = root.Content[i]
	}
	if i := indexOf(root, "tables"); i >= 0 {
		p.recordLines(root.Content[i+1])
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// specParser validates a decoded spec, naming the line of each mistake.
type specParser struct {
	s    *Spec
	keys map[string]*yaml.Node // the top-level keys
}

// recordLines keeps the line of each table mapping, of its fields and of
// its rules.
func (p *specParser) recordLines(seq *yaml.Node) {
	for i, t := range seq.Content {
		if i >= len(p.s.Tables) || p.s.Tables[i] == nil {
			continue
		}
		tbl := p.s.Tables[i]
		tbl.Line, tbl.fields = t.Line, map[string]int{}
		for j := 0; j+1 < len(t.Content); j += 2 {
			tbl.fields[t.Content[j].Value] = t.Content[j].Line
			if t.Content[j].Value != "rules" {
				continue
			}
			for k, r := range t.Content[j+1].Content {
				if k < len(tbl.Rules) && tbl.Rules[k] != nil {
					tbl.Rules[k].Line = r.Line
				}
			}
		}
	}
}

// errAt is a mistake on the line of top-level key (the spec's first line
// when the key is missing) or on line.
func (p *specParser) errAt(key string, line int, format string, a ...any) error {
	if n := p.keys[key]; n != nil && key != "" {
		line = n.Line
	}
	if line == 0 {
		line = p.s.line
	}
	return &SpecError{File: p.s.File, Line: line, Msg: fmt.Sprintf(format, a...)}
}

func (p *specParser) validate() error {
	s := p.s
	switch {
	case s.Source == "":
		return p.errAt("", 0, "source: missing (a database URL or an environment of strata.yaml)")
	case s.Target == "":
		return p.errAt("", 0, "target: missing (a database URL or an environment of strata.yaml)")
	case len(s.Tables) == 0:
		return p.errAt("tables", 0, "tables: want at least one table mapping (from:, key:)")
	case s.Workers < 0 || s.Workers > 64:
		return p.errAt("workers", 0, "workers: %d: want 1 to 64", s.Workers)
	case s.ChunkRows < 0:
		return p.errAt("chunk_rows", 0, "chunk_rows: %d: want a positive number", s.ChunkRows)
	}
	if s.Name == "" {
		base := s.File[strings.LastIndex(s.File, "/")+1:]
		if i := strings.LastIndex(base, "."); i > 0 {
			base = base[:i]
		}
		s.Name = base
	}
	seen := map[string]int{}
	for i, t := range s.Tables {
		if t == nil {
			return p.errAt("tables", 0, "tables: item %d is empty: want from:, key:", i+1)
		}
		if err := p.table(t); err != nil {
			return err
		}
		if prev, dup := seen[t.To]; dup {
			return p.errAt("", t.Line, "table %s: target %s is already written by the mapping on line %d", t.From, t.To, prev)
		}
		seen[t.To] = t.Line
	}
	return nil
}

// table validates a table mapping and fills in its defaults.
func (p *specParser) table(t *Table) error {
	for _, r := range t.Rules {
		if r == nil {
			return p.errAt("", t.lineOf("rules"), "table %s: rules: an empty rule", t.From)
		}
	}
	for _, r := range t.References {
		if r == nil {
			return p.errAt("", t.lineOf("references"), "table %s: references: an empty reference", t.From)
		}
	}
	switch {
	case t.From == "":
		return p.errAt("", t.Line, "table mapping: from: missing (a table name or a SELECT)")
	case t.To == "" && isQuery(t.From):
		return p.errAt("", t.Line, "from: is a query, so to: must name the target table")
	case t.To == "":
		t.To = t.From
	}
	if len(t.Key) == 0 {
		return p.errAt("", t.Line, "table %s: key: missing (the column or columns rows are ordered and chunked by, e.g. key: id or key: [order_id, product_id])", t.From)
	}
	if err := p.choice(t, "on_conflict", "on_conflict: %q: want error, skip or update", &t.OnConflict, "error", "skip", "update"); err != nil {
		return err
	}
	if c := t.Columns; c != nil && len(c.Keep) > 0 && len(c.Drop) > 0 {
		return p.errAt("", t.lineOf("columns"), "table %s: columns: keep and drop exclude each other", t.From)
	}
	for _, check := range []func(*Table) error{p.lookups, p.explode, p.references} {
		if err := check(t); err != nil {
			return err
		}
	}
	for _, r := range t.Rules {
		if err := r.validate(); err != nil {
			return p.errAt("", r.Line, "table %s: rule: %v", t.From, err)
		}
	}
	return nil
}

// choice checks that *v is one of the choices of field, the first being
// the default for an empty value.
func (p *specParser) choice(t *Table, field, format string, v *string, choices ...string) error {
	if *v == "" {
		*v = choices[0]
	}
	if index(choices, *v) < 0 {
		return p.errAt("", t.lineOf(field), "table %s: "+format, t.From, *v)
	}
	return nil
}

func (p *specParser) lookups(t *Table) error {
	for _, l := range t.Lookups {
		if l == nil || l.From == "" || l.Table == "" || l.Key == "" || l.Value == "" {
			return p.errAt("", t.lineOf("lookups"), "table %s: lookups: needs from:, table:, key: and value:", t.From)
		}
		if l.Into == "" {
			l.Into = l.Value
		}
		if err := p.choice(t, "lookups", "lookups: in %q: want target or source", &l.In, "target", "source"); err != nil {
			return err
		}
		if err := p.choice(t, "lookups", "lookups: on_missing %q: want quarantine, null or skip", &l.OnMissing, "quarantine", "null", "skip"); err != nil {
			return err
		}
	}
	return nil
}

func (p *specParser) explode(t *Table) error {
	e := t.Explode
	if e == nil {
		return nil
	}
	if e.Column == "" || e.Into == "" {
		return p.errAt("", t.lineOf("explode"), "table %s: explode: needs column: and into:", t.From)
	}
	if e.Sep == "" {
		e.Sep = ","
	}
	return nil
}

func (p *specParser) references(t *Table) error {
	for _, ref := range t.References {
		if ref.Column == "" || ref.Table == "" {
			return p.errAt("", t.lineOf("references"), "table %s: references: needs column: and table:", t.From)
		}
		if ref.Key == "" {
			ref.Key = "id"
		}
		if err := p.choice(t, "references", "references: orphans %q: want fail, skip, quarantine or null", &ref.Orphans, "fail", "skip", "quarantine", "null"); err != nil {
			return err
		}
	}
	return nil
}

func indexOf(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func yamlErr(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			line, _ = strconv.Atoi(rest[:i])
			msg = strings.TrimSpace(rest[i+1:])
		}
	}
	msg = strings.ReplaceAll(msg, "in type transfer.Spec", "in the spec")
	msg = strings.ReplaceAll(msg, "in type transfer.Table", "in a table mapping")
	msg = strings.ReplaceAll(msg, "in type transfer.Rule", "in a rule")
	return &SpecError{File: file, Line: line, Msg: msg, Err: err}
}

func isQuery(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) > 0 && (f[0] == "select" || f[0] == "with")
}

// UnmarshalYAML reads `orphans: null` as the null policy, not as YAML's null.
func (r *Reference) UnmarshalYAML(n *yaml.Node) error {
	type plain Reference
	if err := n.Decode((*plain)(r)); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "orphans" && n.Content[i+1].Tag == "!!null" {
			r.Orphans = "null"
		}
	}
	return nil
}
