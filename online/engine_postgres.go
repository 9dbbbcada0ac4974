package online

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
)

// pgEngine answers [engine] from PostgreSQL's catalog and statistics views.
type pgEngine struct{ d postgres.Dialect }

var _ engine = pgEngine{}

func (e pgEngine) regclass(t dialect.Table) string { return t.Qualified(e.d) }

func (e pgEngine) relationKind(ctx context.Context, q dialect.Querier, schema, name string) (string, error) {
	var kind string
	err := q.QueryRowContext(ctx, `
SELECT CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index'
  WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'relation' END
FROM pg_class WHERE oid = to_regclass($1)`, dialect.QuoteQualified(e.d, schema, name)).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return kind, err
}

func (pgEngine) typeKnown(ctx context.Context, q dialect.Querier, typ string) (bool, string, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT to_regtype($1) IS NOT NULL`, castType(typ)).Scan(&ok)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// to_regtype reports a type name it cannot parse as an error.
		return false, pe.Message, nil
	}
	return ok, "", err
}

func (e pgEngine) tableOptions(ctx context.Context, q dialect.Querier, t dialect.Table) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT unnest(reloptions) FROM pg_class WHERE oid = to_regclass($1)`, e.regclass(t))
	if err != nil {
		return nil, fmt.Errorf("read the storage parameters of %s: %w", t, err)
	}
	defer rows.Close()
	opts := map[string]string{}
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("read the storage parameters of %s: %w", t, err)
		}
		k, v, _ := strings.Cut(s.String, "=")
		opts[k] = v
	}
	return opts, rows.Err()
}

func (e pgEngine) columnUsers(ctx context.Context, q dialect.Querier, t dialect.Table, col string) ([]string, error) {
	return queryStrings(ctx, q, `
SELECT DISTINCT CASE v.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || quote_ident(n.nspname) || '.' || quote_ident(v.relname)
FROM pg_attribute a
JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
JOIN pg_class v ON v.oid = w.ev_class
JOIN pg_namespace n ON n.oid = v.relnamespace
WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND v.oid <> a.attrelid AND n.nspname NOT LIKE 'strata\_v%'
UNION
SELECT DISTINCT 'foreign key ' || quote_ident(f.conname) || ' of ' || f.conrelid::regclass::text
FROM pg_attribute a JOIN pg_constraint f ON f.contype = 'f' AND f.confrelid = a.attrelid AND a.attnum = ANY(f.confkey)
WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND f.conrelid <> a.attrelid
ORDER BY 1`, e.regclass(t), col)
}

