package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// Rule is one step of a table's row mapping. Exactly one kind is set.
//
//   - set: price_cents                     # calculated field (expr language)
//     expr: "price * 100"
//   - filter: "status != 'deleted'"        # false: the row is skipped (counted)
//   - concat: {into: full_name, from: [first, last], sep: " "}
//   - split: {from: full_name, into: [first, last], sep: " "}
//   - convert: {column: price, to: price_cents, type: cents}   # exact; failure quarantines the row
//   - default: {country: "NL"}             # when NULL
//   - trim: [name, email]
//   - lower: [email]
//   - dedupe: [email]                      # later rows with a seen value are skipped
//
// A rule that fails on a row sends the row to quarantine with the error.
type Rule struct {
	Set  string `yaml:"set"`
	Expr string `yaml:"expr"`
	// Type is the set column's type: int, float, decimal, text, bool, date
	// or timestamp (default: as the expression returns it, text when the
	// target table is created).
	Type    string         `yaml:"type"`
	Filter  string         `yaml:"filter"`
	Concat  *Concat        `yaml:"concat"`
	Split   *Split         `yaml:"split"`
	Convert *Convert       `yaml:"convert"`
	Default map[string]any `yaml:"default"`
	Trim    Strings        `yaml:"trim"`
	Lower   Strings        `yaml:"lower"`
	Upper   Strings        `yaml:"upper"`
	Dedupe  Strings        `yaml:"dedupe"`
	Line    int            `yaml:"-"`
}

// Concat joins columns into one.
type Concat struct {
	Into string   `yaml:"into"`
	From []string `yaml:"from"`
	Sep  string   `yaml:"sep"`
}

// Split cuts one column into several; the last gets the rest.
type Split struct {
	From string   `yaml:"from"`
	Into []string `yaml:"into"`
	Sep  string   `yaml:"sep"`
	Keep bool     `yaml:"keep"` // keep the source column (default: dropped)
}

// Convert changes a column's type, exactly or not at all.
type Convert struct {
	Column string `yaml:"column"`
	To     string `yaml:"to"` // new column name (default: in place)
	// Type is int, float, decimal, text, bool, date, timestamp, or cents
	// (a decimal times 100, which must come out whole).
	Type string `yaml:"type"`
	// OnError is quarantine (default), null or skip.
	OnError string `yaml:"on_error"`
}

