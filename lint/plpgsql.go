package lint

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// dynPlaceholder stands for a value only known when the block runs.
const dynPlaceholder = "strata_dynamic"

// doBlock lints the SQL inside a DO block: its static statements and the
// strings it EXECUTEs. Every statement in it runs in one transaction.
func (r *pgRun) doBlock(ds *pg.DoStmt) {
	var body string
	var loc int = -1
	lang := "plpgsql"
	for _, a := range ds.Args {
		d := a.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "as":
			body = defElemString(d)
			loc = int(d.Location)
		case "language":
			lang = strings.ToLower(defElemString(d))
		}
	}
	if body == "" || lang != "plpgsql" {
		return
	}
	bodyLine := r.cur.line
	if !r.cur.nested && loc >= 0 && loc < len(r.text) {
		bodyLine = r.bodyLine(loc)
	}
	r.plBody(body, bodyLine)
}

// bodyLine returns the line where a string literal starting at or after off
// begins its contents ($tag$...$tag$, '...' or E'...').
func (r *pgRun) bodyLine(off int) int {
	start := off
	for start < len(r.text) && r.text[start] != '$' && r.text[start] != '\'' {
		start++
	}
	if start < len(r.text) && r.text[start] == '$' {
		if j := strings.IndexByte(r.text[start+1:], '$'); j >= 0 {
			start += j + 2
		}
	} else {
		start++
	}
	line, _ := position(r.text, r.sf.lines, start)
	return line
}

// plBody lints the statements of a PL/pgSQL body that runs now (a DO block,
// or a function or procedure the migration calls). bodyLine is the file
// line of the body's first line.
func (r *pgRun) plBody(body string, bodyLine int) {
	if r.depth > 3 {
		return
	}
	r.depth++
	defer func() { r.depth-- }()
	src := "CREATE FUNCTION strata_do() RETURNS void LANGUAGE plpgsql AS $strata_do$" + body + "$strata_do$;"
	js, err := pgParsePlPgSQLToJSON(src)
	var stmts []plStmt
	if err == nil {
		var tree any
		if json.Unmarshal([]byte(js), &tree) == nil {
			collectPL(tree, &stmts)
			// JSON objects have no order: put the statements back in
			// source order.
			sort.SliceStable(stmts, func(i, j int) bool { return stmts[i].lineno < stmts[j].lineno })
		}
	} else {
		stmts = fallbackPL(body)
	}
	outer := r.cur
	for _, s := range stmts {
		line := bodyLine + s.lineno - 1
		if s.lineno <= 0 {
			line = bodyLine
		}
		col := 1
		if line-1 < len(r.sf.lines) && !outer.nested {
			ls := r.sf.lines[line-1]
			le := len(r.text)
			if line < len(r.sf.lines) {
				le = r.sf.lines[line]
			}
			col = len(r.text[ls:le]) - len(strings.TrimLeft(r.text[ls:le], " \t")) + 1
		} else if outer.nested {
			line, col = outer.line, outer.col
		}
		sql := s.sql
		if s.dynamic {
			v, known := evalDynamic(s.sql)
			if !known {
				r.cur = &pgUnit{text: "EXECUTE " + s.sql, line: line, col: col, nested: true, off: -1, ignores: outer.ignores}
				r.find("dynamic-sql", lockNone, "", false, false,
					fmt.Sprintf("EXECUTE %s builds its SQL at run time, so the linter cannot see what it locks", firstLine(s.sql)),
					"-- write the statement out, or lint the generated SQL before it runs")
				r.cur = outer
				continue
			}
			sql = v
		}
		res, err := pgParse(sql)
		if err != nil {
			continue
		}
		for _, rs := range res.Stmts {
			text := sql
			if rs.StmtLen > 0 && int(rs.StmtLocation+rs.StmtLen) <= len(sql) {
				text = sql[rs.StmtLocation : rs.StmtLocation+rs.StmtLen]
			}
			u := &pgUnit{node: rs.Stmt, text: strings.TrimSpace(text), off: -1, line: line, col: col, nested: true, ignores: outer.ignores}
			saved, savedStmt, savedTx := r.cur, r.curStmt, r.inTx
			r.inTx = true // a DO block runs in one transaction
			r.unitNested(u)
			r.cur, r.curStmt, r.inTx = saved, savedStmt, savedTx
		}
	}
	r.cur = outer
}

// unitNested analyses a statement found inside a DO block.
func (r *pgRun) unitNested(u *pgUnit) {
	r.cur = u
	kind := kindOf(u.text)
	_, nonTx := r.nonTransactional(u.node)
	st := Statement{File: r.file, Line: u.line, Col: u.col, Offset: -1, Kind: kind, Transactional: !nonTx, InTransaction: true, Nested: true}
	r.curStmt = &st
	r.analyse(u.node)
	r.rep.Statements = append(r.rep.Statements, st)
}

type plStmt struct {
	sql     string
	lineno  int
	dynamic bool
}

