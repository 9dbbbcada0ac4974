package lint

import (
	"strings"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// lockMode is a PostgreSQL table lock mode, ordered by strength.
type lockMode int

const (
	lockNone lockMode = iota
	lockAccessShare
	lockRowShare
	lockRowExclusive
	lockShareUpdateExclusive
	lockShare
	lockShareRowExclusive
	lockExclusive
	lockAccessExclusive
)

var lockNames = [...]string{"", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}

func (m lockMode) String() string {
	if m < 0 || int(m) >= len(lockNames) {
		return ""
	}
	return lockNames[m]
}

// blocks says what the lock blocks, for messages.
func (m lockMode) blocks() string {
	switch {
	case m >= lockAccessExclusive:
		return "blocks all reads and writes"
	case m >= lockShare:
		return "blocks writes"
	case m >= lockShareUpdateExclusive:
		return "blocks other schema changes and VACUUM"
	}
	return "blocks nothing the application does"
}

// relName returns a relation's name as written (schema-qualified when it was).
func relName(rv *pg.RangeVar) string {
	if rv == nil {
		return ""
	}
	if rv.Schemaname != "" {
		return rv.Schemaname + "." + rv.Relname
	}
	return rv.Relname
}

// relKey is the name used to match relations: public. is dropped.
func relKey(name string) string {
	name = strings.ToLower(name)
	return strings.TrimPrefix(name, "public.")
}

// nameList joins a list of String nodes with dots.
func nameList(nodes []*pg.Node) string {
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	return strings.Join(parts, ".")
}

// typeName returns the last part of a type's name, lower case ("int4",
// "varchar", "timestamptz"), and its modifiers as integers when constant.
func typeName(t *pg.TypeName) (string, []int) {
	if t == nil || len(t.Names) == 0 {
		return "", nil
	}
	name := ""
	if s := t.Names[len(t.Names)-1].GetString_(); s != nil {
		name = strings.ToLower(s.Sval)
	}
	var mods []int
	for _, m := range t.Typmods {
		if c := m.GetAConst(); c != nil {
			if iv := c.GetIval(); iv != nil {
				mods = append(mods, int(iv.Ival))
				continue
			}
		}
		mods = append(mods, -1)
	}
	return name, mods
}

// typeString renders a type for messages and fixes.
func typeString(t *pg.TypeName) string {
	name, mods := typeName(t)
	switch name {
	case "int4":
		name = "integer"
	case "int8":
		name = "bigint"
	case "int2":
		name = "smallint"
	case "bool":
		name = "boolean"
	case "float8":
		name = "double precision"
	case "float4":
		name = "real"
	case "bpchar":
		name = "char"
	}
	if len(mods) > 0 {
		s := make([]string, len(mods))
		for i, m := range mods {
			s[i] = itoa(m)
		}
		name += "(" + strings.Join(s, ",") + ")"
	}
	if t != nil && len(t.ArrayBounds) > 0 {
		name += "[]"
	}
	return name
}

// walk calls fn for every Node under msg, depth first. fn returns false to
// skip a node's children.
func walk(msg protoreflect.ProtoMessage, fn func(*pg.Node) bool) {
	if msg == nil {
		return
	}
	walkMsg(msg.ProtoReflect(), fn)
}

func walkMsg(m protoreflect.Message, fn func(*pg.Node) bool) {
	if !m.IsValid() {
		return
	}
	if n, ok := m.Interface().(*pg.Node); ok {
		if n == nil || !fn(n) {
			return
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walkMsg(l.Get(i).Message(), fn)
			}
			return true
		}
		if fd.IsMap() {
			return true
		}
		walkMsg(v.Message(), fn)
		return true
	})
}

// volatileFuncs are PostgreSQL's volatile functions that show up in column
// defaults (pg_proc.provolatile = 'v'), with the usual extension ones.
var volatileFuncs = map[string]bool{
	"random": true, "random_normal": true, "gen_random_uuid": true, "uuid_generate_v1": true,
	"uuid_generate_v1mc": true, "uuid_generate_v4": true, "uuidv4": true, "uuidv7": true, "gen_random_bytes": true,
	"clock_timestamp": true, "timeofday": true, "nextval": true, "currval": true, "lastval": true,
	"setval": true, "txid_status": true, "set_config": true, "current_query": true,
	"uuid_generate_v7": true, "gen_salt": true,
}

// volatile reports whether expr calls a volatile function; user lists
// functions the migration created, by name, with their volatility.
func volatile(expr *pg.Node, user map[string]bool) (bool, string) {
	found, name := false, ""
	walk(expr, func(n *pg.Node) bool {
		if found {
			return false
		}
		if fc := n.GetFuncCall(); fc != nil {
			fn := strings.ToLower(nameList(fc.Funcname))
			short := fn
			if i := strings.LastIndexByte(fn, '.'); i >= 0 {
				short = fn[i+1:]
			}
			if v, ok := user[short]; ok {
				if v {
					found, name = true, short
				}
			} else if volatileFuncs[short] {
				found, name = true, short
			}
		}
		return true
	})
	return found, name
}

// pgTreeVersion is the parse tree version Deparse expects, read from a
// parse the first time a statement is deparsed: at start-up it would cost
// every strata command a call into libpg_query.
var pgTreeVersion = sync.OnceValue(func() int32 {
	r, err := pgParse("SELECT 1")
	if err != nil {
		return 0
	}
	return r.Version
})

// deparse renders a statement node as SQL.
func deparse(stmt *pg.Node) string {
	out, err := pgDeparse(&pg.ParseResult{Version: pgTreeVersion(), Stmts: []*pg.RawStmt{{Stmt: stmt}}})
	if err != nil {
		return ""
	}
	return out
}

