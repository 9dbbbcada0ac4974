package lint

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// cmdLock is the lock one ALTER TABLE subcommand takes (PostgreSQL's
// AlterTableGetLockLevel).
func cmdLock(cmd *pg.AlterTableCmd) lockMode {
	switch cmd.Subtype {
	case pg.AlterTableType_AT_SetStatistics, pg.AlterTableType_AT_ClusterOn, pg.AlterTableType_AT_DropCluster,
		pg.AlterTableType_AT_SetRelOptions, pg.AlterTableType_AT_ResetRelOptions, pg.AlterTableType_AT_ReplaceRelOptions,
		pg.AlterTableType_AT_ValidateConstraint, pg.AlterTableType_AT_AttachPartition:
		return lockShareUpdateExclusive
	case pg.AlterTableType_AT_EnableTrig, pg.AlterTableType_AT_EnableAlwaysTrig, pg.AlterTableType_AT_EnableReplicaTrig,
		pg.AlterTableType_AT_EnableTrigAll, pg.AlterTableType_AT_EnableTrigUser, pg.AlterTableType_AT_DisableTrig,
		pg.AlterTableType_AT_DisableTrigAll, pg.AlterTableType_AT_DisableTrigUser:
		return lockShareRowExclusive
	case pg.AlterTableType_AT_DetachPartition:
		if pc := cmd.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
			return lockShareUpdateExclusive
		}
	case pg.AlterTableType_AT_AddConstraint:
		if con := cmd.Def.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_FOREIGN {
			return lockShareRowExclusive
		}
	}
	return lockAccessExclusive
}

