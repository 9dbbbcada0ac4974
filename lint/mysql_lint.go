package lint

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // value expressions for the parser
)

// parsers pools TiDB parsers: one is not safe for concurrent use.
var parsers = sync.Pool{New: func() any { return parser.New() }}

var reTiDBPos = regexp.MustCompile(`line (\d+) column (\d+)`)

// myRun is the analysis of one part of one MySQL file.
type myRun struct {
	l           *Linter
	rep         *Report
	file        string
	sf          *sourceFile
	text        string
	fileIgnores []ignore
	cur         *pgUnit // position, text and ignores of the statement
	curStmt     *Statement

	created      map[string]bool
	altered      map[string]int // table → ALTERs seen
	fkChecksOff  bool
	lockWaitSet  bool
	lockWaitWarn bool
}

func (l *Linter) lintMySQLPart(rep *Report, file string, sf *sourceFile, p part) error {
	text := sf.masked(p)
	stmts, err := parseMySQL(text)
	if err != nil {
		line, col := 1, 0
		if m := reTiDBPos.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			col, _ = strconv.Atoi(m[2])
		}
		msg := err.Error()
		if i := strings.Index(msg, "near"); i >= 0 {
			msg = "syntax error " + msg[i:]
		}
		return &ParseError{File: file, Line: line, Col: col, Msg: msg}
	}
	r := &myRun{l: l, rep: rep, file: file, sf: sf, text: text, created: map[string]bool{}, altered: map[string]int{},
		fileIgnores: append([]ignore(nil), sf.preIgnores...)}
	// Statement boundaries: each statement starts after the previous one.
	units := make([]*pgUnit, len(stmts))
	pos := 0
	for i, s := range stmts {
		// Text() is the statement's source (with its leading comments);
		// statements follow one another, so find each after the last.
		st := s.Text()
		start := pos
		if j := strings.Index(text[pos:], st); j >= 0 && st != "" {
			start = pos + j
		}
		end := start + len(st)
		if end > len(text) || st == "" {
			end = len(text)
		}
		pos = end
		first, cs := skipLeading(text, start, end, true)
		u := &pgUnit{text: strings.TrimSpace(text[first:end]), off: first}
		u.line, u.col = position(text, sf.lines, first)
		for _, c := range cs {
			if ig, ok := parseIgnore(c); ok {
				if i == 0 {
					r.fileIgnores = append(r.fileIgnores, ig)
				} else {
					u.ignores = append(u.ignores, ig)
				}
			}
		}
		units[i] = u
	}
	for _, ig := range r.fileIgnores {
		if ig.reason == "" {
			line, col := position(text, sf.lines, ig.off)
			r.emit(Finding{File: file, Line: line, Col: col, Rule: "lint-ignore-reason", Message: "strata:lint-ignore needs a reason: the ignore is not applied"})
		}
	}
	for i, s := range stmts {
		u := units[i]
		for _, ig := range u.ignores {
			if ig.reason == "" {
				line, col := position(text, sf.lines, ig.off)
				r.emit(Finding{File: file, Line: line, Col: col, Rule: "lint-ignore-reason", Message: "strata:lint-ignore needs a reason: the ignore is not applied"})
			}
		}
		r.cur = u
		st := &Statement{File: file, Line: u.line, Col: u.col, Offset: u.off, Kind: kindOf(u.text), Transactional: true}
		r.curStmt = st
		r.analyse(s)
		rep.Statements = append(rep.Statements, *st)
	}
	return nil
}

func (r *myRun) emit(f Finding) {
	rule := ruleByID[f.Rule]
	def := rule.Severity
	if f.Severity != "" {
		def = f.Severity
	}
	sev := r.l.severity(f.Rule, def)
	if sev == Off {
		return
	}
	f.Severity = sev
	if f.Rule != "lint-ignore-reason" {
		igs := append([]ignore(nil), r.fileIgnores...)
		if r.cur != nil {
			igs = append(igs, r.cur.ignores...)
		}
		for _, ig := range igs {
			if ig.reason != "" && ig.covers(f.Rule) {
				r.rep.Ignored++
				return
			}
		}
	}
	r.rep.Findings = append(r.rep.Findings, f)
}