// deparseExpr renders an expression as SQL.
func deparseExpr(expr *pg.Node) string {
	if expr == nil {
		return ""
	}
	sel := &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList:  []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: expr}}}},
		LimitOption: pg.LimitOption_LIMIT_OPTION_DEFAULT,
		Op:          pg.SetOperation_SETOP_NONE,
	}}}
	s := deparse(sel)
	return strings.TrimPrefix(s, "SELECT ")
}

// constString returns the value of a string constant.
func constString(n *pg.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if c := n.GetAConst(); c != nil {
		if s := c.GetSval(); s != nil {
			return s.Sval, true
		}
		if iv := c.GetIval(); iv != nil {
			return itoa(int(iv.Ival)), true
		}
		if f := c.GetFval(); f != nil {
			return f.Fval, true
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		return constString(tc.Arg)
	}
	return "", false
}

// defElemString returns a DefElem's argument as a string.
func defElemString(d *pg.DefElem) string {
	if d == nil || d.Arg == nil {
		return ""
	}
	if s := d.Arg.GetString_(); s != nil {
		return s.Sval
	}
	if s, ok := constString(d.Arg); ok {
		return s
	}
	if b := d.Arg.GetBoolean(); b != nil {
		if b.Boolval {
			return "true"
		}
		return "false"
	}
	if tn := d.Arg.GetTypeName(); tn != nil {
		return nameList(tn.Names)
	}
	return ""
}

// hasOption reports whether a list of DefElem has name set (and not false).
func hasOption(opts []*pg.Node, name string) bool {
	for _, o := range opts {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, name) {
			v := strings.ToLower(defElemString(d))
			return v != "false" && v != "off" && v != "0"
		}
	}
	return false
}

// columnsOf returns the column names in a list of String or IndexElem nodes.
func columnsOf(nodes []*pg.Node) []string {
	var out []string
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		} else if ie := n.GetIndexElem(); ie != nil {
			if ie.Name != "" {
				out = append(out, ie.Name)
			} else {
				out = append(out, "expr")
			}
		}
	}
	return out
}

// notNullColumn returns col when expr is exactly "col IS NOT NULL".
func notNullColumn(expr *pg.Node) string {
	if expr == nil {
		return ""
	}
	nt := expr.GetNullTest()
	if nt == nil || nt.Nulltesttype != pg.NullTestType_IS_NOT_NULL {
		return ""
	}
	if cr := nt.Arg.GetColumnRef(); cr != nil && len(cr.Fields) > 0 {
		if s := cr.Fields[len(cr.Fields)-1].GetString_(); s != nil {
			return strings.ToLower(s.Sval)
		}
	}
	return ""
}

// trivialWhere reports whether a WHERE clause is always true (WHERE true,
// WHERE 1 = 1), so the statement touches every row.
func trivialWhere(w *pg.Node) bool {
	if c := w.GetAConst(); c != nil {
		if b := c.GetBoolval(); b != nil {
			return b.Boolval
		}
	}
	if tc := w.GetTypeCast(); tc != nil {
		if v, ok := constString(tc.Arg); ok {
			v = strings.ToLower(v)
			return v == "t" || v == "true"
		}
	}
	if ae := w.GetAExpr(); ae != nil && ae.Kind == pg.A_Expr_Kind_AEXPR_OP && nameList(ae.Name) == "=" {
		l, lok := constString(ae.Lexpr)
		r, rok := constString(ae.Rexpr)
		return lok && rok && l == r
	}
	return false
}

// batchedWhere reports whether a WHERE clause limits a statement to one
// batch: a key range with both ends (BETWEEN, or >= and <), a subquery with
// LIMIT, or equality with constants (= or IN a list).
func batchedWhere(w *pg.Node) bool {
	if w == nil {
		return false
	}
	lower, upper := map[string]bool{}, map[string]bool{}
	batched := false
	var visit func(n *pg.Node, top bool)
	visit = func(n *pg.Node, top bool) {
		if n == nil || batched {
			return
		}
		if be := n.GetBoolExpr(); be != nil {
			if be.Boolop == pg.BoolExprType_AND_EXPR {
				for _, a := range be.Args {
					visit(a, top)
				}
			}
			return
		}
		if sl := n.GetSubLink(); sl != nil {
			if sel := sl.Subselect.GetSelectStmt(); sel != nil && sel.LimitCount != nil {
				batched = true
			}
			return
		}
		ae := n.GetAExpr()
		if ae == nil {
			return
		}
		col := ""
		if cr := ae.Lexpr.GetColumnRef(); cr != nil {
			col = strings.ToLower(columnRefName(cr))
		}
		switch ae.Kind {
		case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_BETWEEN_SYM:
			batched = true
		case pg.A_Expr_Kind_AEXPR_IN:
			if ae.Rexpr.GetList() != nil {
				batched = true
			}
		case pg.A_Expr_Kind_AEXPR_OP:
			switch nameList(ae.Name) {
			case "=":
				if col != "" && ae.Rexpr.GetColumnRef() == nil {
					batched = true
				}
			case ">", ">=":
				lower[col] = true
			case "<", "<=":
				upper[col] = true
			}
			if col != "" && lower[col] && upper[col] {
				batched = true
			}
		}
	}
	visit(w, true)
	return batched
}

func columnRefName(cr *pg.ColumnRef) string {
	if len(cr.Fields) == 0 {
		return ""
	}
	if s := cr.Fields[len(cr.Fields)-1].GetString_(); s != nil {
		return s.Sval
	}
	return ""
}