// collectPL walks the JSON of a PL/pgSQL function for SQL statements and
// EXECUTEs, in order.
func collectPL(v any, out *[]plStmt) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectPL(e, out)
		}
	case map[string]any:
		if s, ok := x["PLpgSQL_stmt_execsql"].(map[string]any); ok {
			if q := exprQuery(s["sqlstmt"]); q != "" {
				*out = append(*out, plStmt{sql: q, lineno: intOf(s["lineno"])})
			}
			return
		}
		if s, ok := x["PLpgSQL_stmt_dynexecute"].(map[string]any); ok {
			if q := exprQuery(s["query"]); q != "" {
				*out = append(*out, plStmt{sql: q, lineno: intOf(s["lineno"]), dynamic: true})
			}
			return
		}
		for k, e := range x {
			if k == "datums" {
				continue
			}
			collectPL(e, out)
		}
	}
}

func exprQuery(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	e, ok := m["PLpgSQL_expr"].(map[string]any)
	if !ok {
		return ""
	}
	q, _ := e["query"].(string)
	return q
}

func intOf(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return 0
}

var (
	reExecString = regexp.MustCompile(`(?is)\bEXECUTE\s+('(?:[^']|'')*'|\$[A-Za-z_]*\$.*?\$[A-Za-z_]*\$|format\s*\(.*?\))\s*;`)
	reDDLStart   = regexp.MustCompile(`(?is)\b(ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+(?:TABLE|INDEX)|UPDATE\s|DELETE\s+FROM|VACUUM|CLUSTER|REINDEX|LOCK\s+TABLE|REFRESH\s+MATERIALIZED|TRUNCATE)`)
)

// fallbackPL finds statements in a DO body that PL/pgSQL's parser refused
// (usually an undeclared variable): EXECUTE strings and DDL-looking
// statements.
func fallbackPL(body string) []plStmt {
	var out []plStmt
	lineOf := func(off int) int { return strings.Count(body[:off], "\n") + 1 }
	for _, m := range reExecString.FindAllStringSubmatchIndex(body, -1) {
		out = append(out, plStmt{sql: body[m[2]:m[3]], lineno: lineOf(m[0]), dynamic: true})
	}
	masked := reExecString.ReplaceAllStringFunc(body, func(s string) string { return strings.Repeat(" ", len(s)) })
	pieces, err := pgSplitWithScanner(masked, false)
	if err != nil {
		return out
	}
	off := 0
	for _, p := range pieces {
		i := strings.Index(masked[off:], p)
		if i < 0 {
			continue
		}
		start := off + i
		off = start + len(p)
		loc := reDDLStart.FindStringIndex(p)
		if loc == nil {
			continue
		}
		out = append(out, plStmt{sql: p[loc[0]:], lineno: lineOf(start + loc[0])})
	}
	return out
}

// evalDynamic evaluates the expression an EXECUTE runs as far as constants
// allow: string literals, ||, format() and quote_ident(). Unknown values
// become a placeholder identifier; known is false when nothing but
// placeholders remain.
func evalDynamic(expr string) (string, bool) {
	res, err := pgParse("SELECT " + expr)
	if err != nil || len(res.Stmts) != 1 {
		return "", false
	}
	sel := res.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 {
		return "", false
	}
	v := evalNode(sel.TargetList[0].GetResTarget().GetVal())
	known := strings.TrimSpace(strings.ReplaceAll(v, dynPlaceholder, "")) != ""
	return v, known
}

func evalNode(n *pg.Node) string {
	if n == nil {
		return dynPlaceholder
	}
	if s, ok := constString(n); ok {
		return s
	}
	if ae := n.GetAExpr(); ae != nil && nameList(ae.Name) == "||" {
		return evalNode(ae.Lexpr) + evalNode(ae.Rexpr)
	}
	if fc := n.GetFuncCall(); fc != nil {
		switch strings.ToLower(lastName(nameList(fc.Funcname))) {
		case "format":
			if len(fc.Args) == 0 {
				return dynPlaceholder
			}
			f, ok := constString(fc.Args[0])
			if !ok {
				return dynPlaceholder
			}
			return formatSQL(f, fc.Args[1:])
		case "quote_ident", "quote_nullable":
			if len(fc.Args) == 1 {
				return evalNode(fc.Args[0])
			}
		case "quote_literal":
			if len(fc.Args) == 1 {
				return "'" + strings.ReplaceAll(evalNode(fc.Args[0]), "'", "''") + "'"
			}
		case "concat":
			var b strings.Builder
			for _, a := range fc.Args {
				b.WriteString(evalNode(a))
			}
			return b.String()
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		return evalNode(tc.Arg)
	}
	return dynPlaceholder
}

// formatSQL applies PostgreSQL's format() to constant-or-placeholder args.
func formatSQL(f string, args []*pg.Node) string {
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// %[n$][flags][width]type
		j := i
		for j < len(f) && (f[j] >= '0' && f[j] <= '9' || f[j] == '$' || f[j] == '-' || f[j] == '*') {
			j++
		}
		if j >= len(f) {
			break
		}
		spec := f[i:j]
		idx := next
		if k := strings.IndexByte(spec, '$'); k > 0 {
			var n int
			fmt.Sscanf(spec[:k], "%d", &n)
			idx = n - 1
		}
		next = idx + 1
		val := dynPlaceholder
		if idx >= 0 && idx < len(args) {
			val = evalNode(args[idx])
		}
		switch f[j] {
		case 'L':
			val = "'" + strings.ReplaceAll(val, "'", "''") + "'"
		}
		b.WriteString(val)
		i = j
	}
	return b.String()
}
