package kit

import (
	"io/fs"
	"time"

	"github.com/strata-db/strata/migrate"
)

// DefaultHistory names the history (collection, table, hash, index) when
// the caller names none: the SQL history table's name.
const DefaultHistory = "strata_schema_migrations"

// Row is a history record as the store engines keep it: the fields of the
// SQL history table, one document, item or JSON value per migration.
type Row struct {
	Version       string    `json:"version" bson:"version" dynamodbav:"version"`
	Name          string    `json:"name" bson:"name" dynamodbav:"name"`
	Kind          string    `json:"kind" bson:"kind" dynamodbav:"kind"`
	Checksum      string    `json:"checksum" bson:"checksum" dynamodbav:"checksum"`
	State         string    `json:"state" bson:"state" dynamodbav:"state"`
	StartedAt     time.Time `json:"started_at" bson:"started_at" dynamodbav:"started_at"`
	FinishedAt    time.Time `json:"finished_at" bson:"finished_at" dynamodbav:"finished_at"`
	ExecutionMS   int64     `json:"execution_ms" bson:"execution_ms" dynamodbav:"execution_ms"`
	AppliedBy     string    `json:"applied_by" bson:"applied_by" dynamodbav:"applied_by"`
	StrataVersion string    `json:"strata_version" bson:"strata_version" dynamodbav:"strata_version"`
	Error         string    `json:"error" bson:"error" dynamodbav:"error"`
	Progress      string    `json:"progress" bson:"progress" dynamodbav:"progress"`
	Source        string    `json:"source" bson:"source" dynamodbav:"source"`
}

// ToRow converts a record.
func ToRow(r migrate.Record) Row {
	return Row{Version: string(r.Version), Name: r.Name, Kind: string(r.Kind), Checksum: r.Checksum, State: string(r.State),
		StartedAt: r.StartedAt.UTC(), FinishedAt: r.FinishedAt.UTC(), ExecutionMS: r.ExecutionMS, AppliedBy: r.AppliedBy,
		StrataVersion: r.StrataVersion, Error: r.Error, Progress: r.Progress, Source: r.Source}
}

// Record converts a row back.
func (w Row) Record() migrate.Record {
	return migrate.Record{Version: migrate.Version(w.Version), Name: w.Name, Kind: migrate.Kind(w.Kind), Checksum: w.Checksum, State: migrate.State(w.State),
		StartedAt: w.StartedAt, FinishedAt: w.FinishedAt, ExecutionMS: w.ExecutionMS, AppliedBy: w.AppliedBy,
		StrataVersion: w.StrataVersion, Error: w.Error, Progress: w.Progress, Source: w.Source}
}

// NewProvider returns the provider of a store engine: the directory's YAML
// migrations and the engine's Go migrations, run by a [Runner] over e, with
// history and the lock in store.
func NewProvider(name string, store migrate.Store, e Engine, fsys fs.FS, gos []GoMigration, opts []migrate.Option) (*migrate.Provider, error) {
	ms, skipped, fns, err := WithGo(fsys, name, gos)
	if err != nil {
		return nil, err
	}
	all := append([]migrate.Option{migrate.WithMigrations(ms, skipped), migrate.WithStepRunner(migrate.KindNoSQL, &Runner{E: e, Go: fns})}, opts...)
	return migrate.NewStoreProvider(name, store, fsys, all...)
}
