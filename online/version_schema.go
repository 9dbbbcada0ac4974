package online

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// A version schema (strata_v<version>) holds one view per table showing the
// new shape of an expanded migration. It lives exactly as long as its
// migration is expanded: Start creates it, Complete and Abort drop it, and
// while two migrations are expanded each one's views are kept in step with
// what the other changes.

// createViews (re)creates the version schema from the final shape. Each
// view is created in a transaction of its own, which locks only its table
// (ACCESS SHARE), in a schema no reader knows; one last transaction, which
// locks no table, swaps that schema in under the version schema's name, so
// readers never see it half made.
func (x *Exec) createViews(ctx context.Context) error {
	x.final = nil
	s, err := x.finalShape(ctx)
	if err != nil {
		return err
	}
	build := x.ident(x.buildSchema())
	stmts := s.viewSQL(x.quoting, x.Schema(), x.buildSchema())
	if err := x.ddl(ctx, "", "DROP SCHEMA IF EXISTS "+build+" CASCADE", stmts[0]); err != nil {
		return err
	}
	for i, t := range s.tables {
		if err := x.ddl(ctx, t.Phys, stmts[i+1]); err != nil {
			return err
		}
	}
	return x.ddl(ctx, "", "DROP SCHEMA IF EXISTS "+x.ident(x.VersionSchema())+" CASCADE",
		"ALTER SCHEMA "+build+" RENAME TO "+x.ident(x.VersionSchema()))
}

// buildSchema is where createViews builds the version schema's views. Its
// name is not a version schema's (strata_v*), so no other migration takes
// it for one.
func (x *Exec) buildSchema() string { return truncName("_strata_build_v" + x.version) }

// releaseKeptViews, before Abort drops what this migration created, takes
// it out of the version schemas of other expanded migrations, whose views
// show every table of the schema as it physically is: the tables it created
// lose their view, and the views of the tables it added columns to are
// rebuilt without them, in one transaction.
func (x *Exec) releaseKeptViews(ctx context.Context) error {
	kept, err := x.keptVersionSchemas(ctx)
	if err != nil || len(kept) == 0 {
		return err
	}
	created := map[string]bool{}
	for _, t := range createdTables(x.m, x.version) {
		created[t] = true
	}
	added := map[string]map[string]bool{}
	for i, op := range x.m.Operations {
		if !x.st.Ops[i].Started {
			continue
		}
		switch o := op.(type) {
		case *CreateTable:
			created[o.Name] = true
		case *AddColumn:
			if added[o.Table] == nil {
				added[o.Table] = map[string]bool{}
			}
			added[o.Table][o.Column.Name] = true
		}
	}
	names := maps.Clone(created)
	for t := range added {
		names[t] = true
	}
	relations := x.tables(names)
	var stmts []string
	for _, k := range kept {
		views, err := x.eng.viewsOver(ctx, x.db(), k, relations)
		if err != nil {
			return err
		}
		for _, v := range views {
			if created[v] {
				stmts = append(stmts, "DROP VIEW IF EXISTS "+x.qualified(k, v))
				continue
			}
			cols, err := x.eng.viewColumns(ctx, x.db(), k, v)
			if err != nil {
				return err
			}
			var keep []string
			for _, c := range cols {
				if !added[v][c] {
					keep = append(keep, c)
				}
			}
			if len(keep) == len(cols) {
				continue
			}
			stmts = append(stmts, "DROP VIEW IF EXISTS "+x.qualified(k, v),
				fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM %s", x.qualified(k, v), x.list(keep), x.q(v)))
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	return x.ddl(ctx, "", stmts...)
}

// createdTables lists the tables an operation of m creates under a name of
// its own (restructure_table's copy), which m.Tables does not name.
func createdTables(m *Migration, version string) []string {
	var out []string
	for _, op := range m.Operations {
		if rt, ok := op.(*RestructureTable); ok {
			out = append(out, rt.newTable(version))
		}
	}
	return out
}

// tables returns the named tables of the migration's schema, sorted.
func (x *Exec) tables(names map[string]bool) []dialect.Table {
	out := make([]dialect.Table, 0, len(names))
	for _, n := range slices.Sorted(maps.Keys(names)) {
		out = append(out, x.table(n))
	}
	return out
}

// olderVersionSchemas lists the strata_v* schemas of versions before this
// one, except those of the versions in Runner.KeepVersions.
func (x *Exec) olderVersionSchemas(ctx context.Context) ([]string, error) {
	names, err := x.eng.versionSchemas(ctx, x.db())
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{x.VersionSchema(): true}
	for _, v := range x.r.KeepVersions {
		keep[VersionSchema(v)] = true
	}
	var out []string
	for _, n := range names {
		if !keep[n] && versionLess(strings.TrimPrefix(n, "strata_v"), x.version) {
			out = append(out, n)
		}
	}
	return out, nil
}

// keptVersionSchemas lists the version schemas of Runner.KeepVersions that
// exist.
func (x *Exec) keptVersionSchemas(ctx context.Context) ([]string, error) {
	names, err := x.eng.versionSchemas(ctx, x.db())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range x.r.KeepVersions {
		if v != x.version && slices.Contains(names, VersionSchema(v)) {
			out = append(out, VersionSchema(v))
		}
	}
	return out, nil
}

func versionLess(a, b string) bool {
	ai, aerr := strconv.ParseUint(a, 10, 64)
	bi, berr := strconv.ParseUint(b, 10, 64)
	if aerr == nil && berr == nil {
		return ai < bi
	}
	return a < b
}
