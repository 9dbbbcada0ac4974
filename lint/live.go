package lint

import (
	"context"
	"errors"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// LiveColumnTypes reads from a PostgreSQL database, through d and q, the
// current types of the columns whose type the given SQL changes (ALTER
// TABLE ... ALTER COLUMN ... TYPE), keyed as [Options.ColumnTypes] takes
// them. Whether a type change rewrites the table depends on the old type,
// which a migration file rarely states: `strata up` reads it here so that a
// safe widening runs and a rewrite is refused. SQL that does not parse is
// skipped (the linter reports it), and so is a table the database does not
// have yet (an earlier migration of the same run may create it).
func LiveColumnTypes(ctx context.Context, d dialect.Describer, q dialect.Querier, sql ...string) (map[string]string, error) {
	want := retypedColumns(sql)
	if len(want) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, t := range want {
		ti, err := d.DescribeTable(ctx, q, t.table)
		if errors.Is(err, dialect.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the column types of %s: %w", t.written, err)
		}
		for _, c := range t.columns {
			if col, ok := ti.Column(c); ok && col.Type != "" {
				out[t.written+"."+c] = col.Type
			}
		}
	}
	return out, nil
}

// retyped is a table some statement changes the type of columns of.
type retyped struct {
	table   dialect.Table
	written string // as the statements name it, the key Options.ColumnTypes uses
	columns []string
}

// retypedColumns lists, in order of appearance, the tables and columns
// whose type the statements change.
func retypedColumns(sql []string) []*retyped {
	var out []*retyped
	byKey := map[string]*retyped{}
	for _, s := range sql {
		if !strings.Contains(strings.ToUpper(s), "TYPE") {
			continue // cheap: most statements change no type
		}
		res, err := pgParse(s)
		if err != nil {
			continue
		}
		for _, rs := range res.Stmts {
			at := rs.Stmt.GetAlterTableStmt()
			if at == nil || at.Objtype != pg.ObjectType_OBJECT_TABLE || at.Relation == nil {
				continue
			}
			for _, c := range at.Cmds {
				cmd := c.GetAlterTableCmd()
				if cmd == nil || cmd.Subtype != pg.AlterTableType_AT_AlterColumnType {
					continue
				}
				name := relName(at.Relation)
				t := byKey[relKey(name)]
				if t == nil {
					t = &retyped{table: dialect.Table{Schema: at.Relation.Schemaname, Name: at.Relation.Relname}, written: name}
					byKey[relKey(name)] = t
					out = append(out, t)
				}
				t.columns = append(t.columns, cmd.Name)
			}
		}
	}
	return out
}

// InspectLive is [Linter.Inspect] with the old type of every column the
// script changes the type of read from the database through d and q (see
// [LiveColumnTypes]): the safety gate of `strata up` judges each type
// change from the column's real type, not from a guess. It reads nothing
// for a MySQL linter, whose rules do not depend on the old type.
func (l *Linter) InspectLive(ctx context.Context, d dialect.Describer, q dialect.Querier, m *migrate.Migration, sc *migrate.Script) ([]migrate.Finding, error) {
	if l.opts.Engine != Postgres {
		return l.Inspect(ctx, m, sc)
	}
	sql := make([]string, len(sc.Statements))
	for i, st := range sc.Statements {
		sql[i] = st.SQL
	}
	types, err := LiveColumnTypes(ctx, d, q, sql...)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", sc.File, err)
	}
	live, err := givenColumnTypes(types)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", sc.File, err)
	}
	if live == nil {
		return l.Inspect(ctx, m, sc)
	}
	cp := *l
	if l.given != nil {
		merged := newFacts()
		merged.merge(l.given)
		merged.merge(live) // the database's word wins
		live = merged
	}
	cp.given = live
	return cp.Inspect(ctx, m, sc)
}
