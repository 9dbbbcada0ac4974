package kit

import (
	"fmt"
	"sort"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// Set is the calculated fields of a transform: each field gets the value
// of an expression over the item's fields, evaluated in strata with
// expr-lang (the same language as transfer's set:), so it runs on every
// server, including those without server-side update pipelines.
//
//	set: {price: "float(price)", name: "upper(name)"}
type Set struct {
	fields []string
	progs  []*vm.Program
}

// CompileSet compiles set, reporting a bad expression at r.
func CompileSet(r RawOp, key string, set map[string]string) (*Set, error) {
	s := &Set{}
	for f := range set {
		s.fields = append(s.fields, f)
	}
	sort.Strings(s.fields)
	for _, f := range s.fields {
		p, err := expr.Compile(set[f], expr.AllowUndefinedVariables())
		if err != nil {
			return nil, r.Errorf("%s.%s: %v", key, f, err)
		}
		s.progs = append(s.progs, p)
	}
	return s, nil
}

// Len is the number of fields set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.fields)
}

// Fields are the fields set, sorted.
func (s *Set) Fields() []string { return s.fields }

// Eval returns the new values of the fields for item. Every expression
// sees the item as it was before any of them.
func (s *Set) Eval(item map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(s.fields))
	for i, f := range s.fields {
		v, err := expr.Run(s.progs[i], item)
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", f, err)
		}
		out[f] = v
	}
	return out, nil
}