func (r *myRun) find(rule, lock, object string, rewrites bool, msg, fix string) {
	u := r.cur
	r.emit(Finding{File: r.file, Line: u.line, Col: u.col, EndCol: u.col + len([]rune(firstLine(u.text))),
		Rule: rule, Lock: lock, Object: object, Rewrites: rewrites, Scans: rewrites, Message: msg, Fix: strings.TrimSpace(fix)})
}

func (r *myRun) lock(mode, object string) {
	if object != "" {
		r.curStmt.Locks = append(r.curStmt.Locks, Lock{Mode: mode, Object: object})
	}
}

func myTable(t *ast.TableName) string {
	if t == nil {
		return ""
	}
	if t.Schema.O != "" {
		return t.Schema.O + "." + t.Name.O
	}
	return t.Name.O
}

func (r *myRun) existing(t string) bool { return t != "" && !r.created[strings.ToLower(t)] }

// mdlCheck warns once about DDL without a short lock_wait_timeout.
func (r *myRun) mdlCheck(t string) {
	if r.lockWaitSet || r.lockWaitWarn || r.l.opts.Runner || !r.existing(t) {
		return
	}
	r.lockWaitWarn = true
	r.find("mysql-lock-wait-timeout-missing", "EXCLUSIVE metadata lock", t, false,
		fmt.Sprintf("the DDL needs an exclusive metadata lock on %s: behind a long transaction it waits (lock_wait_timeout defaults to a year), and every query on %s queues behind it", t, t),
		"SET SESSION lock_wait_timeout = 5;")
}