func (e pgEngine) inboundKeys(ctx context.Context, q dialect.Querier, t dialect.Table) ([]inboundKey, error) {
	rows, err := q.QueryContext(ctx, `
SELECT c.conrelid::regclass::text, c.conname, c.conrelid = c.confrelid,
	(SELECT COALESCE(json_agg(a.attname ORDER BY k.o), '[]')::text
	 FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)
FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = to_regclass($1) ORDER BY 1, 2`, e.regclass(t))
	if err != nil {
		return nil, fmt.Errorf("read the foreign keys pointing at %s: %w", t, err)
	}
	defer rows.Close()
	var out []inboundKey
	for rows.Next() {
		var k inboundKey
		var cols string
		if err := rows.Scan(&k.From, &k.Name, &k.Self, &cols); err != nil {
			return nil, fmt.Errorf("read the foreign keys pointing at %s: %w", t, err)
		}
		if err := jsonStrings(cols, &k.Columns); err != nil {
			return nil, fmt.Errorf("read foreign key %s of %s: %w", k.Name, k.From, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (e pgEngine) viewsOver(ctx context.Context, q dialect.Querier, schema string, tables []dialect.Table) ([]string, error) {
	relations := make([]string, len(tables))
	for i, t := range tables {
		relations[i] = e.regclass(t)
	}
	views, err := queryStrings(ctx, q, `
SELECT DISTINCT v.relname
FROM pg_depend d
JOIN pg_rewrite w ON w.oid = d.objid
JOIN pg_class v ON v.oid = w.ev_class
JOIN pg_namespace n ON n.oid = v.relnamespace
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND n.nspname = $1 AND v.relkind = 'v' AND d.refobjid <> v.oid
  AND d.refobjid IN (SELECT to_regclass(r) FROM unnest($2::text[]) AS r)
ORDER BY 1`, schema, relations)
	if err != nil {
		return nil, fmt.Errorf("list the views of %s over the migration's tables: %w", schema, err)
	}
	return views, nil
}

func (e pgEngine) viewColumns(ctx context.Context, q dialect.Querier, schema, view string) ([]string, error) {
	cols, err := queryStrings(ctx, q, `
SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
		dialect.QuoteQualified(e.d, schema, view))
	if err != nil {
		return nil, fmt.Errorf("read the columns of view %s.%s: %w", schema, view, err)
	}
	return cols, nil
}

func (pgEngine) schemaColumns(ctx context.Context, q dialect.Querier, schema string) (map[string][]dialect.Column, error) {
	rows, err := q.QueryContext(ctx, `
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum`, schema)
	if err != nil {
		return nil, fmt.Errorf("read the columns of schema %s: %w", schema, err)
	}
	defer rows.Close()
	out := map[string][]dialect.Column{}
	for rows.Next() {
		var table string
		var c dialect.Column
		if err := rows.Scan(&table, &c.Name, &c.Type); err != nil {
			return nil, fmt.Errorf("read the columns of schema %s: %w", schema, err)
		}
		out[table] = append(out[table], c)
	}
	return out, rows.Err()
}

func (e pgEngine) serialSequence(ctx context.Context, q dialect.Querier, t dialect.Table, col string) (string, error) {
	seqs, err := queryStrings(ctx, q, `
SELECT pg_get_serial_sequence(c.oid::regclass::text, $2) FROM pg_class c
WHERE c.oid = to_regclass($1) AND pg_get_serial_sequence(c.oid::regclass::text, $2) IS NOT NULL`, e.regclass(t), col)
	if err != nil || len(seqs) == 0 {
		return "", err
	}
	return seqs[0], nil
}

func (e pgEngine) sharedSequences(ctx context.Context, q dialect.Querier, owner, user dialect.Table) ([]string, error) {
	return queryStrings(ctx, q, `
SELECT DISTINCT d.objid::regclass::text FROM pg_depend d
WHERE d.refobjid = to_regclass($1) AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
  AND EXISTS (SELECT 1 FROM pg_depend u JOIN pg_attrdef a ON a.oid = u.objid
              WHERE u.refobjid = d.objid AND u.classid = 'pg_attrdef'::regclass AND a.adrelid = to_regclass($2))
ORDER BY 1`, e.regclass(owner), e.regclass(user))
}

func (pgEngine) versionSchemas(ctx context.Context, q dialect.Querier) ([]string, error) {
	names, err := queryStrings(ctx, q, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'strata\_v%' ORDER BY nspname`)
	if err != nil {
		return nil, fmt.Errorf("list version schemas: %w", err)
	}
	return names, nil
}

func (pgEngine) load(ctx context.Context, q dialect.Querier) (time.Duration, int, error) {
	var lag float64
	var active int
	err := q.QueryRowContext(ctx, `
SELECT (SELECT CASE WHEN count(*) = 0 THEN -1 ELSE COALESCE(EXTRACT(epoch FROM max(replay_lag))::float8, 0) END FROM pg_stat_replication),
       (SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid())`).Scan(&lag, &active)
	return time.Duration(lag * float64(time.Second)), active, err
}

func (e pgEngine) blocker(ctx context.Context, q dialect.Querier, t dialect.Table) LockTimeoutError {
	var b LockTimeoutError
	var pid sql.NullInt64
	var query, state sql.NullString
	var age sql.NullFloat64
	err := q.QueryRowContext(ctx, `
SELECT a.pid, a.query, a.state, EXTRACT(epoch FROM now() - a.xact_start)::float8
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.locktype = 'relation' AND a.pid <> pg_backend_pid()
  AND l.relation = to_regclass($1)
  AND a.xact_start IS NOT NULL
ORDER BY a.xact_start LIMIT 1`, e.regclass(t)).Scan(&pid, &query, &state, &age)
	if err == nil && pid.Valid {
		b.BlockerPID = int(pid.Int64)
		b.BlockerQuery = query.String
		b.BlockerState = state.String
		b.BlockerAge = time.Duration(age.Float64 * float64(time.Second))
	}
	return b
}

// addsWithoutRewrite asks PostgreSQL itself, on a one-row temporary table
// in a rolled back transaction: it stores a non-volatile default as a
// "missing" value instead of rewriting the table.
func (pgEngine) addsWithoutRewrite(ctx context.Context, db *sql.DB, typ, expr string) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // always rolled back
	if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE _strata_probe ON COMMIT DROP AS SELECT 1 AS x"); err != nil {
		return false, fmt.Errorf("probe default: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE _strata_probe ADD COLUMN c %s DEFAULT %s", typ, expr)); err != nil {
		return false, fmt.Errorf("check default %s for type %s: %w", expr, typ, err)
	}
	var missing bool
	err = tx.QueryRowContext(ctx, `SELECT atthasmissing FROM pg_attribute WHERE attrelid = '_strata_probe'::regclass AND attname = 'c'`).Scan(&missing)
	return missing, err
}

// backfillSettings: synchronous_commit off spares each batch a WAL flush
// of its own. It cannot lose a batch the saved cursor has passed: the state
// is saved after the batch commits, and a durable commit of the state
// flushes the WAL before it, the batch's included. strata.backfill is what
// the dual-write triggers' WHEN clause reads.
func (pgEngine) backfillSettings(skipTriggers bool) []string {
	s := []string{"SET application_name = 'strata backfill'", "SET synchronous_commit = off"}
	if skipTriggers {
		s = append(s, "SET strata.backfill = 'on'")
	}
	return s
}

// ddlSettings: a transaction releases its locks only once its commit
// returns, and a synchronous commit first waits for the WAL to reach the
// disk, behind every other session's WAL (a backfill writes a lot): traced
// under load, a 1 ms ALTER TABLE kept its ACCESS EXCLUSIVE lock 20–90 ms
// longer in IO:WALSync, and every client queued behind it. Committed
// asynchronously, the lock goes as soon as the commit record is written.
// Nothing is lost that matters: the state saved after the statement is a
// durable commit that flushes the WAL before it, each phase ends with
// flush, and a crash in between leaves a state from which Start and Abort
// resume (every statement is idempotent), as after a crash just before
// the commit.
func (pgEngine) ddlSettings() []string {
	return []string{"SET LOCAL synchronous_commit = off"}
}

// flush commits a transaction that has a transaction id, synchronously:
// PostgreSQL then flushes the WAL up to its commit record, which covers
// every earlier commit, asynchronous ones included.
func (pgEngine) flush(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for _, s := range []string{"SET LOCAL synchronous_commit = on", "SELECT txid_current()"} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// jsonStrings reads a JSON array of names: names may hold any character,
// so no separator is safe.
func jsonStrings(s string, out *[]string) error { return json.Unmarshal([]byte(s), out) }

// queryStrings runs a query that returns one text column.
func queryStrings(ctx context.Context, q dialect.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