func (r *pgRun) alterTable(at *pg.AlterTableStmt, n *pg.Node) {
	t := relName(at.Relation)
	key := relKey(t)
	switch at.Objtype {
	case pg.ObjectType_OBJECT_INDEX:
		r.lock(lockAccessExclusive, t)
		for _, c := range at.Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_SetTableSpace && r.idxTable[relKey(t)] == "" {
				r.find("table-rewrite", lockAccessExclusive, t, true, false,
					fmt.Sprintf("ALTER INDEX %s SET TABLESPACE copies the index under ACCESS EXCLUSIVE: queries that use it wait", t),
					"-- build a copy in the new tablespace and swap (strata:no-transaction):\nCREATE INDEX CONCURRENTLY <name>_new ON <table> (<columns>) TABLESPACE "+cmd.Name+";\nDROP INDEX CONCURRENTLY "+t+";\nALTER INDEX <name>_new RENAME TO "+lastName(t)+";")
			}
		}
		return
	case pg.ObjectType_OBJECT_SEQUENCE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_TYPE:
		return
	}
	mode := lockNone
	for _, c := range at.Cmds {
		if cmd := c.GetAlterTableCmd(); cmd != nil {
			if m := cmdLock(cmd); m > mode {
				mode = m
			}
		}
	}
	if r.l.pgVer < 1200 {
		for _, c := range at.Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_AttachPartition {
				mode = lockAccessExclusive // SHARE UPDATE EXCLUSIVE on the parent only from 12
			}
		}
	}
	r.lock(mode, t)
	existing := r.existing(t)
	if existing {
		r.lockTimeoutCheck(mode, t)
	}
	single := len(at.Cmds) == 1
	stmtSQL := strings.TrimSuffix(strings.TrimSpace(r.cur.text), ";")
	for _, c := range at.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		switch cmd.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			r.addColumn(t, mode, cmd.Def.GetColumnDef(), existing)
		case pg.AlterTableType_AT_SetNotNull:
			r.setNotNull(t, mode, cmd.Name, existing)
		case pg.AlterTableType_AT_DropColumn:
			if existing {
				r.online = onlineOp("drop_column", kv{"table", t}, kv{"column", cmd.Name})
				r.find("drop-column", mode, t, false, false,
					fmt.Sprintf("dropping %s.%s breaks every running query (and ORM model) that still reads it", t, cmd.Name),
					fmt.Sprintf(`-- contract step: deploy code that no longer reads %[2]s first (strata online op drop_column
-- {table: %[1]s, column: %[2]s} does it in two phases), then in its own migration:
-- strata:lint-ignore drop-column -- <release> stopped reading %[2]s
ALTER TABLE %[1]s DROP COLUMN %[2]s;`, t, cmd.Name))
			}
		case pg.AlterTableType_AT_AddConstraint:
			r.addConstraint(t, mode, cmd.Def.GetConstraint(), existing, single, stmtSQL)
		case pg.AlterTableType_AT_ValidateConstraint:
			r.validate(t, cmd.Name)
		case pg.AlterTableType_AT_AlterColumnType:
			r.alterType(t, mode, cmd.Name, cmd.Def.GetColumnDef(), existing)
		case pg.AlterTableType_AT_SetTableSpace, pg.AlterTableType_AT_SetLogged, pg.AlterTableType_AT_SetUnLogged, pg.AlterTableType_AT_SetAccessMethod:
			r.rewrites(t)
			if existing {
				what := map[pg.AlterTableType]string{pg.AlterTableType_AT_SetTableSpace: "SET TABLESPACE",
					pg.AlterTableType_AT_SetLogged: "SET LOGGED", pg.AlterTableType_AT_SetUnLogged: "SET UNLOGGED",
					pg.AlterTableType_AT_SetAccessMethod: "SET ACCESS METHOD"}[cmd.Subtype]
				r.find("table-rewrite", mode, t, true, true,
					fmt.Sprintf("%s rewrites %s under ACCESS EXCLUSIVE: reads and writes wait until the copy finishes", what, t),
					fmt.Sprintf("-- copy into a new table online instead (strata online op restructure_table {table: %s, ...}),\n-- or use pg_repack --table=%s for a tablespace move", t, t))
			}
		case pg.AlterTableType_AT_AttachPartition:
			pc := cmd.Def.GetPartitionCmd()
			if pc == nil {
				continue
			}
			part := relName(pc.Name)
			r.lock(lockAccessExclusive, part)
			if r.existing(part) {
				fix := fmt.Sprintf("-- first, in an earlier migration, add a CHECK matching the bound so the scan is skipped:\nALTER TABLE %[1]s ADD CONSTRAINT %[2]s_bound CHECK (<bound expression>) NOT VALID;\nALTER TABLE %[1]s VALIDATE CONSTRAINT %[2]s_bound;", part, lastName(part))
				pk := relKey(part)
				if r.checked[pk] || (r.prior != nil && r.prior.validated[pk]) {
					// A validated CHECK exists: PostgreSQL skips the scan
					// when it implies the bound, which is not proven here.
					r.emit(Finding{File: r.file, Line: r.cur.line, Col: r.cur.col, Rule: "attach-partition-scan", Severity: Warning,
						Lock: lockAccessExclusive.String(), Object: part,
						Message: fmt.Sprintf("ATTACH PARTITION skips the scan of %s only if its validated CHECK constraint implies the partition bound (including NOT NULL of the key)", part),
						Fix:     fix})
					continue
				}
				r.scans(part)
				r.find("attach-partition-scan", lockAccessExclusive, part, false, true,
					fmt.Sprintf("ATTACH PARTITION scans %s under ACCESS EXCLUSIVE to check the partition bound: queries on it wait", part), fix)
			}
		case pg.AlterTableType_AT_DetachPartition:
			pc := cmd.Def.GetPartitionCmd()
			if pc == nil {
				continue
			}
			if pc.Concurrent {
				r.nonTxCheck(n)
				continue
			}
			if existing {
				fix := fmt.Sprintf("-- strata:no-transaction\nALTER TABLE %s DETACH PARTITION %s CONCURRENTLY;", t, relName(pc.Name))
				if r.l.pgVer < 1400 {
					fix = "-- DETACH PARTITION ... CONCURRENTLY needs PostgreSQL 14; before it, run it under a short lock_timeout at a quiet time:\nSET lock_timeout = '2s';\n" + strings.TrimSuffix(strings.TrimSpace(r.cur.text), ";") + ";"
				}
				r.find("detach-partition-non-concurrent", lockAccessExclusive, t, false, false,
					fmt.Sprintf("DETACH PARTITION takes ACCESS EXCLUSIVE on %s: queries on every partition wait", t), fix)
			}
		}
	}
	_ = key
}

