package lint

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// LiveColumns is what a database says about the columns a migration
// changes the type of, keyed "table.column" as the statements name them.
type LiveColumns struct {
	// Types is each column's type, as [Options.ColumnTypes] takes it.
	Types map[string]string
	// Indexed says whether an index of the table (the primary key's, a
	// unique constraint's or any other, on the column or on an expression
	// or predicate using it) covers the column, as [Options.IndexedColumns]
	// takes it.
	Indexed map[string]bool
}

// ReadLiveColumns reads from a PostgreSQL database, through d and q, the
// current type of each column whose type the given SQL changes (ALTER TABLE
// ... ALTER COLUMN ... TYPE) and whether an index covers it. Whether a type
// change rewrites the table depends on the old type, which a migration file
// rarely states, and a binary-coercible change still rebuilds the column's
// indexes: `strata up` reads both here so that a safe widening runs and a
// rewrite or a rebuild is refused. SQL that does not parse is skipped (the
// linter reports it), and so is a table the database does not have yet (an
// earlier migration of the same run may create it).
func ReadLiveColumns(ctx context.Context, d dialect.Describer, q dialect.Querier, sql ...string) (*LiveColumns, error) {
	want := retypedColumns(sql)
	out := &LiveColumns{Types: map[string]string{}, Indexed: map[string]bool{}}
	for _, t := range want {
		ti, err := d.DescribeTable(ctx, q, t.table)
		if errors.Is(err, dialect.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the column types of %s: %w", t.written, err)
		}
		for _, c := range t.columns {
			col, ok := ti.Column(c)
			if !ok || col.Type == "" {
				continue
			}
			out.Types[t.written+"."+c] = col.Type
			out.Indexed[t.written+"."+c] = indexCovers(ti, c)
		}
	}
	return out, nil
}

// indexCovers reports whether an index of ti uses column c.
func indexCovers(ti *dialect.TableInfo, c string) bool {
	has := func(cols []string) bool {
		for _, x := range cols {
			if strings.EqualFold(x, c) {
				return true
			}
		}
		return false
	}
	if has(ti.PrimaryKey) {
		return true
	}
	for _, u := range ti.Uniques {
		if has(u.Columns) {
			return true
		}
	}
	word := regexp.MustCompile(`(?i)(^|[^a-z0-9_$])"?` + regexp.QuoteMeta(c) + `"?($|[^a-z0-9_$])`)
	for _, ix := range ti.Indexes {
		if has(ix.ColumnNames()) || has(ix.Include) {
			return true
		}
		// An expression or a predicate: pg_get_indexdef's text after the
		// table name names every column the index uses.
		def := ix.Definition
		if i := strings.Index(def, " USING "); i >= 0 {
			def = def[i:]
		}
		if word.MatchString(def) || word.MatchString(ix.Predicate) {
			return true
		}
	}
	return false
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

// WithLive returns a Linter that also knows what lc (read with
// [ReadLiveColumns]) says about the columns; the database's word wins over
// Options.ColumnTypes and Options.IndexedColumns.
func (l *Linter) WithLive(lc *LiveColumns) (*Linter, error) {
	live, err := givenColumnTypes(lc.Types)
	if err != nil {
		return nil, err
	}
	cp := *l
	if live != nil {
		merged := newFacts()
		merged.merge(l.given)
		merged.merge(live)
		cp.given = merged
	}
	cp.indexed = map[string]bool{}
	for k, v := range l.indexed {
		cp.indexed[k] = v
	}
	for k, v := range indexedKeys(lc.Indexed) {
		cp.indexed[k] = v
	}
	return &cp, nil
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
	lc, err := ReadLiveColumns(ctx, d, q, sql...)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", sc.File, err)
	}
	if len(lc.Types) == 0 {
		return l.Inspect(ctx, m, sc)
	}
	cp, err := l.WithLive(lc)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", sc.File, err)
	}
	return cp.Inspect(ctx, m, sc)
}
