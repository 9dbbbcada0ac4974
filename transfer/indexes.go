package transfer

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/strata-db/strata/dialect"
)

// IndexesTable keeps the definitions of the indexes, unique constraints
// and foreign keys built after a table's load (those defer_indexes
// dropped, and those create: true carries), until they are built, so that
// a run killed in between builds them on --resume.
const IndexesTable = "strata_transfer_indexes"

func indexesDef() tableDef {
	return tableDef{name: IndexesTable, pk: []string{"transfer", "tbl", "name"}, cols: []colSpec{
		nameCol("transfer"), nameCol("tbl"), nameCol("name"),
		{Column: Column{Name: "kind", Kind: KVarchar, Length: 16}}, textCol("def"),
	}}
}

// indexDef is an index to create.
type indexDef struct {
	name   string
	table  string // qualified and quoted
	unique bool
	parts  []string // key parts, quoted: "email" DESC, (lower(name))
	// method, include and where are PostgreSQL's USING, INCLUDE and a
	// partial index's predicate.
	method  string
	include []string
	where   string
}

// saveDefs records what is built after table's load, in place of what an
// earlier attempt recorded.
func (r *run) saveDefs(ctx context.Context, table string, defs []savedDef) error {
	if len(defs) == 0 {
		return nil
	}
	if err := r.ensure(ctx, indexesDef()); err != nil {
		return err
	}
	tx, err := r.dst.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+IndexesTable+" WHERE transfer = "+r.dst.ph(1)+" AND tbl = "+r.dst.ph(2), r.spec.Name, table); err != nil {
		return fmt.Errorf("save the definitions of %s: %w", table, err)
	}
	for _, d := range defs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+IndexesTable+" (transfer, tbl, name, kind, def) VALUES ("+r.dst.phs(1, 5)+")", r.spec.Name, table, d.name, d.kind, d.def); err != nil {
			return fmt.Errorf("save the definition of %s: %w", d.name, err)
		}
	}
	return tx.Commit()
}

// savedDefs reads what waits to be built for table: foreign keys (fk) or
// the rest. No IndexesTable means nothing waits.
func (r *run) savedDefs(ctx context.Context, table string, fk bool) ([]savedDef, error) {
	rows, err := r.dst.DB.QueryContext(ctx, "SELECT name, kind, def FROM "+IndexesTable+" WHERE transfer = "+r.dst.ph(1)+" AND tbl = "+r.dst.ph(2)+" ORDER BY kind, name", r.spec.Name, table)
	if class, _ := r.dst.Dialect.Classify(err); class == dialect.MissingObject {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", IndexesTable, err)
	}
	defer rows.Close()
	var defs []savedDef
	for rows.Next() {
		var d savedDef
		if err := rows.Scan(&d.name, &d.kind, &d.def); err != nil {
			return nil, fmt.Errorf("read %s: %w", IndexesTable, err)
		}
		if (d.kind == defFK) == fk {
			defs = append(defs, d)
		}
	}
	return defs, rows.Err()
}

func (r *run) forgetDef(ctx context.Context, table, name string) error {
	_, err := r.dst.DB.ExecContext(ctx, "DELETE FROM "+IndexesTable+" WHERE transfer = "+r.dst.ph(1)+" AND tbl = "+r.dst.ph(2)+" AND name = "+r.dst.ph(3), r.spec.Name, table, name)
	return err
}

