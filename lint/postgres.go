package lint

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/strata-db/strata/migrate"
)

// pgUnit is one statement to analyse, top level or nested in a DO block.
type pgUnit struct {
	node    *pg.Node
	text    string // from the first token to the end of the statement
	off     int    // offset of the first token in the file (-1 when nested)
	line    int
	col     int
	nested  bool
	ignores []ignore
}

// pgRun is the analysis of one part (the up or down section) of one file.
type pgRun struct {
	l    *Linter
	rep  *Report
	file string
	sf   *sourceFile
	text string

	fileIgnores []ignore
	cur         *pgUnit
	curStmt     *Statement

	created   map[string]bool   // relations created in this part
	idxTable  map[string]string // index → table, for indexes created here
	colTypes  map[string]*pg.TypeName
	userFuncs map[string]bool // function → volatile

	wrapTx     bool // the runner wraps the part in one transaction
	inTx       bool
	txID       int
	txStrong   map[string]lockMode // existing table → strongest DDL lock this transaction
	txDDLStmt  string
	notValid   map[string]notValidCon // table.constraint → added NOT VALID here
	validNN    map[string]bool        // table.col has a validated CHECK (col IS NOT NULL)
	validated  map[string]bool        // table had a VALIDATE CONSTRAINT of a constraint unknown here
	checked    map[string]bool        // table had a CHECK (or an unknown constraint) validated here
	dropConsAt map[string]int         // table → offset of the last DROP CONSTRAINT in the part

	lockTimeout bool
	ltWarned    bool
	// timeZone is the session TimeZone the part set ("" when unknown), and
	// sessionTZ the one a COMMIT or ROLLBACK goes back to after SET LOCAL.
	timeZone, sessionTZ string

	online  string            // Online for the next finding
	restore *strings.Replacer // maps ${VAR} stand-ins back, when the file has any
	// usesPrior: a verdict here depends on what earlier files did.
	usesPrior bool
	prior     *facts            // what earlier files of the directory established (may be nil)
	plFuncs   map[string]plFunc // PL/pgSQL functions and procedures created here
	depth     int               // nesting of bodies being linted
}

// plFunc is a PL/pgSQL function or procedure body the part created.
type plFunc struct {
	body string
	line int
}

type notValidCon struct {
	table string
	nnCol string // col when the check is "col IS NOT NULL"
	txID  int
	fk    bool
}

func (l *Linter) lintPGPart(rep *Report, file string, sf *sourceFile, p part, prior *facts) (*pgRun, error) {
	text := sf.masked(p)
	var placeholders map[string]string
	res, err := pgParse(text)
	if err != nil {
		// Files written for psql may hold meta-commands (\set, \timing):
		// blank those lines and try again.
		// Files with ${VAR} placeholders (strata and goose envsub) parse
		// once each placeholder is an identifier of the same length.
		for _, fix := range []func(string) (string, bool){maskMetaCommands, maskPlaceholders} {
			if m, ok := fix(text); ok && err != nil {
				if res2, err2 := pgParse(m); err2 == nil {
					text, res, err = m, res2, nil
				}
			}
		}
		if err == nil {
			_, placeholders = maskPlaceholdersMap(sf.masked(p))
		}
		if err != nil {
			return nil, pgParseError(file, text, sf, err)
		}
	}
	r := &pgRun{
		l: l, rep: rep, file: file, sf: sf, text: text,
		created: map[string]bool{}, idxTable: map[string]string{}, colTypes: map[string]*pg.TypeName{},
		userFuncs: map[string]bool{}, txStrong: map[string]lockMode{}, notValid: map[string]notValidCon{},
		validNN: map[string]bool{}, validated: map[string]bool{}, checked: map[string]bool{}, dropConsAt: map[string]int{},
		lockTimeout: sf.lockTimeout, plFuncs: map[string]plFunc{},
		fileIgnores: append([]ignore(nil), sf.preIgnores...),
	}
	if len(placeholders) > 0 {
		var pairs []string
		for id, orig := range placeholders {
			pairs = append(pairs, id, orig)
		}
		r.restore = strings.NewReplacer(pairs...)
	}
	units := make([]*pgUnit, 0, len(res.Stmts))
	prevEnd := p.start
	for i, rs := range res.Stmts {
		loc := int(rs.StmtLocation)
		end := len(text)
		if rs.StmtLen > 0 {
			end = loc + int(rs.StmtLen)
		}
		if end > len(text) {
			end = len(text)
		}
		if loc < prevEnd {
			loc = prevEnd
		}
		first, cs := skipLeading(text, loc, end, false)
		u := &pgUnit{node: rs.Stmt, text: text[first:end], off: first}
		u.line, u.col = position(text, sf.lines, first)
		for _, c := range cs {
			ig, ok := parseIgnore(c)
			if !ok {
				continue
			}
			cl, _ := position(text, sf.lines, c.off)
			// A trailing comment on the previous statement's last line
			// belongs to that statement.
			if i > 0 && len(units) > 0 {
				pl, _ := position(text, sf.lines, prevEnd)
				if cl == pl && prevEnd > p.start {
					units[len(units)-1].ignores = append(units[len(units)-1].ignores, ig)
					continue
				}
			}
			if i == 0 {
				r.fileIgnores = append(r.fileIgnores, ig)
			} else {
				u.ignores = append(u.ignores, ig)
			}
		}
		units = append(units, u)
		prevEnd = end
	}
	// Trailing comments after the last statement on its line.
	if len(units) > 0 && prevEnd < len(text) {
		_, cs := skipLeading(text, prevEnd+1, len(text), false)
		pl, _ := position(text, sf.lines, prevEnd)
		for _, c := range cs {
			if ig, ok := parseIgnore(c); ok {
				if cl, _ := position(text, sf.lines, c.off); cl == pl {
					units[len(units)-1].ignores = append(units[len(units)-1].ignores, ig)
				}
			}
		}
	}
	r.prior = prior
	r.checkIgnoreReasons(units)
	r.decideTransaction(units, p)
	r.inTx = r.wrapTx
	for _, u := range units {
		r.prescan(u)
	}
	for _, u := range units {
		r.unit(u)
	}
	return r, nil
}