func lastName(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func (r *pgRun) addColumn(t string, mode lockMode, cd *pg.ColumnDef, existing bool) {
	if cd == nil {
		return
	}
	col := cd.Colname
	obj := t + "." + col
	r.colTypes[relKey(t)+"."+strings.ToLower(col)] = cd.TypeName
	tname, _ := typeName(cd.TypeName)
	serial := strings.Contains(tname, "serial")
	var def *pg.Node
	var notNull, identity, generated, pk, unique, check, fk bool
	for _, c := range cd.Constraints {
		con := c.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_DEFAULT:
			def = con.RawExpr
		case pg.ConstrType_CONSTR_NOTNULL:
			notNull = true
		case pg.ConstrType_CONSTR_IDENTITY:
			identity = true
		case pg.ConstrType_CONSTR_GENERATED:
			generated = true
		case pg.ConstrType_CONSTR_PRIMARY:
			pk = true
		case pg.ConstrType_CONSTR_UNIQUE:
			unique = true
		case pg.ConstrType_CONSTR_CHECK:
			check = true
		case pg.ConstrType_CONSTR_FOREIGN:
			fk = true
			if con.Pktable != nil {
				r.lock(lockShareRowExclusive, relName(con.Pktable))
			}
		}
	}
	if notNull || pk {
		// Already NOT NULL: a later SET NOT NULL is a no-op.
		r.validNN[relKey(t)+"."+strings.ToLower(col)] = true
	}
	if !existing {
		r.typeStyle(t, cd)
		return
	}
	typ := typeString(cd.TypeName)
	reported := false
	switch {
	case serial:
		reported = true
		r.rewrites(t)
		base := map[string]string{"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint", "smallserial": "smallint", "serial2": "smallint"}[tname]
		r.find("add-column-volatile-default", mode, t, true, true,
			fmt.Sprintf("adding %s as %s fills every existing row from a sequence (nextval is volatile): %s is rewritten under ACCESS EXCLUSIVE", obj, tname, t),
			fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
ALTER TABLE %[1]s ALTER COLUMN %[2]s ADD GENERATED BY DEFAULT AS IDENTITY;  -- new rows only, no rewrite
-- then backfill old rows in batches, each in its own transaction:
UPDATE %[1]s SET %[2]s = nextval(pg_get_serial_sequence('%[1]s', '%[2]s')) WHERE %[2]s IS NULL AND id >= $1 AND id < $1 + 5000;`, t, col, base))
	case identity || generated:
		reported = true
		r.rewrites(t)
		what := "GENERATED ... AS IDENTITY"
		fix := fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
ALTER TABLE %[1]s ALTER COLUMN %[2]s ADD GENERATED BY DEFAULT AS IDENTITY;  -- no rewrite; backfill old rows in batches`, t, col, typ)
		if generated {
			what = "GENERATED ALWAYS AS (...) STORED"
			fix = fmt.Sprintf(`-- add a plain column, fill new rows from a trigger, backfill old rows in batches
-- (strata online op add_column {table: %[1]s, column: {name: %[2]s, type: %[3]s, nullable: true}, up: <expression>}):
ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;`, t, col, typ)
		}
		r.find("add-column-generated", mode, t, true, true,
			fmt.Sprintf("adding %s as %s computes a value for every existing row: %s is rewritten under ACCESS EXCLUSIVE", obj, what, t), fix)
	case def != nil:
		if v, fn := volatile(def, r.userFuncs); v {
			reported = true
			r.rewrites(t)
			expr := deparseExpr(def)
			r.online = onlineOp("add_column", kv{"table", t},
				kv{"column", []kv{{"name", col}, {"type", typ}, {"nullable", !notNull}, {"default", expr}}}, kv{"up", expr})
			r.find("add-column-volatile-default", mode, t, true, true,
				fmt.Sprintf("the default %s is volatile, so every existing row gets its own value: %s is rewritten under ACCESS EXCLUSIVE", volatileWhat(expr, fn), t),
				fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
ALTER TABLE %[1]s ALTER COLUMN %[2]s SET DEFAULT %[4]s;  -- new rows only, no rewrite
-- then backfill old rows in batches, each in its own transaction (strata online op backfill):
UPDATE %[1]s SET %[2]s = %[4]s WHERE %[2]s IS NULL AND id >= $1 AND id < $1 + 5000;`, t, col, typ, expr))
		} else if r.l.pgVer < 1100 && !isNullConst(def) {
			reported = true
			r.rewrites(t)
			expr := deparseExpr(def)
			r.find("add-column-default-rewrite", mode, t, true, true,
				fmt.Sprintf("before PostgreSQL 11, ADD COLUMN with a default writes it into every row: %s is rewritten under ACCESS EXCLUSIVE", t),
				fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
ALTER TABLE %[1]s ALTER COLUMN %[2]s SET DEFAULT %[4]s;
-- then backfill old rows in batches:
UPDATE %[1]s SET %[2]s = %[4]s WHERE %[2]s IS NULL AND id >= $1 AND id < $1 + 5000;`, t, col, typ, expr))
		}
	}
	if notNull && def == nil && !identity && !generated && !serial {
		reported = true
		r.find("add-column-required", mode, t, false, false,
			fmt.Sprintf("adding %s NOT NULL without a default fails as soon as %s has a row", obj, t),
			fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s NOT NULL DEFAULT <value>;  -- a constant default adds no rewrite on PostgreSQL 11+", t, col, typ))
	}
	if pk || unique {
		reported = true
		r.scans(t)
		kind := "UNIQUE"
		if pk {
			kind = "PRIMARY KEY"
		}
		r.find("add-column-constraint", mode, t, false, true,
			fmt.Sprintf("the inline %s builds an index over all of %s while ACCESS EXCLUSIVE blocks reads and writes", kind, t),
			fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
-- then, in a no-transaction file:
CREATE UNIQUE INDEX CONCURRENTLY %[4]s_%[2]s_key ON %[1]s (%[2]s);
-- then: ALTER TABLE %[1]s ADD CONSTRAINT %[4]s_%[2]s_key %[5]s USING INDEX %[4]s_%[2]s_key;`, t, col, typ, lastName(t), kind))
	}
	if check {
		reported = true
		r.scans(t)
		r.find("add-column-constraint", mode, t, false, true,
			fmt.Sprintf("the inline CHECK is verified against every row of %s while ACCESS EXCLUSIVE blocks reads and writes", t),
			fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
ALTER TABLE %[1]s ADD CONSTRAINT %[4]s_%[2]s_check CHECK (<condition>) NOT VALID;
-- then, in a later migration: ALTER TABLE %[1]s VALIDATE CONSTRAINT %[4]s_%[2]s_check;`, t, col, typ, lastName(t)))
	}
	if fk && def != nil && !isNullConst(def) {
		r.scans(t)
		r.find("add-foreign-key", mode, t, false, true,
			fmt.Sprintf("the new column's default must be checked against the referenced table for every row of %s, blocking writes on both tables", t),
			fmt.Sprintf(`ALTER TABLE %[1]s ADD COLUMN %[2]s %[3]s;
ALTER TABLE %[1]s ADD CONSTRAINT %[4]s_%[2]s_fkey FOREIGN KEY (%[2]s) REFERENCES <table> NOT VALID;
-- then, in a later migration: ALTER TABLE %[1]s VALIDATE CONSTRAINT %[4]s_%[2]s_fkey;`, t, col, typ, lastName(t)))
	}
	_ = reported
	r.typeStyle(t, cd)
}