func (r *Rule) validate() error {
	n := 0
	for _, b := range []bool{r.Set != "", r.Filter != "", r.Concat != nil, r.Split != nil, r.Convert != nil, r.Default != nil, len(r.Trim) > 0, len(r.Lower) > 0, len(r.Upper) > 0, len(r.Dedupe) > 0} {
		if b {
			n++
		}
	}
	if n != 1 {
		return errors.New("want exactly one of set/expr, filter, concat, split, convert, default, trim, lower, upper, dedupe")
	}
	if r.Set != "" && r.Expr == "" {
		return fmt.Errorf("set: %s needs expr:", r.Set)
	}
	switch r.Type {
	case "", "int", "float", "decimal", "text", "bool", "date", "timestamp":
	default:
		return fmt.Errorf("type %q: want int, float, decimal, text, bool, date or timestamp", r.Type)
	}
	if r.Expr != "" && r.Set == "" {
		return errors.New("expr: needs set: COLUMN")
	}
	for _, src := range []string{r.Expr, r.Filter} {
		if src != "" {
			if _, err := expr.Compile(src, expr.AllowUndefinedVariables()); err != nil {
				return fmt.Errorf("expression %q: %v", src, firstLine(err.Error()))
			}
		}
	}
	if c := r.Concat; c != nil && (c.Into == "" || len(c.From) == 0) {
		return errors.New("concat: needs into: and from: [columns]")
	}
	if s := r.Split; s != nil && (s.From == "" || len(s.Into) < 2) {
		return errors.New("split: needs from: and into: [two or more columns]")
	}
	if c := r.Convert; c != nil {
		if c.Column == "" {
			return errors.New("convert: needs column:")
		}
		switch c.Type {
		case "int", "float", "decimal", "text", "bool", "date", "timestamp", "cents":
		default:
			return fmt.Errorf("convert: type %q: want int, float, decimal, text, bool, date, timestamp or cents", c.Type)
		}
		switch c.OnError {
		case "", "quarantine", "null", "skip":
		default:
			return fmt.Errorf("convert: on_error %q: want quarantine, null or skip", c.OnError)
		}
	}
	return nil
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// errSkip marks a row a rule decided to leave out (filter, dedupe).
type errSkip struct{ reason string }

func (e *errSkip) Error() string { return e.reason }

// program is a table's compiled rules: the schema they produce and a
// function applied to each row's values.
type program struct {
	in, out []string
	steps   []func(vals []any) ([]any, error)
	// changed are output columns whose values the rules compute (excluded
	// from verification against the source).
	changed map[string]bool
}

func index(names []string, n string) int { return slices.Index(names, n) }

// compile builds the rules against the input columns.
func compile(in []string, rules []*Rule) (*program, error) {
	c := &compiler{p: &program{in: in, changed: map[string]bool{}}, cur: slices.Clone(in)}
	for _, r := range rules {
		var err error
		switch {
		case r.Set != "":
			err = c.set(r)
		case r.Filter != "":
			err = c.filter(r)
		case r.Concat != nil:
			err = c.concat(r)
		case r.Split != nil:
			err = c.split(r)
		case r.Convert != nil:
			err = c.convert(r)
		case r.Default != nil:
			c.defaults(r)
		case len(r.Trim)+len(r.Lower)+len(r.Upper) > 0:
			err = c.clean(r)
		case len(r.Dedupe) > 0:
			err = c.dedupe(r)
		}
		if err != nil {
			return nil, err
		}
	}
	c.p.out = c.cur
	return c.p, nil
}

// compiler builds a program rule by rule; cur is the row's columns as the
// rules so far leave them.
type compiler struct {
	p   *program
	cur []string
}

func (c *compiler) step(f func(v []any) ([]any, error)) { c.p.steps = append(c.p.steps, f) }

// need is the slot of a column a rule reads.
func (c *compiler) need(r *Rule, col string) (int, error) {
	i := index(c.cur, col)
	if i < 0 {
		return 0, fmt.Errorf("line %d: column %q does not exist here (have %s)", r.Line, col, strings.Join(c.cur, ", "))
	}
	return i, nil
}

func (c *compiler) needAll(r *Rule, cols []string) ([]int, error) {
	idx := make([]int, len(cols))
	for j, col := range cols {
		i, err := c.need(r, col)
		if err != nil {
			return nil, err
		}
		idx[j] = i
	}
	return idx, nil
}

// add is the slot of a column a rule writes, added when new.
func (c *compiler) add(col string) int {
	c.p.changed[col] = true
	if i := index(c.cur, col); i >= 0 {
		return i
	}
	c.cur = append(c.cur, col)
	return len(c.cur) - 1
}

func (c *compiler) set(r *Rule) error {
	prog, err := expr.Compile(r.Expr, expr.AllowUndefinedVariables())
	if err != nil {
		return fmt.Errorf("line %d: %v", r.Line, err)
	}
	names := slices.Clone(c.cur)
	out := c.add(r.Set)
	width := len(c.cur)
	c.step(func(v []any) ([]any, error) {
		res, err := vm.Run(prog, env(names, v))
		if err != nil {
			return nil, fmt.Errorf("set %s: %v", r.Set, firstLine(err.Error()))
		}
		v = grow(v, width)
		val := fromExpr(res)
		if r.Type != "" && val != nil {
			if val, err = convert(val, r.Type); err != nil {
				return nil, fmt.Errorf("set %s: %v", r.Set, err)
			}
		}
		v[out] = val
		return v, nil
	})
	return nil
}

func (c *compiler) filter(r *Rule) error {
	prog, err := expr.Compile(r.Filter, expr.AsBool(), expr.AllowUndefinedVariables())
	if err != nil {
		return fmt.Errorf("line %d: filter must be true or false: %v", r.Line, firstLine(err.Error()))
	}
	names := slices.Clone(c.cur)
	c.step(func(v []any) ([]any, error) {
		res, err := vm.Run(prog, env(names, v))
		if err != nil {
			return nil, fmt.Errorf("filter: %v", firstLine(err.Error()))
		}
		if b, _ := res.(bool); !b {
			return nil, &errSkip{"filter: " + r.Filter}
		}
		return v, nil
	})
	return nil
}

func (c *compiler) concat(r *Rule) error {
	cc := r.Concat
	idx, err := c.needAll(r, cc.From)
	if err != nil {
		return err
	}
	out := c.add(cc.Into)
	width := len(c.cur)
	c.step(func(v []any) ([]any, error) {
		var parts []string
		for _, i := range idx {
			if s := strings.TrimSpace(text(v[i])); v[i] != nil && s != "" {
				parts = append(parts, s)
			}
		}
		v = grow(v, width)
		v[out] = nil
		if len(parts) > 0 {
			v[out] = strings.Join(parts, cc.Sep)
		}
		return v, nil
	})
	return nil
}

func (c *compiler) split(r *Rule) error {
	s := r.Split
	from, err := c.need(r, s.From)
	if err != nil {
		return err
	}
	sep := s.Sep
	if sep == "" {
		sep = " "
	}
	var outs []int
	for _, col := range s.Into {
		outs = append(outs, c.add(col))
	}
	width := len(c.cur)
	c.step(func(v []any) ([]any, error) {
		v = grow(v, width)
		var parts []string
		if v[from] != nil {
			parts = strings.SplitN(strings.TrimSpace(text(v[from])), sep, len(outs))
		}
		for i, o := range outs {
			v[o] = nil
			if i < len(parts) && parts[i] != "" {
				v[o] = strings.TrimSpace(parts[i])
			}
		}
		return v, nil
	})
	if !s.Keep {
		c.p.dropLater(&c.cur, s.From)
	}
	return nil
}

func (c *compiler) convert(r *Rule) error {
	cv := r.Convert
	from, err := c.need(r, cv.Column)
	if err != nil {
		return err
	}
	out := c.add(firstOf(cv.To, cv.Column))
	width := len(c.cur)
	c.step(func(v []any) ([]any, error) {
		v = grow(v, width)
		res, err := convert(v[from], cv.Type)
		if err != nil {
			switch cv.OnError {
			case "null":
				res = nil
			case "skip":
				return nil, &errSkip{fmt.Sprintf("convert %s: %v", cv.Column, err)}
			default:
				return nil, fmt.Errorf("convert %s to %s: %v", cv.Column, cv.Type, err)
			}
		}
		v[out] = res
		return v, nil
	})
	if cv.To != "" && cv.To != cv.Column {
		c.p.dropLater(&c.cur, cv.Column)
	}
	return nil
}

func (c *compiler) defaults(r *Rule) {
	for col, val := range r.Default {
		i := c.add(col)
		width := len(c.cur)
		c.step(func(v []any) ([]any, error) {
			v = grow(v, width)
			if v[i] == nil {
				v[i] = fromExpr(val)
			}
			return v, nil
		})
	}
}

// clean is trim, lower and upper.
func (c *compiler) clean(r *Rule) error {
	cols, f := []string(r.Trim), strings.TrimSpace
	if len(r.Lower) > 0 {
		cols, f = r.Lower, func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	} else if len(r.Upper) > 0 {
		cols, f = r.Upper, func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
	}
	idx, err := c.needAll(r, cols)
	if err != nil {
		return err
	}
	for j, i := range idx {
		c.p.changed[cols[j]] = true
		c.step(func(v []any) ([]any, error) {
			if s, ok := v[i].(string); ok {
				v[i] = f(s)
			}
			return v, nil
		})
	}
	return nil
}

func (c *compiler) dedupe(r *Rule) error {
	idx, err := c.needAll(r, r.Dedupe)
	if err != nil {
		return err
	}
	seen := newSeenSet()
	c.step(func(v []any) ([]any, error) {
		var b strings.Builder
		for _, i := range idx {
			b.WriteString(text(v[i]))
			b.WriteByte(0)
		}
		if !seen.add(b.String()) {
			return nil, &errSkip{"dedupe: " + strings.Join(r.Dedupe, ", ") + " seen before"}
		}
		return v, nil
	})
	return nil
}

// dropLater removes a column from the output schema; its slot stays in the
// value slice and is dropped when the row is projected.
func (p *program) dropLater(cur *[]string, col string) {
	if i := index(*cur, col); i >= 0 {
		(*cur)[i] = "\x00dropped:" + col
	}
}

// run applies the rules to one row's values.
func (p *program) run(v []any) ([]any, error) {
	var err error
	for _, s := range p.steps {
		if v, err = s(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func grow(v []any, n int) []any {
	for len(v) < n {
		v = append(v, nil)
	}
	return v
}

func env(names []string, v []any) map[string]any {
	m := make(map[string]any, len(names))
	for i, n := range names {
		if i < len(v) {
			m[n] = toExpr(v[i])
		}
	}
	return m
}

// toExpr gives expressions plain values: decimals become float64.
func toExpr(v any) any {
	switch x := v.(type) {
	case Decimal:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case int64:
		return int(x)
	case []byte:
		return string(x)
	}
	return v
}

func fromExpr(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

// seenSet remembers values for dedupe. Its memory grows with the distinct
// values of the dedupe columns (not with the table's width).
type seenSet struct{ m map[string]struct{} }

func newSeenSet() *seenSet { return &seenSet{m: map[string]struct{}{}} }

func (s *seenSet) add(k string) bool {
	if _, ok := s.m[k]; ok {
		return false
	}
	s.m[k] = struct{}{}
	return true
}

// convert changes v to typ exactly or returns an error.
func convert(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	s := strings.TrimSpace(text(v))
	switch typ {
	case "text":
		return text(v), nil
	case "int":
		switch x := v.(type) {
		case int64:
			return x, nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			return nil, fmt.Errorf("%q is not a whole number in range", s)
		}
		return r.Num().Int64(), nil
	case "cents":
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		r.Mul(r, big.NewRat(100, 1))
		if !r.IsInt() || !r.Num().IsInt64() {
			return nil, fmt.Errorf("%q has fractions of a cent", s)
		}
		return r.Num().Int64(), nil
	case "float":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return f, nil
	case "decimal":
		if _, ok := new(big.Rat).SetString(s); !ok {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return Decimal(s), nil
	case "bool":
		switch strings.ToLower(s) {
		case "1", "t", "true", "y", "yes", "on":
			return true, nil
		case "0", "f", "false", "n", "no", "off":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean", s)
	case "date", "timestamp":
		if t, ok := v.(time.Time); ok {
			return t, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("%q is not a date", s)
	}
	return nil, fmt.Errorf("unknown type %s", typ)
}

// text renders a value as text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case Decimal:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case time.Time:
		return x.Format("2006-01-02 15:04:05.999999Z07:00")
	}
	return fmt.Sprint(v)
}

// explodeValue splits a list value: a JSON array, or text separated by sep.
// Elements are trimmed; empty ones and repeats are left out.
func explodeValue(v any, sep string) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	s := strings.TrimSpace(text(v))
	var parts []string
	if strings.HasPrefix(s, "[") {
		var arr []any
		if err := json.Unmarshal([]byte(s), &arr); err != nil {
			return nil, fmt.Errorf("not a JSON array: %v", err)
		}
		for _, a := range arr {
			if a != nil {
				parts = append(parts, text(fromJSON(a)))
			}
		}
	} else {
		parts = strings.Split(s, sep)
	}
	var out []any
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}

func fromJSON(v any) any {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return v
}