// maskMetaCommands blanks lines that start with a backslash (psql
// meta-commands), keeping offsets; ok is false when there are none.
func maskMetaCommands(text string) (string, bool) {
	b := []byte(text)
	found := false
	for i := 0; i < len(b); i++ {
		if (i == 0 || b[i-1] == '\n') && b[i] == '\\' {
			found = true
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		}
	}
	return string(b), found
}

var rePlaceholder = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}`)

// maskPlaceholders turns ${NAME} placeholders into identifiers of the same
// length (v1_______), keeping offsets; ok is false when there are none.
// restore maps each identifier back to its placeholder, for messages.
func maskPlaceholders(text string) (string, bool) {
	m, restore := maskPlaceholdersMap(text)
	return m, len(restore) > 0
}

func maskPlaceholdersMap(text string) (string, map[string]string) {
	if !strings.Contains(text, "${") {
		return text, nil
	}
	restore := map[string]string{}
	seen := map[string]string{}
	out := rePlaceholder.ReplaceAllStringFunc(text, func(m string) string {
		if id, ok := seen[m]; ok {
			return id
		}
		id := "v" + itoa(len(seen)+1)
		if len(id) > len(m) {
			return m
		}
		id += strings.Repeat("_", len(m)-len(id))
		seen[m], restore[id] = id, m
		return id
	})
	return out, restore
}

func pgParseError(file, text string, sf *sourceFile, err error) error {
	if cursor, msg, ok := pgErrorCursor(err); ok {
		// Cursorpos counts characters from 1.
		off, n := 0, 1
		for off < len(text) && n < cursor {
			_, size := utf8.DecodeRuneInString(text[off:])
			off += size
			n++
		}
		line, col := position(text, sf.lines, off)
		return &ParseError{File: file, Line: line, Col: col, Msg: msg}
	}
	return &ParseError{File: file, Line: 1, Msg: err.Error()}
}

// checkIgnoreReasons reports lint-ignore comments without a reason.
func (r *pgRun) checkIgnoreReasons(units []*pgUnit) {
	all := append([]ignore(nil), r.fileIgnores...)
	for _, u := range units {
		all = append(all, u.ignores...)
	}
	for _, ig := range all {
		if ig.reason != "" {
			continue
		}
		line, col := position(r.text, r.sf.lines, ig.off)
		r.emit(Finding{File: r.file, Line: line, Col: col, Rule: "lint-ignore-reason",
			Message: "strata:lint-ignore needs a reason: the ignore is not applied",
			Fix:     "-- strata:lint-ignore " + strings.Join(ig.rules, ",") + " -- <why this is safe here>"})
	}
}

// decideTransaction works out whether the runner wraps the part in a
// transaction: goose and dbmate do unless told not to; strata does unless
// told not to, the file manages its own transaction, or a statement cannot
// run in one.
func (r *pgRun) decideTransaction(units []*pgUnit, p part) {
	if p.noTx {
		return
	}
	if r.sf.format == migrate.FormatGoose || r.sf.format == migrate.FormatDbmate {
		r.wrapTx = true
		return
	}
	for _, u := range units {
		if ts := u.node.GetTransactionStmt(); ts != nil {
			switch ts.Kind {
			case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START,
				pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
				return
			}
		}
		if _, ok := r.nonTransactional(u.node); ok && u.node.GetAlterEnumStmt() == nil {
			// The runner (sqlsplit.NoTransaction) does not know the server
			// version: ALTER TYPE ... ADD VALUE before PostgreSQL 12 does
			// not take the file out of its transaction, so it fails there.
			return
		}
	}
	r.wrapTx = true
}

// prescan records what later statements need to know about earlier or
// later ones.
func (r *pgRun) prescan(u *pgUnit) {
	if at := u.node.GetAlterTableStmt(); at != nil {
		for _, c := range at.Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_DropConstraint {
				r.dropConsAt[relKey(relName(at.Relation))] = u.off
			}
		}
	}
}

// nonTransactional reports whether a statement cannot run in a transaction
// block, with the reason.
func (r *pgRun) nonTransactional(n *pg.Node) (string, bool) {
	switch {
	case n.GetIndexStmt() != nil && n.GetIndexStmt().Concurrent:
		return "CREATE INDEX CONCURRENTLY", true
	case n.GetDropStmt() != nil && n.GetDropStmt().Concurrent:
		return "DROP INDEX CONCURRENTLY", true
	case n.GetReindexStmt() != nil:
		rs := n.GetReindexStmt()
		if hasOption(rs.Params, "concurrently") {
			return "REINDEX CONCURRENTLY", true
		}
		if rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_SCHEMA || rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_DATABASE || rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_SYSTEM {
			return "REINDEX SCHEMA/DATABASE/SYSTEM", true
		}
	case n.GetVacuumStmt() != nil && n.GetVacuumStmt().IsVacuumcmd:
		return "VACUUM", true
	case n.GetClusterStmt() != nil && n.GetClusterStmt().Relation == nil:
		return "CLUSTER without a table", true
	case n.GetCreatedbStmt() != nil:
		return "CREATE DATABASE", true
	case n.GetDropdbStmt() != nil:
		return "DROP DATABASE", true
	case n.GetAlterSystemStmt() != nil:
		return "ALTER SYSTEM", true
	case n.GetCreateTableSpaceStmt() != nil, n.GetDropTableSpaceStmt() != nil:
		return "CREATE/DROP TABLESPACE", true
	case n.GetAlterTableStmt() != nil:
		for _, c := range n.GetAlterTableStmt().Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_DetachPartition {
				if pc := cmd.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
					return "DETACH PARTITION CONCURRENTLY", true
				}
			}
		}
	case n.GetAlterEnumStmt() != nil && r.l.pgVer < 1200 && n.GetAlterEnumStmt().OldVal == "":
		return "ALTER TYPE ... ADD VALUE before PostgreSQL 12", true
	}
	return "", false
}

// existing reports whether a relation existed before this part ran.
func (r *pgRun) existing(name string) bool {
	return name != "" && !r.created[relKey(name)]
}

// emit applies the configuration and ignores, then records f.
func (r *pgRun) emit(f Finding) {
	rule, ok := ruleByID[f.Rule]
	if !ok {
		panic("lint: unknown rule " + f.Rule)
	}
	def := rule.Severity
	if f.Severity != "" { // the rule said how bad this case is
		def = f.Severity
	}
	sev := r.l.severity(f.Rule, def)
	if f.Online == "" {
		f.Online = r.online
	}
	r.online = ""
	if r.restore != nil {
		f.Message, f.Fix, f.Object, f.Online = r.restore.Replace(f.Message), r.restore.Replace(f.Fix), r.restore.Replace(f.Object), r.restore.Replace(f.Online)
	}
	if strings.Contains(f.Message+f.Object+f.Fix+f.Online, dynPlaceholder) {
		// A name only known when the DO block runs: say so, and name no
		// object (callers look objects up).
		f.Object = ""
		f.Message = strings.ReplaceAll(f.Message, dynPlaceholder, "<dynamic>")
		f.Fix = strings.ReplaceAll(f.Fix, dynPlaceholder, "<dynamic>")
		f.Online = ""
	}
	if sev == Off {
		return
	}
	f.Severity = sev
	if f.Rule != "lint-ignore-reason" {
		for _, ig := range r.fileIgnores {
			if ig.reason != "" && ig.covers(f.Rule) {
				r.rep.Ignored++
				return
			}
		}
		if r.cur != nil {
			for _, ig := range r.cur.ignores {
				if ig.reason != "" && ig.covers(f.Rule) {
					r.rep.Ignored++
					return
				}
			}
		}
	}
	r.rep.Findings = append(r.rep.Findings, f)
}

// find records a finding on the current statement.
func (r *pgRun) find(rule string, lock lockMode, object string, rewrites, scans bool, msg, fix string) {
	u := r.cur
	r.emit(Finding{
		File: r.file, Line: u.line, Col: u.col, EndCol: u.col + len([]rune(firstLine(u.text))),
		Rule: rule, Lock: lock.String(), Object: object, Rewrites: rewrites, Scans: scans,
		Message: msg, Fix: strings.TrimSpace(fix),
	})
}

// lock records a lock the current statement takes.
func (r *pgRun) lock(mode lockMode, object string) {
	if r.curStmt == nil || mode == lockNone || object == "" {
		return
	}
	for i, l := range r.curStmt.Locks {
		if l.Object == object {
			if lockModeOf(l.Mode) < mode {
				r.curStmt.Locks[i].Mode = mode.String()
			}
			return
		}
	}
	r.curStmt.Locks = append(r.curStmt.Locks, Lock{Mode: mode.String(), Object: object})
	r.lockTimeoutCheck(mode, object)
	if r.inTx && mode >= lockShare && r.existing(object) {
		k := relKey(object)
		if r.txStrong[k] < mode {
			r.txStrong[k] = mode
		}
		if r.txDDLStmt == "" {
			r.txDDLStmt = firstLine(r.cur.text)
		}
	}
}

func lockModeOf(name string) lockMode {
	for i, n := range lockNames {
		if n == name {
			return lockMode(i)
		}
	}
	return lockNone
}

func (r *pgRun) rewrites(table string) {
	if r.curStmt != nil && table != "" {
		r.curStmt.Rewrites = appendOnce(r.curStmt.Rewrites, table)
	}
}

func (r *pgRun) scans(table string) {
	if r.curStmt != nil && table != "" {
		r.curStmt.Scans = appendOnce(r.curStmt.Scans, table)
	}
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// leadingWords is the text's first one to four words of ASCII letters
// separated by white space (what ^[A-Za-z]+(\s+[A-Za-z]+){0,3} matches),
// without a regexp: it runs for every statement.
func leadingWords(text string) string {
	letter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	end, i := 0, 0
	for words := 0; words < 4; words++ {
		j := i
		if words > 0 {
			for j < len(text) && space(text[j]) {
				j++
			}
			if j == i {
				break
			}
		}
		k := j
		for k < len(text) && letter(text[k]) {
			k++
		}
		if k == j {
			break
		}
		end, i = k, k
	}
	return text[:end]
}

// kindOf names a statement by its leading keywords: "ALTER TABLE",
// "CREATE INDEX", "UPDATE".
func kindOf(text string) string {
	w := strings.Fields(strings.ToUpper(leadingWords(text)))
	if len(w) == 0 {
		return ""
	}
	switch w[0] {
	case "CREATE", "ALTER", "DROP", "REFRESH", "LOCK", "COMMENT", "GRANT", "REVOKE":
		for _, x := range w[1:] {
			switch x {
			case "UNIQUE", "OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL", "IF":
				continue
			}
			return w[0] + " " + x
		}
	}
	return w[0]
}

// unit analyses one top-level statement.
func (r *pgRun) unit(u *pgUnit) {
	r.cur = u
	_, nonTx := r.nonTransactional(u.node)
	st := &Statement{File: r.file, Line: u.line, Col: u.col, Offset: u.off, Kind: kindOf(u.text),
		Transactional: !nonTx, InTransaction: r.inTx, Nested: u.nested}
	i := len(r.rep.Statements)
	r.rep.Statements = append(r.rep.Statements, Statement{})
	r.curStmt = st
	r.analyse(u.node)
	r.rep.Statements[i] = *st
	r.curStmt = nil
	if !r.inTx {
		r.endTx()
	}
}

func (r *pgRun) endTx() {
	r.txID++
	r.txStrong = map[string]lockMode{}
	r.txDDLStmt = ""
}

// lockTimeoutCheck warns once per part about DDL on an existing table
// without lock_timeout.
func (r *pgRun) lockTimeoutCheck(mode lockMode, table string) {
	if r.lockTimeout || r.ltWarned || r.l.opts.Runner || mode < lockShareUpdateExclusive || !r.existing(table) {
		return
	}
	r.ltWarned = true
	r.find("lock-timeout-missing", mode, table, false, false,
		fmt.Sprintf("%s waits for %s on %s with no lock_timeout: behind a long transaction it queues, and every query on %s queues behind it", r.curStmt.Kind, mode, table, table),
		"SET lock_timeout = '2s';  -- or the directive: -- strata:lock-timeout 2s")
}

// analyse dispatches on the statement's type.
func (r *pgRun) analyse(n *pg.Node) {
	switch {
	case n.GetTransactionStmt() != nil:
		r.transaction(n.GetTransactionStmt())
	case n.GetVariableSetStmt() != nil:
		vs := n.GetVariableSetStmt()
		if strings.EqualFold(vs.Name, "lock_timeout") {
			r.lockTimeout = vs.Kind == pg.VariableSetKind_VAR_SET_VALUE && !isZeroSetting(vs.Args)
		}
		if strings.EqualFold(vs.Name, "timezone") {
			tz := ""
			if vs.Kind == pg.VariableSetKind_VAR_SET_VALUE && len(vs.Args) == 1 {
				tz, _ = constString(vs.Args[0])
			}
			r.timeZone = tz
			if !vs.IsLocal {
				r.sessionTZ = tz
			}
		}
	case n.GetSelectStmt() != nil:
		r.selectStmt(n)
	case n.GetAlterTableStmt() != nil:
		r.alterTable(n.GetAlterTableStmt(), n)
	case n.GetIndexStmt() != nil:
		r.createIndex(n.GetIndexStmt())
	case n.GetCreateStmt() != nil:
		r.createTable(n.GetCreateStmt())
	case n.GetCreateTableAsStmt() != nil:
		cs := n.GetCreateTableAsStmt()
		if cs.Into != nil {
			r.created[relKey(relName(cs.Into.Rel))] = true
		}
	case n.GetViewStmt() != nil:
		r.created[relKey(relName(n.GetViewStmt().View))] = true
	case n.GetRenameStmt() != nil:
		r.rename(n.GetRenameStmt())
	case n.GetDropStmt() != nil:
		r.drop(n.GetDropStmt())
	case n.GetUpdateStmt() != nil:
		us := n.GetUpdateStmt()
		r.dml("UPDATE", us.Relation, us.WhereClause, len(us.FromClause) > 0)
	case n.GetDeleteStmt() != nil:
		ds := n.GetDeleteStmt()
		r.dml("DELETE", ds.Relation, ds.WhereClause, len(ds.UsingClause) > 0)
	case n.GetInsertStmt() != nil:
		r.lock(lockRowExclusive, relName(n.GetInsertStmt().Relation))
	case n.GetTruncateStmt() != nil:
		for _, rel := range n.GetTruncateStmt().Relations {
			t := relName(rel.GetRangeVar())
			r.lock(lockAccessExclusive, t)
			if !r.existing(t) {
				continue
			}
			if n.GetTruncateStmt().Behavior == pg.DropBehavior_DROP_CASCADE {
				// CASCADE empties every table with a foreign key to t,
				// which the statement does not name.
				r.emit(Finding{File: r.file, Line: r.cur.line, Col: r.cur.col, Rule: "truncate", Severity: Error,
					Lock: lockAccessExclusive.String(), Object: t,
					Message: fmt.Sprintf("TRUNCATE ... CASCADE takes ACCESS EXCLUSIVE on %s and removes every row of it and of every table that references it, which the statement does not name", t),
					Fix:     fmt.Sprintf("-- name every table to empty, so the migration says what it removes:\nTRUNCATE %s, <referencing tables>;", t)})
				continue
			}
			r.find("truncate", lockAccessExclusive, t, false, false,
				fmt.Sprintf("TRUNCATE takes ACCESS EXCLUSIVE on %s and removes every row", t),
				fmt.Sprintf("DELETE FROM %s WHERE id IN (SELECT id FROM %s LIMIT 5000);  -- in batches, if the rows must go while the table is in use", t, t))
		}
	case n.GetVacuumStmt() != nil:
		r.vacuum(n.GetVacuumStmt())
	case n.GetClusterStmt() != nil:
		cs := n.GetClusterStmt()
		t := relName(cs.Relation)
		if t == "" || r.existing(t) {
			obj := t
			if obj == "" {
				obj = "every clustered table"
			}
			r.lock(lockAccessExclusive, t)
			r.rewrites(t)
			r.find("cluster", lockAccessExclusive, obj, true, true,
				fmt.Sprintf("CLUSTER rewrites %s under ACCESS EXCLUSIVE: reads and writes wait until it finishes", obj),
				fmt.Sprintf("-- reorder without blocking, with the pg_repack extension:\n-- pg_repack --table=%s --order-by=<columns>", orDefault(t, "<table>")))
		}
		r.nonTxCheck(n)
	case n.GetReindexStmt() != nil:
		r.reindex(n.GetReindexStmt(), n)
	case n.GetLockStmt() != nil:
		ls := n.GetLockStmt()
		mode := lockMode(ls.Mode)
		if mode <= lockNone || mode > lockAccessExclusive {
			mode = lockAccessExclusive
		}
		for _, rel := range ls.Relations {
			t := relName(rel.GetRangeVar())
			r.lock(mode, t)
			if r.existing(t) {
				r.find("lock-table", mode, t, false, false,
					fmt.Sprintf("LOCK TABLE takes %s on %s, which %s until the transaction ends", mode, t, mode.blocks()),
					"-- drop the LOCK TABLE; let each statement take its own lock, under a short lock_timeout:\nSET lock_timeout = '2s';")
			}
		}
	case n.GetRefreshMatViewStmt() != nil:
		rm := n.GetRefreshMatViewStmt()
		t := relName(rm.Relation)
		if rm.Concurrent {
			r.lock(lockExclusive, t)
			r.scans(t)
			return
		}
		r.lock(lockAccessExclusive, t)
		r.rewrites(t)
		if r.existing(t) {
			r.find("refresh-matview-non-concurrent", lockAccessExclusive, t, true, true,
				fmt.Sprintf("REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE on %s: every read of it waits until the query finishes", t),
				fmt.Sprintf("-- needs a unique index on the view:\nREFRESH MATERIALIZED VIEW CONCURRENTLY %s;", t))
		}
	case n.GetAlterEnumStmt() != nil:
		ae := n.GetAlterEnumStmt()
		if ae.OldVal == "" && r.l.pgVer < 1200 && r.inTx {
			r.find("enum-value-in-transaction", lockNone, nameList(ae.TypeName), false, false,
				"before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run inside a transaction block: the migration fails",
				"-- strata:no-transaction\n"+strings.TrimSuffix(strings.TrimSpace(r.cur.text), ";")+";")
		}
	case n.GetAlterObjectSchemaStmt() != nil:
		as := n.GetAlterObjectSchemaStmt()
		if as.ObjectType == pg.ObjectType_OBJECT_TABLE || as.ObjectType == pg.ObjectType_OBJECT_VIEW || as.ObjectType == pg.ObjectType_OBJECT_MATVIEW {
			t := relName(as.Relation)
			r.lock(lockAccessExclusive, t)
			if r.existing(t) {
				r.find("rename-table", lockAccessExclusive, t, false, false,
					fmt.Sprintf("moving %s to schema %s breaks every running query that still uses the old name", t, as.Newschema),
					fmt.Sprintf("-- leave a view under the old name, in the same transaction; drop it once no code uses it:\nALTER TABLE %[1]s SET SCHEMA %[2]s;\nCREATE VIEW %[1]s AS SELECT * FROM %[2]s.%[3]s;", t, as.Newschema, lastName(t)))
			}
		}
	case n.GetAlterDomainStmt() != nil:
		ad := n.GetAlterDomainStmt()
		name := nameList(ad.TypeName)
		con := ad.Def.GetConstraint()
		if (ad.Subtype == "C" && con != nil && !con.SkipValidation && con.Contype == pg.ConstrType_CONSTR_CHECK) || ad.Subtype == "O" {
			fix := "-- add it NOT VALID, then validate it in a later migration:\nALTER DOMAIN " + name + " ADD CONSTRAINT <name> CHECK (...) NOT VALID;\nALTER DOMAIN " + name + " VALIDATE CONSTRAINT <name>;"
			if con != nil && con.Conname != "" {
				fix = fmt.Sprintf("ALTER DOMAIN %[1]s ADD CONSTRAINT %[2]s CHECK (%[3]s) NOT VALID;\n-- then, in a later migration:\nALTER DOMAIN %[1]s VALIDATE CONSTRAINT %[2]s;", name, con.Conname, deparseExpr(con.RawExpr))
			}
			r.find("alter-domain-constraint", lockShare, name, false, true,
				fmt.Sprintf("ALTER DOMAIN %s checks every stored value of the domain, holding SHARE (writes blocked) on each table that uses it", name), fix)
		}
	case n.GetCreateTrigStmt() != nil:
		t := relName(n.GetCreateTrigStmt().Relation)
		r.lock(lockShareRowExclusive, t)
	case n.GetCreateFunctionStmt() != nil:
		r.createFunction(n.GetCreateFunctionStmt())
	case n.GetDoStmt() != nil:
		r.doBlock(n.GetDoStmt())
	case n.GetCallStmt() != nil:
		if fc := n.GetCallStmt().Funccall; fc != nil {
			r.callBody(fc)
		}
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func isZeroSetting(args []*pg.Node) bool {
	if len(args) == 0 {
		return true
	}
	s, _ := constString(args[0])
	s = strings.TrimSpace(strings.ToLower(s))
	return s == "0" || s == "0s" || s == "0ms"
}

func (r *pgRun) transaction(ts *pg.TransactionStmt) {
	switch ts.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		if !r.inTx {
			r.endTx()
		}
		r.inTx = true
		r.curStmt.InTransaction = true
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		r.inTx = false
		r.curStmt.InTransaction = false
		r.timeZone = r.sessionTZ
	}
}

// callBody lints the body of a PL/pgSQL function or procedure created in
// this part when the migration calls it.
func (r *pgRun) callBody(fc *pg.FuncCall) {
	name := strings.ToLower(lastName(nameList(fc.Funcname)))
	if f, ok := r.plFuncs[name]; ok {
		r.plBody(f.body, f.line)
	}
}

// selectStmt notices set_config('lock_timeout', ...) and calls of functions
// created in this part.
func (r *pgRun) selectStmt(n *pg.Node) {
	if sel := n.GetSelectStmt(); sel != nil && sel.IntoClause != nil {
		r.created[relKey(relName(sel.IntoClause.Rel))] = true
	}
	walk(n, func(x *pg.Node) bool {
		if fc := x.GetFuncCall(); fc != nil {
			r.callBody(fc)
		}
		if fc := x.GetFuncCall(); fc != nil && strings.EqualFold(nameList(fc.Funcname), "set_config") && len(fc.Args) >= 2 {
			if name, ok := constString(fc.Args[0]); ok && strings.EqualFold(name, "lock_timeout") {
				r.lockTimeout = !isZeroSetting(fc.Args[1:2])
			}
		}
		return true
	})
}

// nonTxCheck reports a statement that cannot run in a transaction when it
// would run in one.
func (r *pgRun) nonTxCheck(n *pg.Node) {
	what, ok := r.nonTransactional(n)
	if !ok || !r.inTx {
		return
	}
	rule := "statement-not-transactional"
	if strings.Contains(what, "CONCURRENTLY") {
		rule = "concurrently-in-transaction"
	}
	if what == "ALTER TYPE ... ADD VALUE before PostgreSQL 12" {
		return // enum-value-in-transaction says it
	}
	where := "a transaction block"
	if r.cur.nested {
		where = "a DO block (a function always runs inside a transaction)"
	} else if !r.wrapTx {
		where = "the transaction the file opens with BEGIN"
	} else if r.sf.format == migrate.FormatGoose {
		where = "the transaction goose wraps the file in"
	} else if r.sf.format == migrate.FormatDbmate {
		where = "the transaction dbmate wraps the file in"
	}
	fix := noTxFix(r.sf.format) + "\n" + strings.TrimSuffix(strings.TrimSpace(r.cur.text), ";") + ";"
	if r.cur.nested {
		fix = "-- run it as a top-level statement, in a file of its own:\n" + fix
	}
	r.find(rule, lockNone, "", false, false,
		fmt.Sprintf("%s cannot run inside %s: the migration fails", what, where), fix)
}

func noTxFix(f migrate.Format) string {
	switch f {
	case migrate.FormatGoose:
		return "-- +goose NO TRANSACTION\n-- +goose Up"
	case migrate.FormatDbmate:
		return "-- migrate:up transaction:false"
	}
	return "-- strata:no-transaction"
}

func (r *pgRun) createFunction(cf *pg.CreateFunctionStmt) {
	name := strings.ToLower(nameList(cf.Funcname))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	vol := true
	lang, body, loc := "sql", "", -1
	for _, o := range cf.Options {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "volatility":
			vol = strings.EqualFold(defElemString(d), "volatile")
		case "language":
			lang = strings.ToLower(defElemString(d))
		case "as":
			if l := d.Arg.GetList(); l != nil && len(l.Items) > 0 {
				if s := l.Items[0].GetString_(); s != nil {
					body, loc = s.Sval, int(d.Location)
				}
			}
		}
	}
	r.userFuncs[name] = vol
	if lang == "plpgsql" && body != "" {
		line := r.cur.line
		if !r.cur.nested && loc >= 0 && loc < len(r.text) {
			line = r.bodyLine(loc)
		}
		r.plFuncs[name] = plFunc{body: body, line: line}
	}
}

func (r *pgRun) createTable(cs *pg.CreateStmt) {
	t := relName(cs.Relation)
	r.created[relKey(t)] = true
	for _, e := range cs.TableElts {
		cd := e.GetColumnDef()
		if cd == nil {
			continue
		}
		r.colTypes[relKey(t)+"."+strings.ToLower(cd.Colname)] = cd.TypeName
		if cd.IsNotNull {
			r.validNN[relKey(t)+"."+strings.ToLower(cd.Colname)] = true
		}
		for _, c := range cd.Constraints {
			if con := c.GetConstraint(); con != nil && (con.Contype == pg.ConstrType_CONSTR_NOTNULL || con.Contype == pg.ConstrType_CONSTR_PRIMARY) {
				r.validNN[relKey(t)+"."+strings.ToLower(cd.Colname)] = true
			}
		}
		r.typeStyle(t, cd)
		for _, c := range cd.Constraints {
			if con := c.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN && con.Pktable != nil {
				r.lock(lockShareRowExclusive, relName(con.Pktable))
			}
		}
	}
	for _, c := range cs.TableElts {
		if con := c.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN && con.Pktable != nil {
			r.lock(lockShareRowExclusive, relName(con.Pktable))
		}
	}
	if cs.Partbound != nil {
		for _, p := range cs.InhRelations {
			r.lock(lockAccessExclusive, relName(p.GetRangeVar()))
		}
	}
}

// typeStyle reports style warnings for a column's type.
func (r *pgRun) typeStyle(table string, cd *pg.ColumnDef) {
	name, mods := typeName(cd.TypeName)
	obj := table + "." + cd.Colname
	switch name {
	case "json":
		r.find("prefer-jsonb", lockNone, obj, false, false,
			fmt.Sprintf("column %s is json: it keeps the text as written and has no equality or GIN indexing; jsonb does", obj),
			fmt.Sprintf("%s jsonb", cd.Colname))
	case "timestamp":
		r.find("prefer-timestamptz", lockNone, obj, false, false,
			fmt.Sprintf("column %s is timestamp without time zone: values lose their offset and shift with the session's TimeZone", obj),
			fmt.Sprintf("%s timestamptz", cd.Colname))
	case "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2":
		base := map[string]string{"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint", "smallserial": "smallint", "serial2": "smallint"}[name]
		r.find("prefer-identity", lockNone, obj, false, false,
			fmt.Sprintf("column %s is %s: its sequence has separate ownership and permissions; an identity column does not", obj, name),
			fmt.Sprintf("%s %s GENERATED BY DEFAULT AS IDENTITY", cd.Colname, base))
	case "varchar":
		if len(mods) > 0 {
			r.find("prefer-text", lockNone, obj, false, false,
				fmt.Sprintf("column %s is varchar(%d): changing the limit later is a type change; text with a CHECK is as fast and easier to change", obj, mods[0]),
				fmt.Sprintf("%s text CHECK (char_length(%s) <= %d)", cd.Colname, cd.Colname, mods[0]))
		}
	}
}

func (r *pgRun) rename(rs *pg.RenameStmt) {
	t := relName(rs.Relation)
	switch rs.RenameType {
	case pg.ObjectType_OBJECT_COLUMN:
		r.lock(lockAccessExclusive, t)
		r.lockTimeoutCheck(lockAccessExclusive, t)
		if r.existing(t) {
			r.online = onlineOp("rename_column", kv{"table", t}, kv{"from", rs.Subname}, kv{"to", rs.Newname})
			r.find("rename-column", lockAccessExclusive, t, false, false,
				fmt.Sprintf("renaming %s.%s to %s breaks every running query that still uses the old name", t, rs.Subname, rs.Newname),
				fmt.Sprintf(`-- expand/contract instead (strata online op rename_column {table: %[1]s, from: %[2]s, to: %[3]s}), or by hand:
ALTER TABLE %[1]s ADD COLUMN %[3]s <type>;
-- keep both in sync with a trigger, backfill %[3]s in batches, deploy code that reads %[3]s,
-- then in a later migration: ALTER TABLE %[1]s DROP COLUMN %[2]s;`, t, rs.Subname, rs.Newname))
		}
		if ct, ok := r.colTypes[relKey(t)+"."+strings.ToLower(rs.Subname)]; ok {
			r.colTypes[relKey(t)+"."+strings.ToLower(rs.Newname)] = ct
		}
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE:
		r.lock(lockAccessExclusive, t)
		r.lockTimeoutCheck(lockAccessExclusive, t)
		if r.existing(t) {
			r.online = onlineOp("rename_table", kv{"from", t}, kv{"to", rs.Newname})
			r.find("rename-table", lockAccessExclusive, t, false, false,
				fmt.Sprintf("renaming %s to %s breaks every running query that still uses the old name", t, rs.Newname),
				fmt.Sprintf(`-- strata online op rename_table {from: %[1]s, to: %[2]s}, or by hand, leave a view under the old name:
ALTER TABLE %[1]s RENAME TO %[2]s;
CREATE VIEW %[1]s AS SELECT * FROM %[2]s;  -- same transaction; drop it once no code uses %[1]s`, t, rs.Newname))
		} else {
			r.created[relKey(rs.Newname)] = true
		}
	case pg.ObjectType_OBJECT_INDEX:
		r.lock(lockShareUpdateExclusive, t)
	case pg.ObjectType_OBJECT_TABCONSTRAINT:
		r.lock(lockAccessExclusive, t)
	}
}

func (r *pgRun) drop(ds *pg.DropStmt) {
	for _, o := range ds.Objects {
		name := ""
		if l := o.GetList(); l != nil {
			name = nameList(l.Items)
		} else if s := o.GetString_(); s != nil {
			name = s.Sval
		}
		switch ds.RemoveType {
		case pg.ObjectType_OBJECT_TABLE:
			r.lock(lockAccessExclusive, name)
			if r.existing(name) {
				r.lockTimeoutCheck(lockAccessExclusive, name)
				r.online = onlineOp("drop_table", kv{"name", name})
				r.find("drop-table", lockAccessExclusive, name, false, false,
					fmt.Sprintf("dropping table %s breaks every running query that still uses it", name),
					fmt.Sprintf(`-- contract step: first deploy code that no longer uses %[1]s, then drop it in its own migration:
-- strata:lint-ignore drop-table -- <release> stopped using %[1]s
DROP TABLE %[1]s;`, name))
			}
		case pg.ObjectType_OBJECT_INDEX:
			tbl := r.idxTable[relKey(name)]
			if ds.Concurrent {
				r.lock(lockShareUpdateExclusive, orDefault(tbl, name))
				r.nonTxCheck(&pg.Node{Node: &pg.Node_DropStmt{DropStmt: ds}})
				continue
			}
			r.lock(lockAccessExclusive, orDefault(tbl, name))
			if tbl == "" {
				r.online = onlineOp("drop_index", kv{"name", name})
				r.find("drop-index-non-concurrent", lockAccessExclusive, name, false, false,
					fmt.Sprintf("DROP INDEX %s takes ACCESS EXCLUSIVE on its table: reads and writes queue behind it", name),
					fmt.Sprintf("-- strata:no-transaction\nDROP INDEX CONCURRENTLY %s;", strings.TrimPrefix(name, "")))
			}
		case pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_SEQUENCE:
			r.lock(lockAccessExclusive, name)
		}
	}
}

func (r *pgRun) dml(verb string, rv *pg.RangeVar, where *pg.Node, joined bool) {
	t := relName(rv)
	r.lock(lockRowExclusive, t)
	if !r.existing(t) {
		return
	}
	if (where == nil || trivialWhere(where)) && !joined {
		rule := "update-without-where"
		if verb == "DELETE" {
			rule = "delete-without-where"
		}
		msg := fmt.Sprintf("%s without WHERE locks every row of %s until the transaction ends, blocking writers and bloating the table", verb, t)
		if r.inTx && len(r.txStrong) > 0 {
			msg += fmt.Sprintf("; in the same transaction as %q, whose lock is held until the whole %s commits", r.txDDLStmt, verb)
		}
		if verb == "UPDATE" {
			r.online = backfillOp(t, r.cur.node, "")
		}
		r.find(rule, lockRowExclusive, t, false, true, msg, batchFix(verb, t, r.cur.text))
		return
	}
	if r.inTx && len(r.txStrong) > 0 && !batchedWhere(where) {
		var held []string
		for k, m := range r.txStrong {
			held = append(held, m.String()+" on "+k)
		}
		if verb == "UPDATE" {
			r.online = backfillOp(t, r.cur.node, deparseExpr(where))
		}
		r.find("backfill-in-ddl-transaction", lockRowExclusive, t, false, true,
			fmt.Sprintf("%s of %s runs in the same transaction as %q, so %s is held until the whole backfill commits", verb, t, r.txDDLStmt, strings.Join(held, ", ")),
			"-- commit the DDL first (a separate migration), then backfill in batches, one transaction each:\n"+batchFix(verb, t, r.cur.text))
	}
}

// backfillOp renders an UPDATE as a strata online backfill operation.
func backfillOp(t string, n *pg.Node, where string) string {
	us := n.GetUpdateStmt()
	if us == nil {
		return ""
	}
	var set []kv
	for _, x := range us.TargetList {
		if rt := x.GetResTarget(); rt != nil && rt.Name != "" {
			set = append(set, kv{rt.Name, deparseExpr(rt.Val)})
		}
	}
	if len(set) == 0 {
		return ""
	}
	fields := []kv{{"table", t}, {"set", set}}
	if where != "" {
		fields = append(fields, kv{"where", where})
	}
	return onlineOp("backfill", fields...)
}

// createIndexOp renders CREATE INDEX as a strata online create_index
// operation (built CONCURRENTLY by the runner).
func createIndexOp(is *pg.IndexStmt) string {
	if is.Idxname == "" {
		return ""
	}
	var cols []string
	for _, p := range is.IndexParams {
		ie := p.GetIndexElem()
		if ie == nil {
			return ""
		}
		if ie.Name != "" {
			c := ie.Name
			if ie.Ordering == pg.SortByDir_SORTBY_DESC {
				c += " DESC"
			}
			cols = append(cols, c)
		} else if ie.Expr != nil {
			cols = append(cols, deparseExpr(ie.Expr))
		}
	}
	fields := []kv{{"name", is.Idxname}, {"table", relName(is.Relation)}, {"columns", cols}}
	if is.AccessMethod != "" && is.AccessMethod != "btree" {
		fields = append(fields, kv{"method", is.AccessMethod})
	}
	if is.Unique {
		fields = append(fields, kv{"unique", true})
	}
	if is.WhereClause != nil {
		fields = append(fields, kv{"where", deparseExpr(is.WhereClause)})
	}
	return onlineOp("create_index", fields...)
}

func batchFix(verb, t, stmt string) string {
	if verb == "DELETE" {
		return fmt.Sprintf(`-- repeat until it deletes 0 rows, each batch in its own transaction:
DELETE FROM %[1]s WHERE id IN (SELECT id FROM %[1]s WHERE <condition> ORDER BY id LIMIT 5000);`, t)
	}
	set := "<column> = <value>"
	if i := strings.Index(strings.ToUpper(stmt), " SET "); i >= 0 {
		set = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stmt[i+5:]), ";"))
		if j := strings.Index(strings.ToUpper(set), " WHERE "); j >= 0 {
			set = set[:j]
		}
	}
	return fmt.Sprintf(`-- repeat for each range of ids, each batch in its own transaction (or: strata online op backfill):
UPDATE %[1]s SET %[2]s WHERE id >= $1 AND id < $1 + 5000;`, t, set)
}

func (r *pgRun) vacuum(vs *pg.VacuumStmt) {
	full := hasOption(vs.Options, "full")
	var tables []string
	for _, n := range vs.Rels {
		if vr := n.GetVacuumRelation(); vr != nil {
			tables = append(tables, relName(vr.Relation))
		}
	}
	if full {
		obj := strings.Join(tables, ", ")
		if obj == "" {
			obj = "every table"
		}
		for _, t := range tables {
			r.lock(lockAccessExclusive, t)
			r.rewrites(t)
		}
		r.find("vacuum-full", lockAccessExclusive, obj, true, true,
			fmt.Sprintf("VACUUM FULL rewrites %s under ACCESS EXCLUSIVE: reads and writes wait until it finishes", obj),
			fmt.Sprintf("-- reclaim space without blocking, with the pg_repack extension:\n-- pg_repack --table=%s\n-- or settle for a plain VACUUM (no lock on reads or writes):\nVACUUM (ANALYZE) %s;", orDefault(strings.Join(tables, " --table="), "<table>"), orDefault(strings.Join(tables, ", "), "<table>")))
	} else {
		for _, t := range tables {
			r.lock(lockShareUpdateExclusive, t)
		}
	}
	if vs.IsVacuumcmd {
		r.nonTxCheck(&pg.Node{Node: &pg.Node_VacuumStmt{VacuumStmt: vs}})
	}
}

func (r *pgRun) reindex(rs *pg.ReindexStmt, n *pg.Node) {
	conc := hasOption(rs.Params, "concurrently")
	obj := relName(rs.Relation)
	if obj == "" {
		obj = rs.Name
	}
	tbl := obj
	if rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_INDEX {
		if t := r.idxTable[relKey(obj)]; t != "" {
			tbl = t
		}
	}
	if conc {
		r.lock(lockShareUpdateExclusive, tbl)
		r.nonTxCheck(n)
		return
	}
	r.lock(lockShare, tbl)
	if rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_INDEX {
		r.lock(lockAccessExclusive, obj)
		if r.idxTable[relKey(obj)] != "" {
			return
		}
	} else if rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_TABLE && !r.existing(tbl) {
		return
	}
	kind := map[pg.ReindexObjectType]string{
		pg.ReindexObjectType_REINDEX_OBJECT_INDEX: "INDEX", pg.ReindexObjectType_REINDEX_OBJECT_TABLE: "TABLE",
		pg.ReindexObjectType_REINDEX_OBJECT_SCHEMA: "SCHEMA", pg.ReindexObjectType_REINDEX_OBJECT_DATABASE: "DATABASE",
		pg.ReindexObjectType_REINDEX_OBJECT_SYSTEM: "SYSTEM"}[rs.Kind]
	fix := fmt.Sprintf("-- strata:no-transaction\nREINDEX %s CONCURRENTLY %s;", kind, obj)
	if r.l.pgVer < 1200 {
		fix = fmt.Sprintf("-- before PostgreSQL 12: build a copy and swap (strata:no-transaction):\nCREATE INDEX CONCURRENTLY %[1]s_new ON <table> (<columns>);\nDROP INDEX CONCURRENTLY %[1]s;\nALTER INDEX %[1]s_new RENAME TO %[1]s;", obj)
	}
	r.find("reindex-non-concurrent", lockShare, obj, false, true,
		fmt.Sprintf("REINDEX %s locks out writes to %s (and reads that use the index) while it rebuilds", kind, tbl), fix)
}

// createIndex handles CREATE INDEX.
func (r *pgRun) createIndex(is *pg.IndexStmt) {
	t := relName(is.Relation)
	if is.Idxname != "" {
		schema := ""
		if is.Relation != nil && is.Relation.Schemaname != "" {
			schema = is.Relation.Schemaname + "."
		}
		r.idxTable[relKey(schema+is.Idxname)] = t
		r.idxTable[relKey(is.Idxname)] = t
	}
	if is.Concurrent {
		r.lock(lockShareUpdateExclusive, t)
		r.scans(t)
		r.lockTimeoutCheck(lockShareUpdateExclusive, t)
		r.nonTxCheck(&pg.Node{Node: &pg.Node_IndexStmt{IndexStmt: is}})
		return
	}
	r.lock(lockShare, t)
	r.scans(t)
	if !r.existing(t) || (is.Relation != nil && is.Relation.Relpersistence == "t") {
		return
	}
	fix := reCreateIndex.ReplaceAllString(strings.TrimSuffix(strings.TrimSpace(r.cur.text), ";"), "${1} CONCURRENTLY ")
	fix = strings.Replace(fix, "CONCURRENTLY  ", "CONCURRENTLY ", 1)
	if !strings.Contains(strings.ToUpper(fix), "CONCURRENTLY") {
		fix = "CREATE INDEX CONCURRENTLY ... ;"
	}
	r.online = createIndexOp(is)
	r.find("create-index-non-concurrent", lockShare, t, false, true,
		fmt.Sprintf("CREATE INDEX on %s takes a SHARE lock: inserts, updates and deletes wait while it reads the whole table", t),
		"-- in a file of its own:\n"+noTxFix(r.sf.format)+"\n"+fix+";")
}

var reCreateIndex = regexp.MustCompile(`(?is)^(CREATE\s+(?:UNIQUE\s+)?INDEX)\s+`)