// volatileWhat names a volatile default for messages.
func volatileWhat(expr, fn string) string {
	if expr == fn+"()" {
		return expr
	}
	return expr + " (it calls " + fn + "())"
}

// fkAction maps pg_query's one-letter FK action to SQL.
func fkAction(a string) string {
	return map[string]string{"c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT", "r": "RESTRICT"}[a]
}

func isNullConst(n *pg.Node) bool {
	if n == nil {
		return true
	}
	if c := n.GetAConst(); c != nil {
		return c.Isnull
	}
	if tc := n.GetTypeCast(); tc != nil {
		return isNullConst(tc.Arg)
	}
	return false
}

func (r *pgRun) setNotNull(t string, mode lockMode, col string, existing bool) {
	if !existing {
		return
	}
	r.usesPrior = true
	k := relKey(t)
	lc := strings.ToLower(col)
	if r.l.pgVer >= 1200 {
		if r.validNN[k+"."+lc] || r.validated[k] || r.prior.has(k+"."+lc, k) {
			return
		}
		if at, ok := r.dropConsAt[k]; ok && at > r.cur.off && r.cur.off >= 0 {
			// The usual pattern: SET NOT NULL, then drop the CHECK that made it
			// instant (validated in an earlier migration).
			return
		}
	}
	r.scans(t)
	name := fmt.Sprintf("%s_%s_not_null", lastName(t), col)
	fix := fmt.Sprintf(`ALTER TABLE %[1]s ADD CONSTRAINT %[3]s CHECK (%[2]s IS NOT NULL) NOT VALID;
-- then, in a later migration (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):
ALTER TABLE %[1]s VALIDATE CONSTRAINT %[3]s;
ALTER TABLE %[1]s ALTER COLUMN %[2]s SET NOT NULL;  -- PostgreSQL 12+: uses the check, no scan
ALTER TABLE %[1]s DROP CONSTRAINT %[3]s;`, t, col, name)
	msg := fmt.Sprintf("SET NOT NULL on %s.%s scans the whole table under ACCESS EXCLUSIVE: reads and writes wait", t, col)
	if r.l.pgVer < 1200 {
		msg += " (before PostgreSQL 12 it always scans)"
		fix = fmt.Sprintf(`-- before PostgreSQL 12 SET NOT NULL always scans; keep a validated CHECK instead:
ALTER TABLE %[1]s ADD CONSTRAINT %[3]s CHECK (%[2]s IS NOT NULL) NOT VALID;
-- then, in a later migration:
ALTER TABLE %[1]s VALIDATE CONSTRAINT %[3]s;`, t, col, name)
	} else {
		msg += "; a validated CHECK (" + col + " IS NOT NULL) makes it instant"
	}
	r.online = onlineOp("set_not_null", kv{"table", t}, kv{"column", col})
	r.find("set-not-null", mode, t, false, true, msg, fix)
}

