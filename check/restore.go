package check

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// CatalogTable records the restore points: which table of which migration
// was copied where.
const CatalogTable = "strata_restore_points"

// RestoreBatch is the key width of one INSERT when a table with an integer
// primary key is copied.
const RestoreBatch = 100_000

// Copy is one table of a restore point.
type Copy struct {
	Version   string    `json:"version"`
	Table     string    `json:"table"`
	CopyName  string    `json:"copy"`
	Rows      int64     `json:"rows"`
	CreatedAt time.Time `json:"created_at"`
}

// RestorePoints keeps copies of tables taken before a migration that cannot
// be rolled back by a transaction (-- strata:restore-point t1,t2, or
// restore_point: in YAML), in the same database and schema as each table,
// named strata_rp_VERSION_TABLE, and recorded in [CatalogTable]. Safe for
// concurrent use; the runner's lock keeps two runs from copying at once.
type RestorePoints struct {
	d dialect.Dialect
}

// NewRestorePoints returns the restore points of a database of dialect d.
func NewRestorePoints(d dialect.Dialect) (*RestorePoints, error) {
	if d == nil {
		return nil, errNoDialect
	}
	return &RestorePoints{d: d}, nil
}

func (r *RestorePoints) q(name string) string { return tableOf(name).Qualified(r.d) }

func (r *RestorePoints) ensure(ctx context.Context, q Querier) error {
	_, err := q.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+r.q(CatalogTable)+
		" (version varchar(64) NOT NULL, table_name varchar(255) NOT NULL, copy_name varchar(255) NOT NULL, row_count bigint NOT NULL, created_at varchar(40) NOT NULL, PRIMARY KEY (version, table_name))")
	if err != nil {
		return fmt.Errorf("create %s: %w", CatalogTable, err)
	}
	return nil
}

// copyName is strata_rp_<version>_<table> in the table's schema, cut to
// the 63 characters PostgreSQL allows.
func copyName(version, table string) string {
	schema, name, ok := strings.Cut(table, ".")
	if !ok {
		schema, name = "", table
	}
	v := strings.NewReplacer(".", "_", "-", "_").Replace(version)
	c := "strata_rp_" + v + "_" + name
	if len(c) > 63 {
		c = c[:63]
	}
	if schema != "" {
		return schema + "." + c
	}
	return c
}