// deferIndexes drops the secondary indexes and foreign keys of an empty
// target table, saving their definitions first. It returns a note for
// the report.
func (r *run) deferIndexes(ctx context.Context, m *mapping) (string, error) {
	saved, err := r.savedDefs(ctx, m.t.To, false)
	if err != nil {
		return "", err
	}
	fks, err := r.savedDefs(ctx, m.t.To, true)
	if err != nil {
		return "", err
	}
	if n := len(saved) + len(fks); n > 0 {
		return fmt.Sprintf("%d deferred indexes and foreign keys are rebuilt after the copy", n), nil // an earlier run dropped them
	}
	var rows int
	if err := r.dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+r.dst.quote(m.t.To)+" LIMIT 1) x").Scan(&rows); err != nil {
		return "", err
	}
	if rows > 0 || m.target.def == nil {
		return "defer_indexes: the target table is not empty, so its indexes stay and are maintained during the load", nil
	}
	var defs []savedDef
	var drops []string
	table := r.dst.quote(m.t.To)
	schema, _ := splitName(m.t.To)
	for _, fk := range m.target.def.ForeignKeys {
		defs = append(defs, savedDef{name: fk.Name, kind: defFK, def: fk.Definition})
		drops = append(drops, r.dst.eng.dropSQL(table, schema, fk.Name, true))
	}
	for _, ix := range m.target.def.Indexes {
		if !ix.Constraint {
			defs = append(defs, savedDef{name: ix.Name, kind: defIndex, def: ix.Definition})
			drops = append(drops, r.dst.eng.dropSQL(table, schema, ix.Name, false))
		}
	}
	if err := r.saveDefs(ctx, m.t.To, defs); err != nil {
		return "", fmt.Errorf("defer_indexes: %w", err)
	}
	for _, d := range drops {
		if _, err := r.dst.DB.ExecContext(ctx, d); err != nil {
			return "", fmt.Errorf("defer_indexes: %s: %w (the definitions are saved in %s and built after the copy)", d, err, IndexesTable)
		}
	}
	return fmt.Sprintf("defer_indexes: dropped %d secondary indexes and foreign keys for the load; they are rebuilt after it", len(drops)), nil
}

// rebuildIndexes builds the saved indexes of the mapping's table, several
// at once, then makes the unique ones constraints where the engine tells
// them apart, forgetting each definition once it is built.
func (r *run) rebuildIndexes(ctx context.Context, m *mapping) error {
	defs, err := r.savedDefs(ctx, m.t.To, false)
	if err != nil || len(defs) == 0 {
		return err
	}
	ti, err := r.dst.describe(ctx, m.t.To)
	if err != nil || ti == nil {
		return fmt.Errorf("describe %s: %v", m.t.To, err)
	}
	have := map[string]bool{}
	for _, ix := range ti.def.Indexes {
		have[ix.Name] = true
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, r.workers))
	for _, d := range defs {
		if have[d.name] {
			continue
		}
		g.Go(func() error {
			// Plain CREATE INDEX, several at once: their SHARE locks do not
			// conflict, while two CREATE INDEX CONCURRENTLY on one table
			// wait for each other and deadlock. The table was empty when
			// the transfer started, so no application writes to it yet.
			if _, err := r.dst.DB.ExecContext(gctx, d.def); err != nil {
				return fmt.Errorf("build index %s: %w (its definition stays in %s; run again with --resume)", d.name, err, IndexesTable)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	constraints := map[string]bool{}
	for _, u := range ti.def.Uniques {
		constraints[u.Name] = true
	}
	for _, d := range defs {
		if stmt := r.dst.eng.uniqueSQL(r.dst.quote(m.t.To), d.name); d.kind == defUnique && stmt != "" && !constraints[d.name] {
			if _, err := r.dst.DB.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("unique constraint %s: %w", d.name, err)
			}
		}
		if err := r.forgetDef(ctx, m.t.To, d.name); err != nil {
			return err
		}
	}
	return nil
}

// foreignKeys adds the saved foreign keys of table t, once every table of
// the spec is copied, so that a key may point to a table the spec copies
// after t. PostgreSQL adds each NOT VALID and validates it apart.
func (r *run) foreignKeys(ctx context.Context, t *Table) error {
	defs, err := r.savedDefs(ctx, t.To, true)
	if err != nil || len(defs) == 0 {
		return err
	}
	ti, err := r.dst.describe(ctx, t.To)
	if err != nil || ti == nil {
		return fmt.Errorf("describe %s: %v", t.To, err)
	}
	table := r.dst.quote(t.To)
	for _, d := range defs {
		var existing *dialect.ForeignKey
		for i, fk := range ti.def.ForeignKeys {
			if fk.Name == d.name {
				existing = &ti.def.ForeignKeys[i]
			}
		}
		for _, stmt := range r.dst.eng.foreignKeySQL(table, d.name, d.def, existing) {
			if _, err := r.dst.DB.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("foreign key %s: %w (fix the rows it refuses, then run again with --resume: its definition stays in %s)", d.name, err, IndexesTable)
			}
		}
		if err := r.forgetDef(ctx, t.To, d.name); err != nil {
			return err
		}
	}
	return nil
}