func (r *pgRun) addConstraint(t string, mode lockMode, con *pg.Constraint, existing, single bool, stmtSQL string) {
	if con == nil {
		return
	}
	k := relKey(t)
	cols := columnsOf(con.Keys)
	switch con.Contype {
	case pg.ConstrType_CONSTR_CHECK:
		nn := notNullColumn(con.RawExpr)
		if con.SkipValidation {
			r.notValid[k+"."+strings.ToLower(con.Conname)] = notValidCon{table: k, nnCol: nn, txID: r.txID}
			return
		}
		if nn != "" {
			r.validNN[k+"."+nn] = true
		}
		if !existing {
			return
		}
		r.scans(t)
		name := con.Conname
		if name == "" {
			name = lastName(t) + "_check"
		}
		fix := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s) NOT VALID;", t, name, deparseExpr(con.RawExpr))
		r.online = onlineOp("add_check", kv{"table", t}, kv{"name", name}, kv{"constraint", deparseExpr(con.RawExpr)})
		r.find("add-check-constraint", mode, t, false, true,
			fmt.Sprintf("ADD CHECK verifies every row of %s while ACCESS EXCLUSIVE blocks reads and writes", t),
			fix+fmt.Sprintf("\n-- then, in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on):\nALTER TABLE %s VALIDATE CONSTRAINT %s;", t, name))
	case pg.ConstrType_CONSTR_FOREIGN:
		ref := relName(con.Pktable)
		r.lock(lockShareRowExclusive, ref)
		if con.SkipValidation {
			r.notValid[k+"."+strings.ToLower(con.Conname)] = notValidCon{table: k, txID: r.txID, fk: true}
			return
		}
		if !existing {
			return
		}
		r.scans(t)
		fkCols := columnsOf(con.FkAttrs)
		name := con.Conname
		if name == "" {
			name = lastName(t) + "_" + strings.Join(fkCols, "_") + "_fkey"
		}
		fix := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s", t, name, strings.Join(fkCols, ", "), ref)
		if pk := columnsOf(con.PkAttrs); len(pk) > 0 {
			fix += " (" + strings.Join(pk, ", ") + ")"
		}
		if single && con.Conname != "" {
			fix = stmtSQL
		}
		fix += " NOT VALID;\n-- then, in a later migration (SHARE UPDATE EXCLUSIVE on " + t + ", ROW SHARE on " + ref + "):\nALTER TABLE " + t + " VALIDATE CONSTRAINT " + name + ";"
		refFields := []kv{{"table", ref}}
		if pk := columnsOf(con.PkAttrs); len(pk) > 0 {
			refFields = append(refFields, kv{"columns", pk})
		}
		fkOp := []kv{{"table", t}, {"name", name}, {"columns", fkCols}, {"references", refFields}}
		if a := fkAction(con.FkDelAction); a != "" {
			fkOp = append(fkOp, kv{"on_delete", a})
		}
		if len(columnsOf(con.PkAttrs)) > 0 { // the referenced key is needed
			r.online = onlineOp("add_foreign_key", fkOp...)
		}
		r.find("add-foreign-key", mode, t, false, true,
			fmt.Sprintf("ADD FOREIGN KEY checks every row of %s while SHARE ROW EXCLUSIVE blocks writes to %s and %s", t, t, ref), fix)
	case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY:
		kind := "UNIQUE"
		rule := "add-unique-constraint"
		if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
			kind, rule = "PRIMARY KEY", "add-primary-key"
		}
		if con.Indexname != "" || !existing {
			return
		}
		r.scans(t)
		name := con.Conname
		if name == "" {
			if kind == "UNIQUE" {
				name = lastName(t) + "_" + strings.Join(cols, "_") + "_key"
			} else {
				name = lastName(t) + "_pkey"
			}
		}
		fix := fmt.Sprintf(`-- in a file of its own:
-- strata:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY %[3]s ON %[1]s (%[2]s);
-- then, in the next migration:
ALTER TABLE %[1]s ADD CONSTRAINT %[3]s %[4]s USING INDEX %[3]s;`, t, strings.Join(cols, ", "), name, kind)
		msg := fmt.Sprintf("ADD %s builds a unique index over all of %s while ACCESS EXCLUSIVE blocks reads and writes", kind, t)
		if kind == "PRIMARY KEY" {
			msg = fmt.Sprintf("ADD PRIMARY KEY on existing table %s builds a unique index (and checks NOT NULL) while ACCESS EXCLUSIVE blocks reads and writes", t)
			fix = "-- make the columns NOT NULL first (validated CHECK, then SET NOT NULL)\n" + fix
		}
		r.find(rule, mode, t, false, true, msg, fix)
	case pg.ConstrType_CONSTR_EXCLUSION:
		if !existing {
			return
		}
		r.scans(t)
		r.find("add-exclusion-constraint", mode, t, false, true,
			fmt.Sprintf("ADD EXCLUDE builds an index over all of %s while ACCESS EXCLUSIVE blocks reads and writes", t),
			"-- there is no concurrent form: build the constraint on a new table and switch over\n-- (strata online op restructure_table), or enforce it with a trigger")
	}
}