// Create copies tables for version before its migration runs, replacing
// an earlier restore point of the same version. Tables with a one-column
// integer primary key are copied in key ranges of [RestoreBatch].
func (r *RestorePoints) Create(ctx context.Context, q Querier, version string, tables []string) ([]Copy, error) {
	if err := r.ensure(ctx, q); err != nil {
		return nil, err
	}
	var out []Copy
	for _, t := range tables {
		c := Copy{Version: version, Table: t, CopyName: copyName(version, t), CreatedAt: time.Now().UTC()}
		if err := r.dropCopy(ctx, q, version, t, c.CopyName); err != nil {
			return out, err
		}
		n, err := r.copyTable(ctx, q, t, c.CopyName)
		if err != nil {
			return out, fmt.Errorf("restore point of %s: copy %s to %s: %w", version, t, c.CopyName, err)
		}
		c.Rows = n
		if _, err := q.ExecContext(ctx, "INSERT INTO "+r.q(CatalogTable)+" (version, table_name, copy_name, row_count, created_at) VALUES ("+placeholders(r.d, 5)+")",
			version, t, c.CopyName, n, formatTime(c.CreatedAt)); err != nil {
			return out, fmt.Errorf("record restore point of %s: %w", version, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// copyTable copies table to a new table cp, in key ranges when the table
// has a one-column integer primary key, and returns the rows copied.
func (r *RestorePoints) copyTable(ctx context.Context, q Querier, table, cp string) (int64, error) {
	create, err := r.createCopy(ctx, q, table, cp)
	if err != nil {
		return 0, err
	}
	if _, err := q.ExecContext(ctx, create); err != nil {
		return 0, err
	}
	ins := "INSERT INTO " + r.q(cp) + " SELECT * FROM " + r.q(table)
	run := &runner{q: q, d: r.d}
	if pk, _ := run.primaryKey(ctx, table); len(pk) == 1 {
		k := r.d.Quote(pk[0])
		var lo, hi sql.NullInt64
		if err := q.QueryRowContext(ctx, "SELECT min("+k+"), max("+k+") FROM "+r.q(table)).Scan(&lo, &hi); err == nil {
			return r.copyRanges(ctx, q, ins, k, lo, hi)
		}
	}
	return rowsAffected(q.ExecContext(ctx, ins))
}

// createCopy is the statement that creates cp with table's columns and no
// rows. MySQL and MariaDB copy the definition with CREATE TABLE … LIKE,
// which keeps every column's exact type and which MySQL allows under GTID
// consistency, where CREATE TABLE … SELECT was refused before 8.0.21.
func (r *RestorePoints) createCopy(ctx context.Context, q Querier, table, cp string) (string, error) {
	v, err := r.d.ServerVersion(ctx, q)
	if err != nil {
		return "", err
	}
	if v.Flavor == dialect.MySQL || v.Flavor == dialect.MariaDB {
		return "CREATE TABLE " + r.q(cp) + " LIKE " + r.q(table), nil
	}
	return "CREATE TABLE " + r.q(cp) + " AS SELECT * FROM " + r.q(table) + " WHERE 1 = 0", nil
}

// copyRanges runs ins (an INSERT … SELECT) over the key k from lo to hi in
// batches of [RestoreBatch] keys.
func (r *RestorePoints) copyRanges(ctx context.Context, q Querier, ins, k string, lo, hi sql.NullInt64) (int64, error) {
	var n int64
	if !lo.Valid {
		return 0, nil
	}
	for a := lo.Int64; a <= hi.Int64; a += RestoreBatch {
		c, err := rowsAffected(q.ExecContext(ctx, fmt.Sprintf("%s WHERE %s >= %d AND %s < %d", ins, k, a, k, a+RestoreBatch)))
		if err != nil {
			return n, err
		}
		n += c
	}
	return n, nil
}

// rowsAffected is an ExecContext's row count, or its error.
func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (r *RestorePoints) dropCopy(ctx context.Context, q Querier, version, table, cp string) error {
	if _, err := q.ExecContext(ctx, "DROP TABLE IF EXISTS "+r.q(cp)); err != nil {
		return fmt.Errorf("drop %s: %w", cp, err)
	}
	_, err := q.ExecContext(ctx, "DELETE FROM "+r.q(CatalogTable)+" WHERE version = "+r.d.Placeholder(1)+" AND table_name = "+r.d.Placeholder(2), version, table)
	return err
}

// List returns the restore points, oldest first; version "" lists all.
func (r *RestorePoints) List(ctx context.Context, q Querier, version string) ([]Copy, error) {
	if err := r.ensure(ctx, q); err != nil {
		return nil, err
	}
	query := "SELECT version, table_name, copy_name, row_count, created_at FROM " + r.q(CatalogTable)
	var args []any
	if version != "" {
		query += " WHERE version = " + r.d.Placeholder(1)
		args = append(args, version)
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY created_at, table_name", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Copy
	for rows.Next() {
		var c Copy
		var at string
		if err := rows.Scan(&c.Version, &c.Table, &c.CopyName, &c.Rows, &at); err != nil {
			return nil, err
		}
		c.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, c)
	}
	// Rows written before created_at had a fixed width sort wrongly as
	// text ("…:00Z" after "…:00.1Z"): order by the time itself.
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, rows.Err()
}

// ErrNoRestorePoint is returned by Restore for a version without one.
var ErrNoRestorePoint = errors.New("no restore point")

// Restore puts back the rows of every table of version's restore point, in
// one transaction: each table is emptied and refilled from its copy (its
// indexes, constraints and grants stay). A table the migration dropped is
// recreated from the copy. The schema is not touched otherwise: a column
// the copy has and the table lost is an error (undo the migration first).
func (r *RestorePoints) Restore(ctx context.Context, db *sql.DB, version string) ([]Copy, error) {
	cps, err := r.List(ctx, db, version)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, fmt.Errorf("%w for version %s (see `strata restore --list`)", ErrNoRestorePoint, version)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, c := range cps {
		if err := r.restoreOne(ctx, tx, c); err != nil {
			return nil, fmt.Errorf("restore %s from %s: %w", c.Table, c.CopyName, err)
		}
	}
	return cps, tx.Commit()
}

func (r *RestorePoints) restoreOne(ctx context.Context, tx *sql.Tx, c Copy) error {
	cols, err := resultColumns(ctx, tx, r.q(c.CopyName))
	if err != nil {
		return fmt.Errorf("%s: %w", c.CopyName, err)
	}
	ok, err := dialect.TableExists(ctx, tx, r.d, tableOf(c.Table))
	if err != nil {
		return err
	}
	if !ok {
		// The migration dropped it: recreate it from the copy (without
		// the indexes and constraints it had).
		_, err := tx.ExecContext(ctx, "CREATE TABLE "+r.q(c.Table)+" AS SELECT * FROM "+r.q(c.CopyName))
		return err
	}
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name()
	}
	list := dialect.QuoteList(r.d, names)
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.q(c.Table)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO "+r.q(c.Table)+" ("+list+") SELECT "+list+" FROM "+r.q(c.CopyName))
	return err
}

// Prune drops the copies of the restore points created before cutoff,
// keeping the newest keep versions whatever their age, and returns what
// it dropped.
func (r *RestorePoints) Prune(ctx context.Context, db *sql.DB, cutoff time.Time, keep int) ([]Copy, error) {
	cps, err := r.List(ctx, db, "")
	if err != nil {
		return nil, err
	}
	var versions []string
	seen := map[string]bool{}
	for i := len(cps) - 1; i >= 0; i-- {
		if v := cps[i].Version; !seen[v] {
			seen[v] = true
			versions = append(versions, v)
		}
	}
	kept := map[string]bool{}
	for i := 0; i < keep && i < len(versions); i++ {
		kept[versions[i]] = true
	}
	var out []Copy
	for _, c := range cps {
		if kept[c.Version] || !c.CreatedAt.Before(cutoff) {
			continue
		}
		if err := r.dropCopy(ctx, db, c.Version, c.Table, c.CopyName); err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

// storedTime is how created_at is written: fixed width, so that the
// text sorts in time order.
const storedTime = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(storedTime) }

// placeholders is n bind parameters of d, separated by commas.
func placeholders(d dialect.Dialect, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = d.Placeholder(i + 1)
	}
	return strings.Join(ph, ", ")
}
