package online

import (
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// copyTrigger is an AFTER INSERT OR UPDATE OR DELETE row trigger that
// copies each change of one table into another through expressions over
// the source row: restructure_table's sync, in either direction. A write
// the trigger makes sets strata.sync for its own duration, and the
// triggers skip writes made while it is set, so two triggers copying in
// opposite directions do not echo each other.
type copyTrigger struct {
	name   string           // trigger and function name
	source string           // table the trigger is on
	src    []dialect.Column // source columns, the variables the expressions see
	target string           // table written
	// keys are the target's key columns, with their types and the
	// expressions that compute them from a source row.
	keys, keyTypes, keyExprs []string
	// cols and vals are the target columns written and their expressions.
	cols, vals []string
	conflict   string // the target's primary key constraint
	set        string // ON CONFLICT action
}

func (c *copyTrigger) sql(w quoting, schema string) []string {
	decl := func(rec string) string {
		d := make([]string, len(c.src))
		for i, s := range c.src {
			d[i] = fmt.Sprintf("%s %s := %s.%s;", w.ident(s.Name), s.Type, rec, w.ident(s.Name))
		}
		return strings.Join(d, "\n      ")
	}
	var vars, oldKeys, newKeys, okList, nkList, cond []string
	for i, k := range c.keys {
		vars = append(vars, fmt.Sprintf("_strata_ok%d %s;\n  _strata_nk%d %s;", i+1, c.keyTypes[i], i+1, c.keyTypes[i]))
		oldKeys = append(oldKeys, fmt.Sprintf("_strata_ok%d := (%s);", i+1, c.keyExprs[i]))
		newKeys = append(newKeys, fmt.Sprintf("_strata_nk%d := (%s);", i+1, c.keyExprs[i]))
		okList = append(okList, fmt.Sprintf("_strata_ok%d", i+1))
		nkList = append(nkList, fmt.Sprintf("_strata_nk%d", i+1))
		cond = append(cond, fmt.Sprintf("_t.%s = _strata_ok%d", w.ident(k), i+1))
	}
	vals := make([]string, len(c.vals))
	copy(vals, c.vals)
	fn := w.qualified(schema, c.name)
	body := fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $strata$
DECLARE
  %s
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DECLARE
      %s
    BEGIN
      %s
    END;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DECLARE
      %s
    BEGIN
      %s
    END;
  END IF;
  PERFORM set_config('strata.sync', 'on', true);
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (%s) IS DISTINCT FROM (%s)) THEN
    DELETE FROM %s AS _t WHERE %s;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DECLARE
      %s
    BEGIN
      INSERT INTO %s (%s) VALUES (%s) ON CONFLICT ON CONSTRAINT %s %s;
    END;
  END IF;
  PERFORM set_config('strata.sync', '', true);
  RETURN NULL;
END
$strata$`, fn, strings.Join(vars, "\n  "),
		decl("OLD"), strings.Join(oldKeys, " "),
		decl("NEW"), strings.Join(newKeys, " "),
		strings.Join(okList, ", "), strings.Join(nkList, ", "),
		w.qualified(schema, c.target), strings.Join(cond, " AND "),
		decl("NEW"), w.qualified(schema, c.target), w.list(c.cols), strings.Join(vals, ", "), w.ident(c.conflict), c.set)
	trg := fmt.Sprintf("CREATE OR REPLACE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW WHEN (current_setting('strata.sync', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION %s()",
		w.ident(c.name), w.qualified(schema, c.source), fn)
	return []string{body, trg}
}