func (r *pgRun) validate(t, name string) {
	k := relKey(t)
	r.scans(t)
	nv, known := r.notValid[k+"."+strings.ToLower(name)]
	if !known && r.prior != nil {
		nv, known = r.prior.notValid[k+"."+strings.ToLower(name)]
	}
	switch {
	case known && nv.nnCol != "":
		r.validNN[k+"."+nv.nnCol] = true
	case !known:
		r.validated[k] = true
	}
	if !known || !nv.fk {
		r.checked[k] = true
	}
	if !r.inTx || !r.existing(t) {
		return
	}
	held := r.txStrong[k]
	if known && nv.txID == r.txID && held < lockShareRowExclusive {
		held = lockShareRowExclusive
	}
	if held < lockShareRowExclusive {
		return
	}
	r.find("validate-in-transaction", held, t, false, true,
		fmt.Sprintf("VALIDATE CONSTRAINT %s scans %s while this transaction still holds %s on it from an earlier statement, which %s", name, t, held, held.blocks()),
		fmt.Sprintf("-- commit the ADD ... NOT VALID first: move this to the next migration (or run the file with -- strata:no-transaction)\nALTER TABLE %s VALIDATE CONSTRAINT %s;", t, name))
}

// alterType handles ALTER COLUMN ... TYPE.
func (r *pgRun) alterType(t string, mode lockMode, col string, cd *pg.ColumnDef, existing bool) {
	if cd == nil {
		return
	}
	key := relKey(t) + "." + strings.ToLower(col)
	old := r.colTypes[key]
	if old == nil && r.prior != nil {
		old = r.prior.colTypes[key]
	}
	if old == nil && r.l.given != nil {
		old = r.l.given.colTypes[key]
	}
	r.colTypes[key] = cd.TypeName
	if !existing {
		return
	}
	r.usesPrior = true
	// An explicit USING usually means a real conversion; "USING col::type"
	// is only known to be a no-op when the old type is.
	using := cd.RawDefault != nil && (old == nil || realUsing(cd.RawDefault, col))
	verdict, why := typeChange(old, cd.TypeName, using, r.l.pgVer, r.timeZone)
	if verdict == noRewrite {
		return
	}
	newT := typeString(cd.TypeName)
	fix := fmt.Sprintf(`-- expand/contract (strata online op alter_column {table: %[1]s, column: %[2]s, type: %[3]s}), or by hand:
ALTER TABLE %[1]s ADD COLUMN %[2]s_new %[3]s;
-- sync new writes with a trigger, backfill in batches:
UPDATE %[1]s SET %[2]s_new = %[2]s::%[3]s WHERE id >= $1 AND id < $1 + 5000;
-- then switch the code to %[2]s_new and drop %[2]s in a later contract migration`, t, col, newT)
	from := ""
	if old != nil {
		from = " from " + typeString(old)
	}
	switch verdict {
	case mayRewrite, unknownOld:
		// Not known to rewrite, not known not to: refused, since a rewrite
		// under ACCESS EXCLUSIVE takes the table down for its duration.
		r.online = onlineOp("alter_column", kv{"table", t}, kv{"column", col}, kv{"type", newT}, kv{"up", col + "::" + newT})
		r.find("alter-column-type", mode, t, false, false, fmt.Sprintf("changing %s.%s to %s %s", t, col, newT, why), fix)
		return
	case indexRebuild:
		indexed, known := r.l.indexed[key]
		if known && !indexed {
			return // no index to rebuild: a catalog change
		}
		if known {
			r.find("alter-column-type", mode, t, false, true,
				fmt.Sprintf("changing %s.%s%s to %s does not rewrite the table (%s), but rebuilds every index on the column, which are read in full while ACCESS EXCLUSIVE on %s blocks reads and writes", t, col, from, newT, why, t), fix)
			return
		}
		r.emit(Finding{File: r.file, Line: r.cur.line, Col: r.cur.col, Rule: "alter-column-type", Severity: Warning,
			Lock: mode.String(), Object: t,
			Message: fmt.Sprintf("changing %s.%s%s to %s does not rewrite the table (%s), but rebuilds every index on the column while it holds ACCESS EXCLUSIVE on %s", t, col, from, newT, why, t),
			Fix:     fix})
		return
	}
	r.rewrites(t)
	r.online = onlineOp("alter_column", kv{"table", t}, kv{"column", col}, kv{"type", newT}, kv{"up", col + "::" + newT})
	r.find("alter-column-type", mode, t, true, true,
		fmt.Sprintf("changing %s.%s to %s %s: %s and its indexes are rewritten under ACCESS EXCLUSIVE", t, col, newT, why, t), fix)
}

