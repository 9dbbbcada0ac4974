package cassandra

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gocql/gocql"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/engine/internal/kit"
	"github.com/strata-db/strata/migrate"
)

// Store keeps history in a table of the keyspace and the runner lock in
// HISTORY_lock, written with lightweight transactions: the lock row is
// inserted IF NOT EXISTS with a TTL (so a killed runner's lease expires on
// the server's clock), renewed with UPDATE … USING TTL … IF owner = …, and
// deleted on the same condition. History rows are inserted IF NOT EXISTS
// and updated IF EXISTS. It is safe for concurrent use.
type Store struct {
	s     *gocql.Session
	ks    string
	table string
	what  string
	ttl   time.Duration
}

var (
	_ migrate.Store = (*Store)(nil)
	_ kit.Leaser    = (*Store)(nil)
)

// historyDDL is the CQL that creates the history and lock tables.
func historyDDL(ks, table string) []string {
	return []string{
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (version text PRIMARY KEY, name text, kind text, checksum text, state text, started_at timestamp, finished_at timestamp, execution_ms bigint, applied_by text, strata_version text, error text, progress text, source text)", qualified(ks, table)),
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (id text PRIMARY KEY, owner text, holder text)", qualified(ks, table+"_lock")),
	}
}

// Ensure implements [migrate.Store].
func (s *Store) Ensure(ctx context.Context) error {
	for _, q := range historyDDL(s.ks, s.table) {
		if err := s.s.Query(q).WithContext(ctx).Exec(); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return s.s.AwaitSchemaAgreement(ctx)
}

const cols = "version, name, kind, checksum, state, started_at, finished_at, execution_ms, applied_by, strata_version, error, progress, source"

func args(r migrate.Record) []any {
	return []any{string(r.Version), r.Name, string(r.Kind), r.Checksum, string(r.State), r.StartedAt, r.FinishedAt, r.ExecutionMS, r.AppliedBy, r.StrataVersion, r.Error, r.Progress, r.Source}
}

// List implements [migrate.Store].
func (s *Store) List(ctx context.Context) ([]migrate.Record, error) {
	iter := s.s.Query("SELECT " + cols + " FROM " + qualified(s.ks, s.table)).WithContext(ctx).Iter()
	var out []migrate.Record
	var r migrate.Record
	var v, kind, state string
	for iter.Scan(&v, &r.Name, &kind, &r.Checksum, &state, &r.StartedAt, &r.FinishedAt, &r.ExecutionMS, &r.AppliedBy, &r.StrataVersion, &r.Error, &r.Progress, &r.Source) {
		r.Version, r.Kind, r.State = migrate.Version(v), migrate.Kind(kind), migrate.State(state)
		out = append(out, r)
		r = migrate.Record{}
	}
	if err := iter.Close(); err != nil {
		if isUnconfigured(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	return out, nil
}

// isUnconfigured reports the server's answer for a table that does not
// exist (an invalid request): history not created yet.
func isUnconfigured(err error) bool {
	var re gocql.RequestError
	return errors.As(err, &re) && re.Code() == gocql.ErrCodeInvalid
}

// Insert implements [migrate.Store].
func (s *Store) Insert(ctx context.Context, r migrate.Record) error {
	applied, err := s.s.Query("INSERT INTO "+qualified(s.ks, s.table)+" ("+cols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS", args(r)...).
		WithContext(ctx).MapScanCAS(map[string]any{})
	if err != nil {
		return fmt.Errorf("insert history %s: %w", r.Version, err)
	}
	if !applied {
		return fmt.Errorf("insert history %s: it is recorded already (another runner?)", r.Version)
	}
	return nil
}

// Update implements [migrate.Store].
func (s *Store) Update(ctx context.Context, r migrate.Record) error {
	a := args(r)
	applied, err := s.s.Query("UPDATE "+qualified(s.ks, s.table)+" SET name = ?, kind = ?, checksum = ?, state = ?, started_at = ?, finished_at = ?, execution_ms = ?, applied_by = ?, strata_version = ?, error = ?, progress = ?, source = ? WHERE version = ? IF EXISTS",
		append(a[1:], a[0])...).WithContext(ctx).MapScanCAS(map[string]any{})
	if err != nil {
		return fmt.Errorf("update history %s: %w", r.Version, err)
	}
	if !applied {
		return fmt.Errorf("update history %s: it is not recorded", r.Version)
	}
	return nil
}

// Delete implements [migrate.Store].
func (s *Store) Delete(ctx context.Context, v migrate.Version) error {
	if err := s.s.Query("DELETE FROM "+qualified(s.ks, s.table)+" WHERE version = ?", string(v)).WithContext(ctx).Exec(); err != nil {
		return fmt.Errorf("delete history %s: %w", v, err)
	}
	return nil
}

// Lock implements [migrate.Locker].
func (s *Store) Lock(ctx context.Context, opts dialect.LockOptions) (dialect.Lock, error) {
	if err := s.Ensure(ctx); err != nil {
		return nil, err
	}
	return kit.Acquire(ctx, s, s.what, kit.NewLease(s.ttl), opts)
}

// TryAcquire implements [kit.Leaser].
func (s *Store) TryAcquire(ctx context.Context, l *kit.Lease) (bool, string, error) {
	prev := map[string]any{}
	applied, err := s.s.Query("INSERT INTO "+qualified(s.ks, s.table+"_lock")+" (id, owner, holder) VALUES ('lock', ?, ?) IF NOT EXISTS USING TTL "+ttlSeconds(l.TTL), l.Owner, l.Holder).
		WithContext(ctx).MapScanCAS(prev)
	if err != nil {
		return false, "", err
	}
	holder, _ := prev["holder"].(string)
	return applied, holder, nil
}

// Renew implements [kit.Leaser].
func (s *Store) Renew(ctx context.Context, l *kit.Lease) error {
	applied, err := s.s.Query("UPDATE "+qualified(s.ks, s.table+"_lock")+" USING TTL "+ttlSeconds(l.TTL)+" SET owner = ?, holder = ? WHERE id = 'lock' IF owner = ?", l.Owner, l.Holder, l.Owner).
		WithContext(ctx).MapScanCAS(map[string]any{})
	if err != nil {
		return err
	}
	if !applied {
		return fmt.Errorf("%s_lock: %w", s.table, kit.ErrNotOwner)
	}
	return nil
}

// Release implements [kit.Leaser].
func (s *Store) Release(ctx context.Context, l *kit.Lease) error {
	_, err := s.s.Query("DELETE FROM "+qualified(s.ks, s.table+"_lock")+" WHERE id = 'lock' IF owner = ?", l.Owner).WithContext(ctx).MapScanCAS(map[string]any{})
	return err
}