func (r *myRun) analyse(s ast.StmtNode) {
	switch n := s.(type) {
	case *ast.SetStmt:
		for _, v := range n.Variables {
			switch strings.ToLower(v.Name) {
			case "lock_wait_timeout":
				r.lockWaitSet = true
			case "foreign_key_checks":
				if ve, ok := v.Value.(ast.ValueExpr); ok {
					r.fkChecksOff = fmt.Sprint(ve.GetValue()) == "0" || strings.EqualFold(fmt.Sprint(ve.GetValue()), "off")
				}
			}
		}
	case *ast.CreateTableStmt:
		r.created[strings.ToLower(myTable(n.Table))] = true
	case *ast.CreateIndexStmt:
		t := myTable(n.Table)
		r.lock("SHARED_UPGRADABLE metadata", t)
		if !r.existing(t) {
			return
		}
		r.mdlCheck(t)
		if n.KeyType == ast.IndexKeyTypeFulltext || n.KeyType == ast.IndexKeyTypeSpatial {
			r.find("mysql-create-index-locking", "LOCK=SHARED", t, true,
				fmt.Sprintf("a FULLTEXT or SPATIAL index on %s is built with LOCK=SHARED: inserts, updates and deletes wait until it finishes", t),
				"-- build it on a copy with an online schema-change tool (gh-ost, pt-online-schema-change), or in a maintenance window")
		}
		if n.LockAlg != nil {
			r.explicit(t, n.LockAlg.AlgorithmTp, n.LockAlg.LockTp)
		}
	case *ast.DropIndexStmt:
		t := myTable(n.Table)
		r.lock("SHARED_UPGRADABLE metadata", t)
		r.mdlCheck(t)
	case *ast.AlterTableStmt:
		r.alter(n)
	case *ast.RenameTableStmt:
		for _, tt := range n.TableToTables {
			t := myTable(tt.OldTable)
			r.lock("EXCLUSIVE metadata", t)
			if r.existing(t) {
				r.find("rename-table", "EXCLUSIVE metadata", t, false,
					fmt.Sprintf("renaming %s to %s breaks every running query that still uses the old name", t, myTable(tt.NewTable)),
					fmt.Sprintf("-- expand/contract: create %[2]s, copy and dual-write, move the code, then drop %[1]s later; or leave a view:\nRENAME TABLE %[1]s TO %[2]s;\nCREATE VIEW %[1]s AS SELECT * FROM %[2]s;", t, myTable(tt.NewTable)))
			} else {
				r.created[strings.ToLower(myTable(tt.NewTable))] = true
			}
		}
	case *ast.DropTableStmt:
		if n.IsView {
			return
		}
		for _, tn := range n.Tables {
			t := myTable(tn)
			r.lock("EXCLUSIVE metadata", t)
			if r.existing(t) && n.TemporaryKeyword == ast.TemporaryNone {
				r.find("drop-table", "EXCLUSIVE metadata", t, false,
					fmt.Sprintf("dropping table %s breaks every running query that still uses it", t),
					fmt.Sprintf("-- contract step: deploy code that no longer uses %[1]s first, then:\n-- strata:lint-ignore drop-table -- <release> stopped using %[1]s\nDROP TABLE %[1]s;", t))
			}
		}
	case *ast.TruncateTableStmt:
		t := myTable(n.Table)
		if r.existing(t) {
			r.find("truncate", "EXCLUSIVE metadata", t, false, fmt.Sprintf("TRUNCATE drops and recreates %s: every row is gone and queries wait for the metadata lock", t),
				fmt.Sprintf("DELETE FROM %s WHERE id IN (...) LIMIT 5000;  -- in batches, if the rows must go while the table is in use", t))
		}
	case *ast.LockTablesStmt:
		for _, tl := range n.TableLocks {
			t := myTable(tl.Table)
			r.lock("LOCK TABLES "+tl.Type.String(), t)
			if r.existing(t) {
				r.find("lock-table", "LOCK TABLES "+tl.Type.String(), t, false,
					fmt.Sprintf("LOCK TABLES %s blocks the application until UNLOCK TABLES", t),
					"-- drop LOCK TABLES; let each statement take its own locks, with a short lock_wait_timeout:\nSET SESSION lock_wait_timeout = 5;")
			}
		}
	case *ast.UpdateStmt:
		if n.Where == nil && n.Limit == nil && n.TableRefs != nil {
			t := singleTable(n.TableRefs)
			if t != "" && r.existing(t) {
				r.find("update-without-where", "row locks", t, false,
					fmt.Sprintf("UPDATE without WHERE locks every row of %s in one transaction, blocking writers and lagging replicas", t),
					fmt.Sprintf("-- repeat until 0 rows change, each batch in its own transaction:\nUPDATE %s SET ... WHERE id BETWEEN ? AND ?;", t))
			}
		}
	case *ast.DeleteStmt:
		if n.Where == nil && n.Limit == nil && n.TableRefs != nil {
			t := singleTable(n.TableRefs)
			if t != "" && r.existing(t) {
				r.find("delete-without-where", "row locks", t, false,
					fmt.Sprintf("DELETE without WHERE locks every row of %s in one transaction, blocking writers and lagging replicas", t),
					fmt.Sprintf("-- repeat until 0 rows are deleted:\nDELETE FROM %s WHERE <condition> LIMIT 5000;", t))
			}
		}
	}
}

func singleTable(refs *ast.TableRefsClause) string {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return ""
	}
	if ts, ok := refs.TableRefs.Left.(*ast.TableSource); ok {
		if tn, ok := ts.Source.(*ast.TableName); ok {
			return myTable(tn)
		}
	}
	return ""
}