// realUsing reports whether a USING expression does more than the implicit
// conversion: "USING col" and "USING col::newtype" are what ALTER TYPE does
// anyway.
func realUsing(using *pg.Node, col string) bool {
	if using == nil {
		return false
	}
	n := using
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	if cr := n.GetColumnRef(); cr != nil && strings.EqualFold(columnRefName(cr), col) {
		return false
	}
	return true
}

type typeVerdict int

const (
	noRewrite    typeVerdict = iota
	indexRebuild             // no table rewrite, but indexes on the column are rebuilt
	mayRewrite               // depends on something the file does not say (the session TimeZone)
	unknownOld               // depends on the old type, which is not known
	rewrite
)

// Session TimeZone values with a fixed zero UTC offset, lower case: the
// ones under which PostgreSQL 12+ changes timestamp to timestamptz (and
// back) without a rewrite.
var utcZones = map[string]bool{
	"utc": true, "etc/utc": true, "uct": true, "etc/uct": true, "gmt": true, "etc/gmt": true,
	"etc/gmt+0": true, "etc/gmt-0": true, "etc/gmt0": true, "gmt0": true, "gmt+0": true, "gmt-0": true,
	"universal": true, "etc/universal": true, "zulu": true, "etc/zulu": true, "greenwich": true, "etc/greenwich": true,
	"0": true, "+0": true, "-0": true, "00:00": true, "+00:00": true, "-00:00": true, "+00": true, "-00": true,
}

// typeChange decides whether changing a column from old (nil: unknown) to
// new rewrites the table, as ALTER TABLE's length-coercion and
// binary-coercion rules do on PostgreSQL version ver (major*100+minor). tz is
// the session TimeZone the file sets ("" when it does not say). The rules
// were checked against PostgreSQL 15 (relfilenode of the table and of an
// index on the column before and after): see safe_type_* and unsafe_type_*
// in testdata/pg.
func typeChange(old, new *pg.TypeName, using bool, ver int, tz string) (typeVerdict, string) {
	if using {
		return rewrite, "with USING converts every value"
	}
	nn, nm := typeName(new)
	if old == nil {
		return unknownTypeChange(nn, nm, ver, tz)
	}
	on, om := typeName(old)
	if on == nn && (len(nm) == 0 || equalInts(om, nm)) {
		if nn == "bit" && len(nm) == 0 {
			return rewrite, "to bit(1) checks and pads every value"
		}
		return noRewrite, ""
	}
	from := typeString(old)
	str := func(n string) bool { return n == "text" || n == "varchar" || n == "citext" }
	switch {
	case str(on) && (nn == "text" || nn == "varchar" && len(nm) == 0):
		if on == "citext" {
			return indexRebuild, "citext is binary coercible to " + typeString(new) + ", which sorts with another operator class"
		}
		return noRewrite, ""
	case str(on) && nn == "citext":
		return indexRebuild, typeString(old) + " is binary coercible to citext, which sorts with another operator class"
	case nn == "varchar":
		if on == "varchar" && len(om) > 0 {
			if nm[0] < om[0] {
				return rewrite, fmt.Sprintf("from %s shortens the limit, so every value is checked and rewritten", from)
			}
			if ver < 902 {
				return rewrite, "(widening varchar rewrites before PostgreSQL 9.2)"
			}
			return noRewrite, ""
		}
		if str(on) {
			return rewrite, fmt.Sprintf("from %s checks every value against the new limit and rewrites the table", from)
		}
	case nn == "bpchar" && len(nm) == 0 && (on == "varchar" || on == "text"):
		return indexRebuild, typeString(old) + " is binary coercible to bpchar, which sorts with another operator class"
	case on == "numeric" && nn == "numeric":
		switch {
		case len(nm) == 0:
			return noRewrite, ""
		case len(om) == 0:
			return rewrite, fmt.Sprintf("from unconstrained numeric rounds every value to scale %d", scale(nm))
		case scale(om) != scale(nm):
			return rewrite, fmt.Sprintf("from %s changes the scale, so every value is rounded again", from)
		case nm[0] >= om[0]:
			return noRewrite, "" // a higher precision at the same scale: every value still fits
		}
		return rewrite, fmt.Sprintf("from %s lowers the precision, so every value is checked and rewritten", from)
	case (on == "timestamp" || on == "timestamptz") && (nn == "timestamp" || nn == "timestamptz"):
		if !temporalWidens(om, nm, 6) {
			return rewrite, fmt.Sprintf("from %s lowers the fractional-second precision, so every value is rounded", from)
		}
		if on == nn {
			return noRewrite, ""
		}
		if ver < 1200 {
			return rewrite, fmt.Sprintf("from %s converts every value (PostgreSQL before 12 always rewrites it)", from)
		}
		switch {
		case tz == "":
			return mayRewrite, fmt.Sprintf("from %s rewrites the table unless the session TimeZone is UTC, which is not known here (SET TimeZone = 'UTC' before it makes it so)", from)
		case utcZones[strings.ToLower(tz)]:
			return indexRebuild, "the session TimeZone is " + tz + ", so every value keeps its bits"
		}
		return rewrite, fmt.Sprintf("from %s converts every value (the session TimeZone is %s, not UTC)", from, tz)
	case on == nn && (nn == "time" || nn == "timetz"):
		if temporalWidens(om, nm, 6) {
			return noRewrite, ""
		}
		return rewrite, fmt.Sprintf("from %s lowers the fractional-second precision, so every value is rounded", from)
	case on == "interval" && nn == "interval":
		if intervalWidens(om, nm) {
			return noRewrite, ""
		}
		return rewrite, fmt.Sprintf("from %s restricts the fields or the precision, so every value is converted", from)
	case on == "varbit" && nn == "varbit":
		if len(om) > 0 && nm[0] >= om[0] {
			return noRewrite, ""
		}
		return rewrite, fmt.Sprintf("from %s checks every value against the new length", from)
	case on == "bit" && nn == "varbit" && len(nm) == 0:
		return indexRebuild, "bit is binary coercible to bit varying, which sorts with another operator class"
	case on == "cidr" && nn == "inet":
		return noRewrite, ""
	case on == "int4" && nn == "oid", on == "oid" && nn == "int4":
		return indexRebuild, typeString(old) + " is binary coercible to " + typeString(new) + ", which sorts with another operator class"
	case on == "xml" && (nn == "text" || nn == "varchar" && len(nm) == 0):
		return noRewrite, ""
	}
	return rewrite, fmt.Sprintf("from %s converts every value", from)
}

