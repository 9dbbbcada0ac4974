package transfer

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"
)

// IndexesTable keeps the definitions of the secondary indexes and foreign
// keys defer_indexes dropped, until they are built again, so that a run
// killed in between rebuilds them on --resume.
const IndexesTable = "strata_transfer_indexes"

// deferIndexes drops the secondary indexes and foreign keys of an empty
// PostgreSQL target table, saving their definitions first. It returns a
// note for the report.
func (r *run) deferIndexes(ctx context.Context, m *mapping) (string, error) {
	if _, err := r.dst.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+IndexesTable+` (transfer text NOT NULL, tbl text NOT NULL, name text NOT NULL, kind text NOT NULL, def text NOT NULL, PRIMARY KEY (transfer, tbl, name))`); err != nil {
		return "", err
	}
	var saved int
	if err := r.dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+IndexesTable+" WHERE transfer = $1 AND tbl = $2", r.spec.Name, m.t.To).Scan(&saved); err != nil {
		return "", err
	}
	if saved > 0 {
		return fmt.Sprintf("%d deferred indexes and foreign keys are rebuilt after the copy", saved), nil // an earlier run dropped them
	}
	var rows int
	if err := r.dst.DB.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+qualify(m.t.To, r.dst.Dialect.Quote)+" LIMIT 1) x").Scan(&rows); err != nil {
		return "", err
	}
	if rows > 0 {
		return "defer_indexes: the target table is not empty, so its indexes stay and are maintained during the load", nil
	}
	tx, err := r.dst.DB.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	reg := qualify(m.t.To, r.dst.Dialect.Quote)
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+IndexesTable+` (transfer, tbl, name, kind, def)
		SELECT $1, $2, c.conname, 'fk', pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conrelid = $3::regclass AND c.contype = 'f'
		UNION ALL
		SELECT $1, $2, i.relname, 'index', pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		WHERE x.indrelid = $3::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
		r.spec.Name, m.t.To, reg); err != nil {
		return "", fmt.Errorf("defer_indexes: save definitions: %w", err)
	}
	rs, err := tx.QueryContext(ctx, "SELECT name, kind FROM "+IndexesTable+" WHERE transfer = $1 AND tbl = $2 ORDER BY kind", r.spec.Name, m.t.To)
	if err != nil {
		return "", err
	}
	var drops []string
	for rs.Next() {
		var name, kind string
		if err := rs.Scan(&name, &kind); err != nil {
			rs.Close()
			return "", err
		}
		q := r.dst.Dialect.Quote(name)
		if kind == "fk" {
			drops = append(drops, "ALTER TABLE "+reg+" DROP CONSTRAINT "+q)
		} else {
			schema, _ := splitName(m.t.To)
			if schema != "" {
				q = r.dst.Dialect.Quote(schema) + "." + q
			}
			drops = append(drops, "DROP INDEX "+q)
		}
	}
	rs.Close()
	for _, d := range drops {
		if _, err := tx.ExecContext(ctx, d); err != nil {
			return "", fmt.Errorf("defer_indexes: %s: %w", d, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	return fmt.Sprintf("defer_indexes: dropped %d secondary indexes and foreign keys for the load; they are rebuilt after it", len(drops)), nil
}

// rebuildIndexes builds the saved indexes again, several at once, then adds the foreign keys (NOT VALID, then VALIDATE), and
// forgets the definitions.
func (r *run) rebuildIndexes(ctx context.Context, m *mapping) error {
	rs, err := r.dst.DB.QueryContext(ctx, "SELECT name, kind, def FROM "+IndexesTable+" WHERE transfer = $1 AND tbl = $2", r.spec.Name, m.t.To)
	if err != nil {
		return err
	}
	type def struct{ name, kind, def string }
	var defs []def
	for rs.Next() {
		var d def
		if err := rs.Scan(&d.name, &d.kind, &d.def); err != nil {
			rs.Close()
			return err
		}
		defs = append(defs, d)
	}
	rs.Close()
	reg := qualify(m.t.To, r.dst.Dialect.Quote)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, r.workers))
	for _, d := range defs {
		if d.kind != "index" {
			continue
		}
		g.Go(func() error {
			// Plain CREATE INDEX, several at once: their SHARE locks do not
			// conflict, while two CREATE INDEX CONCURRENTLY on one table
			// wait for each other and deadlock. The table was empty when
			// the transfer started, so no application writes to it yet.
			stmt := strings.Replace(strings.Replace(d.def, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1), "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1)
			if _, err := r.dst.DB.ExecContext(gctx, stmt); err != nil {
				return fmt.Errorf("rebuild index %s: %w", d.name, err)
			}
			_, err := r.dst.DB.ExecContext(gctx, "DELETE FROM "+IndexesTable+" WHERE transfer = $1 AND tbl = $2 AND name = $3", r.spec.Name, m.t.To, d.name)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, d := range defs {
		if d.kind != "fk" {
			continue
		}
		q := r.dst.Dialect.Quote(d.name)
		for _, stmt := range []string{"ALTER TABLE " + reg + " ADD CONSTRAINT " + q + " " + d.def + " NOT VALID", "ALTER TABLE " + reg + " VALIDATE CONSTRAINT " + q} {
			if _, err := r.dst.DB.ExecContext(ctx, stmt); err != nil && !strings.Contains(err.Error(), "already exists") {
				return fmt.Errorf("rebuild foreign key %s: %w", d.name, err)
			}
		}
		if _, err := r.dst.DB.ExecContext(ctx, "DELETE FROM "+IndexesTable+" WHERE transfer = $1 AND tbl = $2 AND name = $3", r.spec.Name, m.t.To, d.name); err != nil {
			return err
		}
	}
	return nil
}
