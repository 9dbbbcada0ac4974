package online

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// StateVersion is the format version of [State]; a saved state with another
// version is refused with [ErrStateVersion] rather than misread.
const StateVersion = 1

// Phase is where an online migration stands.
type Phase string

// Phases of an online migration, in the order they normally happen.
const (
	PhaseStarting   Phase = "starting"   // expand under way (or interrupted)
	PhaseExpanded   Phase = "expanded"   // both shapes live, waiting for complete
	PhaseCompleting Phase = "completing" // contract under way (or interrupted)
	PhaseCompleted  Phase = "completed"
	PhaseAborting   Phase = "aborting"
	PhaseAborted    Phase = "aborted"
)

// State is the resume and progress state of one online migration. It is
// plain JSON-serialisable data; the migration engine stores it in the
// history row's progress column after every phase step and backfill batch,
// and passes it back to resume. A State is not safe for concurrent use.
type State struct {
	Format    int         `json:"format"`
	Version   string      `json:"version"`
	Phase     Phase       `json:"phase"`
	Step      int         `json:"step"` // index of the start step reached, see startSteps
	Ops       []OpState   `json:"ops"`
	Backfills []*Backfill `json:"backfills,omitempty"`
	// LockRetries counts DDL statements retried after lock_timeout.
	LockRetries int       `json:"lock_retries"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// OpState is the progress of one operation.
type OpState struct {
	Kind    string            `json:"kind"`
	Started bool              `json:"started,omitempty"`
	Data    map[string]string `json:"data,omitempty"` // what abort needs to restore
}

// Backfill is the progress of one batched pass over a table.
type Backfill struct {
	Key    string   `json:"key"` // which pass: "columns:<table>" or "op:<n>"
	Table  string   `json:"table"`
	Cursor []string `json:"cursor,omitempty"` // last key done, as text; empty before the first batch
	Done   bool     `json:"done"`
	Rows   int64    `json:"rows"`  // rows written so far
	Total  int64    `json:"total"` // estimated rows in the table when the pass began
	Batch  int      `json:"batch"` // current batch size
	// Elapsed is the time spent in batches, summed over resumed runs.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Progress returns the fraction of the pass done, between 0 and 1.
func (b *Backfill) Progress() float64 {
	if b.Done {
		return 1
	}
	if b.Total <= 0 {
		return 0
	}
	return min(1, float64(b.Rows)/float64(b.Total))
}

// ParseState decodes a State saved by [State.JSON]. Empty data returns nil.
func ParseState(data []byte) (*State, error) {
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("decode online state: %w", err)
	}
	if st.Format != StateVersion {
		return nil, fmt.Errorf("decode online state: format %d, this strata reads %d: %w", st.Format, StateVersion, ErrStateVersion)
	}
	return &st, nil
}

// JSON encodes the state for storage.
func (s *State) JSON() ([]byte, error) { return json.Marshal(s) }

func (s *State) backfill(key, table string) *Backfill {
	for _, b := range s.Backfills {
		if b.Key == key {
			return b
		}
	}
	b := &Backfill{Key: key, Table: table}
	s.Backfills = append(s.Backfills, b)
	return b
}

// StateStore saves a State durably. The runner calls Save after every phase
// step and every backfill batch; an error stops the run.
type StateStore interface {
	Save(ctx context.Context, st *State) error
}

// StateStoreFunc adapts a function to [StateStore].
type StateStoreFunc func(ctx context.Context, st *State) error

// Save calls f.
func (f StateStoreFunc) Save(ctx context.Context, st *State) error { return f(ctx, st) }

var _ StateStore = StateStoreFunc(nil)

// newState returns the initial state of a migration with ops.
func newState(version string, m *Migration) *State {
	st := &State{Format: StateVersion, Version: version, Phase: PhaseStarting}
	for _, op := range m.Operations {
		st.Ops = append(st.Ops, OpState{Kind: op.Kind()})
	}
	return st
}

// fresh reports whether Start has changed nothing yet: no operation began.
func (s *State) fresh() bool {
	if s.Phase != PhaseStarting || s.Step > stepExpand {
		return false
	}
	for _, o := range s.Ops {
		if o.Started {
			return false
		}
	}
	return true
}

func (s *State) check(version string, m *Migration) error {
	if s.Format != StateVersion {
		return fmt.Errorf("online state format %d, this strata reads %d: %w", s.Format, StateVersion, ErrStateVersion)
	}
	if s.Version != version {
		return fmt.Errorf("online state belongs to version %s, not %s: %w", s.Version, version, ErrStateVersion)
	}
	if len(s.Ops) != len(m.Operations) {
		return fmt.Errorf("online state has %d operations, the migration %d (was the file changed?): %w", len(s.Ops), len(m.Operations), ErrStateVersion)
	}
	for i, op := range m.Operations {
		if s.Ops[i].Kind != op.Kind() {
			return fmt.Errorf("online state operation %d is %s, the migration's is %s (was the file changed?): %w", i+1, s.Ops[i].Kind, op.Kind(), ErrStateVersion)
		}
	}
	return nil
}

// Summary describes the state in one line for `strata status`: the phase,
// each backfill's progress and what to run next.
func (s *State) Summary() string {
	var b strings.Builder
	b.WriteString(string(s.Phase))
	for _, f := range s.Backfills {
		fmt.Fprintf(&b, "; backfill %s %.0f%% (%d of ~%d rows)", f.Table, 100*f.Progress(), f.Rows, max(f.Total, f.Rows))
	}
	if s.LockRetries > 0 {
		if s.LockRetries == 1 {
			b.WriteString("; 1 lock retry")
		} else {
			fmt.Fprintf(&b, "; %d lock retries", s.LockRetries)
		}
	}
	if next := s.Next(); next != "" {
		b.WriteString("; " + next)
	}
	return b.String()
}

// Next says what to run next in the state's phase, naming the version: the
// one next step `strata up`, `strata status` and the history row agree on.
// It is empty once the migration is completed or aborted.
func (s *State) Next() string {
	v := s.Version
	switch s.Phase {
	case PhaseExpanded:
		return fmt.Sprintf("applications move to the new shape with SET search_path = %s, public; then run `strata complete %s` (or `strata abort %s` to undo)", VersionSchema(v), v, v)
	case PhaseStarting:
		return fmt.Sprintf("`strata up` resumes it once the cause is fixed; `strata abort %s` undoes it", v)
	case PhaseCompleting:
		return fmt.Sprintf("run `strata complete %s` again", v)
	case PhaseAborting:
		return fmt.Sprintf("run `strata abort %s` again", v)
	}
	return ""
}
