package migrate

import (
	"context"
	"encoding/json"
	"sort"
	"time"
)

// MigrationStatus is one line of `strata status`.
type MigrationStatus struct {
	Version    Version       `json:"version"`
	Name       string        `json:"name"`
	Kind       Kind          `json:"kind"`
	State      State         `json:"state"`
	Repeatable bool          `json:"repeatable,omitempty"`
	File       string        `json:"file,omitempty"`
	AppliedAt  time.Time     `json:"applied_at,omitzero"`
	Duration   time.Duration `json:"-"`
	DurationMS int64         `json:"duration_ms"`
	AppliedBy  string        `json:"applied_by,omitempty"`
	// Drift is set when an applied file no longer matches its checksum;
	// for a repeatable migration it means it will run again.
	Drift   bool   `json:"drift,omitempty"`
	HasDown bool   `json:"has_down"`
	Error   string `json:"error,omitempty"`
	// Progress is the recorded progress (JSON): statements done for a
	// migration that ran outside a transaction, the backfill state of an
	// online one.
	Progress json.RawMessage `json:"progress,omitempty"`
}

// Status returns every migration, from the files and from history, in version
// order. It reads without taking the lock and creates nothing.
func (p *Provider) Status(ctx context.Context) ([]MigrationStatus, error) {
	recs, err := p.readHistory(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[Version]Record{}
	for _, r := range recs {
		byKey[r.Version] = r
	}
	var out []MigrationStatus
	seen := map[Version]bool{}
	for _, m := range p.migrations {
		st := MigrationStatus{Version: m.Version, Name: m.Name, Kind: m.Kind, State: StatePending, Repeatable: m.Repeatable, File: m.File(), HasDown: m.HasDown()}
		if m.Repeatable {
			st.Version = m.key()
		}
		if r, ok := byKey[m.key()]; ok {
			seen[m.key()] = true
			fillFromRecord(&st, r)
			st.Drift = r.Checksum != m.Checksum
		}
		out = append(out, st)
	}
	for _, r := range recs {
		if seen[r.Version] {
			continue
		}
		st := MigrationStatus{Version: r.Version, Name: r.Name, Kind: r.Kind}
		fillFromRecord(&st, r)
		if st.State == StateApplied {
			st.State = StateMissing
		}
		out = append(out, st)
	}
	sortStatuses(out)
	return out, nil
}

func fillFromRecord(st *MigrationStatus, r Record) {
	st.State = r.State
	st.AppliedAt = r.FinishedAt
	if st.AppliedAt.IsZero() {
		st.AppliedAt = r.StartedAt
	}
	st.Duration = time.Duration(r.ExecutionMS) * time.Millisecond
	st.DurationMS = r.ExecutionMS
	st.AppliedBy = r.AppliedBy
	st.Error = r.Error
	if r.Progress != "" && json.Valid([]byte(r.Progress)) {
		st.Progress = json.RawMessage(r.Progress)
	}
}

func sortStatuses(s []MigrationStatus) {
	sort.SliceStable(s, func(i, j int) bool { return s[i].Version.Compare(s[j].Version) < 0 })
}

// readHistory returns the history rows, or none when the table does not
// exist yet.
func (p *Provider) readHistory(ctx context.Context) ([]Record, error) {
	if err := p.resolve(ctx); err != nil {
		return nil, err
	}
	recs, err := p.store.List(ctx)
	sortRecords(recs)
	return recs, err
}

// Version returns the highest applied version, or "0" when none is.
func (p *Provider) Version(ctx context.Context) (Version, error) {
	recs, err := p.readHistory(ctx)
	if err != nil {
		return "", err
	}
	v := Version("0")
	for _, r := range recs {
		if r.State == StateApplied && !r.Version.isRepeatable() && r.Version.Compare(v) > 0 {
			v = r.Version
		}
	}
	return v, nil
}
