package online

import (
	"context"
	"fmt"
	"strings"
)

// dualWrite is a BEFORE INSERT OR UPDATE row trigger that keeps the old and
// the new shape of a table in step. Which branch runs depends on the
// writer: a session whose current schema is the version schema writes
// through the new shape's views, any other writes the physical table (the
// old shape). Backfill sessions (strata.backfill = on) skip it: they set
// the same columns with the same expressions themselves.
type dualWrite struct {
	name  string // trigger and function name
	table string // physical table
	// oldBody runs for old-shape writers. Variables named after the old
	// shape's columns hold the row's values.
	oldBody string
	// newBody runs for new-shape writers. Variables named after the new
	// shape's columns hold the row's values.
	newBody string
}

// installTrigger creates or replaces t's function and trigger.
func (x *Exec) installTrigger(ctx context.Context, t dualWrite) error {
	cols, err := x.columns(ctx, t.table)
	if err != nil {
		return err
	}
	final, err := x.finalShape(ctx)
	if err != nil {
		return err
	}
	var oldDecl, newDecl []string
	for _, c := range cols {
		if isInternal(c.Name) {
			continue
		}
		oldDecl = append(oldDecl, fmt.Sprintf("%s %s := NEW.%s;", x.ident(c.Name), c.Type, x.ident(c.Name)))
	}
	for _, tm := range final.tables {
		if tm.Phys != t.table {
			continue
		}
		for _, c := range tm.Cols {
			typ := c.Type
			if pc, ok := findColumn(cols, c.Phys); ok {
				typ = pc.Type
			}
			newDecl = append(newDecl, fmt.Sprintf("%s %s := NEW.%s;", x.ident(c.Name), typ, x.ident(c.Phys)))
		}
	}
	branch := func(decl []string, body string) string {
		if strings.TrimSpace(body) == "" {
			return "NULL;"
		}
		return fmt.Sprintf("DECLARE\n      %s\n    BEGIN\n      %s\n    END;", strings.Join(decl, "\n      "), body)
	}
	fn := x.qualified(x.Schema(), t.name)
	body := fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $strata$
BEGIN
  IF current_schema() = %s THEN
    %s
  ELSE
    %s
  END IF;
  RETURN NEW;
END
$strata$`, fn, x.literal(x.VersionSchema()), branch(newDecl, t.newBody), branch(oldDecl, t.oldBody))
	// The WHEN clause skips backfill sessions without calling PL/pgSQL at
	// all, which keeps the per-row cost of a backfill down.
	trg := fmt.Sprintf("CREATE OR REPLACE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW WHEN (current_setting('strata.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION %s()",
		x.ident(t.name), x.q(t.table), fn)
	// The function first, in a transaction of its own that locks no table;
	// then the trigger alone, whose SHARE ROW EXCLUSIVE lock stops the
	// table's writers for as long as its transaction lasts.
	if err := x.ddl(ctx, "", body); err != nil {
		return err
	}
	return x.ddl(ctx, t.table, trg)
}

// contractTrigger removes a dualWrite trigger at Complete: the trigger in
// the cut-over transaction, its function after it, outside the
// transaction that holds the table's lock.
func (x *Exec) contractTrigger(name, table string) {
	x.contractSQL(x.dropTriggerSQL(name, table))
	x.afterSQL(table, x.dropFunctionSQL(name))
}

func (x *Exec) dropTriggerSQL(name, table string) string {
	return fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", x.ident(name), x.q(table))
}

func (x *Exec) dropFunctionSQL(name string) string {
	return fmt.Sprintf("DROP FUNCTION IF EXISTS %s()", x.qualified(x.Schema(), name))
}

// dropTrigger removes a dualWrite trigger, for abort: the trigger, then its
// function in a transaction of its own.
func (x *Exec) dropTrigger(ctx context.Context, name, table string) error {
	ok, err := x.tableExists(ctx, table)
	if err != nil {
		return err
	}
	if ok {
		if err := x.ddl(ctx, table, x.dropTriggerSQL(name, table)); err != nil {
			return err
		}
	}
	return x.ddl(ctx, "", x.dropFunctionSQL(name))
}