// explicit reports ALGORITHM=COPY and LOCK=SHARED/EXCLUSIVE.
func (r *myRun) explicit(t string, alg ast.AlgorithmType, lock ast.LockType) bool {
	if alg == ast.AlgorithmTypeCopy || lock == ast.LockTypeShared || lock == ast.LockTypeExclusive {
		what := "ALGORITHM=COPY"
		if lock == ast.LockTypeShared || lock == ast.LockTypeExclusive {
			what = "LOCK=" + lock.String()
		}
		r.find("mysql-explicit-lock", what, t, alg == ast.AlgorithmTypeCopy,
			fmt.Sprintf("%s blocks writes to %s for the whole ALTER", what, t),
			"-- ask for ALGORITHM=INPLACE, LOCK=NONE (or INSTANT); if the server refuses, use gh-ost or pt-online-schema-change")
		return true
	}
	return false
}

// myOp is what one ALTER TABLE clause costs on the target version.
type myOp struct {
	what    string
	level   int // 0 instant/metadata, 1 in place with rebuild (DML allowed), 2 blocks writes, 3 unknown without the old definition
	rebuild bool
}

func (r *myRun) alter(n *ast.AlterTableStmt) {
	t := myTable(n.Table)
	r.lock("SHARED_UPGRADABLE then EXCLUSIVE metadata", t)
	if !r.existing(t) {
		for _, sp := range n.Specs {
			if sp.Tp == ast.AlterTableRenameTable && sp.NewTable != nil {
				r.created[strings.ToLower(myTable(sp.NewTable))] = true
			}
		}
		return
	}
	r.mdlCheck(t)
	r.altered[strings.ToLower(t)]++
	if r.altered[strings.ToLower(t)] == 2 {
		r.find("mysql-multiple-alters", "EXCLUSIVE metadata", t, false,
			fmt.Sprintf("%s is altered more than once in this migration: each ALTER takes the metadata lock and may rebuild the table", t),
			fmt.Sprintf("ALTER TABLE %s <clause>, <clause>, ..., ALGORITHM=INPLACE, LOCK=NONE;", t))
	}
	alg, lk := ast.AlgorithmTypeDefault, ast.LockTypeDefault
	for _, sp := range n.Specs {
		switch sp.Tp {
		case ast.AlterTableAlgorithm:
			alg = sp.Algorithm
		case ast.AlterTableLock:
			lk = sp.LockType
		}
	}
	if r.explicit(t, alg, lk) {
		return
	}
	guarded := alg == ast.AlgorithmTypeInplace || alg == ast.AlgorithmTypeInstant || lk == ast.LockTypeNone
	v := r.l.my
	instantAdd := (!v.mariadb && v.atLeast(8, 0, 12)) || (v.mariadb && v.atLeast(10, 3, 2))
	instantAnyPos := (!v.mariadb && v.atLeast(8, 0, 29)) || (v.mariadb && v.atLeast(10, 4, 0))
	instantDrop := instantAnyPos
	var ops []myOp
	for _, sp := range n.Specs {
		switch sp.Tp {
		case ast.AlterTableAddColumns:
			for _, cd := range sp.NewColumns {
				stored, autoInc := false, false
				for _, o := range cd.Options {
					if o.Tp == ast.ColumnOptionGenerated && o.Stored {
						stored = true
					}
					if o.Tp == ast.ColumnOptionAutoIncrement {
						autoInc = true
					}
				}
				switch {
				case stored:
					ops = append(ops, myOp{what: "adding a STORED generated column " + cd.Name.Name.O, level: 2})
				case autoInc:
					ops = append(ops, myOp{what: "adding an AUTO_INCREMENT column " + cd.Name.Name.O, level: 2})
				case instantAnyPos || (instantAdd && (sp.Position == nil || sp.Position.Tp == ast.ColumnPositionNone)):
					ops = append(ops, myOp{what: "ADD COLUMN " + cd.Name.Name.O})
				default:
					ops = append(ops, myOp{what: "ADD COLUMN " + cd.Name.Name.O, level: 1, rebuild: true})
				}
			}
		case ast.AlterTableDropColumn:
			col := sp.OldColumnName.Name.O
			r.find("drop-column", "EXCLUSIVE metadata", t, false,
				fmt.Sprintf("dropping %s.%s breaks every running query (and ORM model) that still reads it", t, col),
				fmt.Sprintf("-- contract step: deploy code that no longer reads %[2]s first, then:\n-- strata:lint-ignore drop-column -- <release> stopped reading %[2]s\nALTER TABLE %[1]s DROP COLUMN %[2]s, ALGORITHM=INPLACE, LOCK=NONE;", t, col))
			if instantDrop {
				ops = append(ops, myOp{what: "DROP COLUMN"})
			} else {
				ops = append(ops, myOp{what: "DROP COLUMN " + col, level: 1, rebuild: true})
			}
		case ast.AlterTableRenameColumn:
			r.find("rename-column", "EXCLUSIVE metadata", t, false,
				fmt.Sprintf("renaming %s.%s to %s breaks every running query that still uses the old name", t, sp.OldColumnName.Name.O, sp.NewColumnName.Name.O),
				fmt.Sprintf("-- expand/contract: ADD COLUMN %[3]s, dual-write and backfill, move the code, then drop %[2]s:\nALTER TABLE %[1]s ADD COLUMN %[3]s <type>, ALGORITHM=INSTANT;", t, sp.OldColumnName.Name.O, sp.NewColumnName.Name.O))
		case ast.AlterTableChangeColumn, ast.AlterTableModifyColumn:
			if sp.Tp == ast.AlterTableChangeColumn && sp.OldColumnName != nil && len(sp.NewColumns) > 0 && !strings.EqualFold(sp.OldColumnName.Name.O, sp.NewColumns[0].Name.Name.O) {
				r.find("rename-column", "EXCLUSIVE metadata", t, false,
					fmt.Sprintf("CHANGE COLUMN renames %s.%s to %s, which breaks every running query that still uses the old name", t, sp.OldColumnName.Name.O, sp.NewColumns[0].Name.Name.O),
					"-- expand/contract: add the new column, dual-write and backfill, move the code, then drop the old one")
			}
			name := ""
			if len(sp.NewColumns) > 0 {
				name = sp.NewColumns[0].Name.Name.O
			}
			ops = append(ops, myOp{what: "changing the definition of " + name, level: 3})
		case ast.AlterTableAlterColumn, ast.AlterTableRenameIndex, ast.AlterTableDropIndex, ast.AlterTableDropForeignKey,
			ast.AlterTableIndexInvisible, ast.AlterTableDropCheck, ast.AlterTableAlgorithm, ast.AlterTableLock:
			// metadata only
		case ast.AlterTableDropPrimaryKey:
			adds := false
			for _, o := range n.Specs {
				if o.Tp == ast.AlterTableAddConstraint && o.Constraint != nil && o.Constraint.Tp == ast.ConstraintPrimaryKey {
					adds = true
				}
			}
			if !adds {
				ops = append(ops, myOp{what: "DROP PRIMARY KEY without adding one", level: 2})
			}
		case ast.AlterTableAddConstraint:
			c := sp.Constraint
			if c == nil {
				continue
			}
			switch c.Tp {
			case ast.ConstraintPrimaryKey:
				ops = append(ops, myOp{what: "ADD PRIMARY KEY", level: 1, rebuild: true})
			case ast.ConstraintForeignKey:
				if !r.fkChecksOff {
					ops = append(ops, myOp{what: "ADD FOREIGN KEY with foreign_key_checks on", level: 2})
				}
			case ast.ConstraintFulltext:
				ops = append(ops, myOp{what: "ADD FULLTEXT INDEX", level: 2})
			case ast.ConstraintCheck:
				ops = append(ops, myOp{what: "ADD CHECK (validated against every row with a table copy)", level: 2})
			default:
				if c.Option != nil && c.Option.Tp == ast.IndexTypeRtree {
					ops = append(ops, myOp{what: "ADD SPATIAL INDEX", level: 2})
				}
				// ADD INDEX / UNIQUE: in place, no rebuild, DML allowed.
			}
		case ast.AlterTableOption:
			for _, o := range sp.Options {
				switch o.Tp {
				case ast.TableOptionCharset, ast.TableOptionCollate:
					if o.UintValue == ast.TableOptionCharsetWithConvertTo {
						ops = append(ops, myOp{what: "CONVERT TO CHARACTER SET", level: 2})
					}
				case ast.TableOptionEngine, ast.TableOptionRowFormat, ast.TableOptionKeyBlockSize:
					ops = append(ops, myOp{what: "changing the table's engine or row format", level: 1, rebuild: true})
				}
			}
		case ast.AlterTableForce:
			ops = append(ops, myOp{what: "FORCE", level: 1, rebuild: true})
		case ast.AlterTableRenameTable:
			r.find("rename-table", "EXCLUSIVE metadata", t, false,
				fmt.Sprintf("renaming %s to %s breaks every running query that still uses the old name", t, myTable(sp.NewTable)),
				fmt.Sprintf("RENAME TABLE %[1]s TO %[2]s;\nCREATE VIEW %[1]s AS SELECT * FROM %[2]s;  -- drop it once no code uses %[1]s", t, myTable(sp.NewTable)))
		case ast.AlterTablePartition, ast.AlterTableCoalescePartitions, ast.AlterTableReorganizePartition, ast.AlterTableRemovePartitioning, ast.AlterTableRebuildPartition:
			ops = append(ops, myOp{what: "repartitioning", level: 2})
		}
	}
	worst := myOp{}
	for _, o := range ops {
		if o.level > worst.level {
			worst = o
		}
	}
	fix := fmt.Sprintf("-- state the algorithm so the server refuses instead of blocking:\n%s, ALGORITHM=INPLACE, LOCK=NONE;\n-- if it refuses, run the change with gh-ost or pt-online-schema-change", strings.TrimSuffix(strings.TrimSpace(r.cur.text), ";"))
	switch worst.level {
	case 2:
		if guarded {
			return // the server will refuse rather than block
		}
		r.curStmt.Rewrites = append(r.curStmt.Rewrites, t)
		r.find("mysql-blocking-alter", "ALGORITHM=COPY (writes blocked)", t, true,
			fmt.Sprintf("%s cannot run with ALGORITHM=INPLACE, LOCK=NONE on %s: %s is copied while writes are blocked", worst.what, v, t), fix)
	case 3:
		if guarded {
			return
		}
		r.curStmt.Rewrites = append(r.curStmt.Rewrites, t)
		r.find("mysql-blocking-alter", "ALGORITHM=COPY (writes blocked)", t, true,
			fmt.Sprintf("%s: a type change copies %s with writes blocked (only widening a VARCHAR within the same length bytes, defaults and nullability run in place)", worst.what, t), fix)
	case 1:
		r.curStmt.Rewrites = append(r.curStmt.Rewrites, t)
		r.find("mysql-table-rebuild", "INPLACE, LOCK=NONE", t, true,
			fmt.Sprintf("%s rebuilds %s in place on %s: writes continue, but it takes as long as a copy and replicas lag behind", worst.what, t, v),
			"-- on a large table run it with gh-ost or pt-online-schema-change to throttle it")
	}
}

// parseMySQL parses text with the TiDB grammar. The grammar's literal
// handling panics on some inputs (a decimal literal too long for its
// MyDecimal); that is a file strata cannot lint, not a crash. A parser that
// panicked is not returned to the pool.
func parseMySQL(text string) (stmts []ast.StmtNode, err error) {
	ps := parsers.Get().(*parser.Parser)
	defer func() {
		if r := recover(); r != nil {
			stmts, err = nil, fmt.Errorf("line 1 column 0 near \"\": the MySQL grammar failed on this text (%v)", r)
			return
		}
		parsers.Put(ps)
	}()
	stmts, _, err = ps.ParseSQL(text)
	return stmts, err
}