// unknownTypeChange judges a change whose old type is not known (not in
// the files linted, not given by the caller): nothing proves it does not
// rewrite, so it is refused, saying which old types would make it safe and
// how to give the old type.
func unknownTypeChange(nn string, nm []int, ver int, tz string) (typeVerdict, string) {
	const how = "; the old type is not known here: lint with --database (or --history), as strata up does from the database"
	switch nn {
	case "text", "citext":
		return unknownOld, "rewrites the table unless the old type is varchar or text" + how
	case "varchar":
		if ver < 902 {
			return rewrite, "(widening varchar rewrites before PostgreSQL 9.2)"
		}
		if len(nm) == 0 {
			return unknownOld, "rewrites the table unless the old type is varchar or text" + how
		}
		return unknownOld, fmt.Sprintf("rewrites the table unless the old type is varchar of at most %d characters", nm[0]) + how
	case "numeric":
		if len(nm) == 0 {
			return unknownOld, "rewrites the table unless the old type is numeric" + how
		}
		return unknownOld, fmt.Sprintf("rewrites the table unless the old type is a numeric of scale %d and precision at most %d", scale(nm), nm[0]) + how
	case "timestamptz":
		if ver < 1200 {
			return rewrite, "converts every value"
		}
		if tz != "" && !utcZones[strings.ToLower(tz)] {
			return rewrite, "converts every value (the session TimeZone is " + tz + ", not UTC)"
		}
		return unknownOld, "rewrites the table unless the old type is timestamp (or timestamptz) of no higher precision and the session TimeZone is UTC" + how
	case "bpchar", "timestamp", "time", "timetz", "interval", "varbit", "bit", "inet", "int4", "oid":
		// Types some other type is binary coercible to, or that only
		// change a typmod: it depends on the old type.
		return unknownOld, "rewrites the table unless the old type is binary coercible to it" + how
	}
	// No other type is binary coercible to the target: the change converts
	// every value (unless it changes nothing).
	return rewrite, "converts every value"
}

// temporalWidens reports whether a timestamp or time typmod change keeps
// every value (PostgreSQL's TemporalSimplify): no new limit, the largest
// one, or one at least the old.
func temporalWidens(om, nm []int, maxPrecision int) bool {
	return len(nm) == 0 || nm[0] >= maxPrecision || (len(om) > 0 && om[0] <= nm[0])
}

// intervalWidens reports whether an interval typmod change keeps every
// value: the new type has every field and no lower precision.
func intervalWidens(om, nm []int) bool {
	const fullRange = 32767
	if len(nm) == 0 {
		return true
	}
	if nm[0] != fullRange {
		return false
	}
	np, op := -1, -1
	if len(nm) > 1 {
		np = nm[1]
	}
	if len(om) > 1 {
		op = om[1]
	}
	return np == -1 || np >= 6 || (op != -1 && np >= op)
}

func scale(m []int) int {
	if len(m) >= 2 {
		return m[1]
	}
	return 0
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
