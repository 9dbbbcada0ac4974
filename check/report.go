package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strata-db/strata/migrate"
)

// Result is the outcome of one check. A check that could not run (a
// missing table, bad SQL) has Error set and Passed false: it never counts
// as a pass.
type Result struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Phase    Phase    `json:"phase,omitempty"`
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Passed   bool     `json:"passed"`
	// State is [Result.Status] at the time the result was made.
	State string `json:"status"`
	// Count is the number of offending rows (not_null, orphans, sql rows),
	// duplicate groups (unique), differing keys (checksum), or the actual
	// row count (row_count).
	Count int64 `json:"count"`
	// Keys are the first offending keys, as column=value.
	Keys []string `json:"keys,omitempty"`
	// Detail explains a failure (or a pass) in a sentence.
	Detail string `json:"detail,omitempty"`
	// Error is set when the check could not run.
	Error string `json:"error,omitempty"`
	// Diff is a checksum's comparison.
	Diff       *Diff `json:"diff,omitempty"`
	DurationMS int64 `json:"duration_ms"`
}

// Where is "file:line" of the check's declaration, or "".
func (r *Result) Where() string {
	if r.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", r.File, r.Line)
}

// Status is PASS, FAIL, WARN (a failing warn-level check) or ERROR (could
// not run).
func (r *Result) Status() string {
	switch {
	case r.Passed:
		return "PASS"
	case r.Error != "":
		return "ERROR"
	case r.Severity == SeverityWarn:
		return "WARN"
	}
	return "FAIL"
}

// Blocking reports whether the result stops the migration: an error-level
// check that failed, or any check that could not run (a warning that
// cannot be evaluated is not a pass).
func (r *Result) Blocking() bool { return !r.Passed && (r.Severity == SeverityError || r.Error != "") }

func (r *Result) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "check %s", r.Name)
	if w := r.Where(); w != "" {
		fmt.Fprintf(&b, " (%s)", w)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, " could not run: %s", r.Error)
		return b.String()
	}
	fmt.Fprintf(&b, ": %s", r.Detail)
	if len(r.Keys) > 0 {
		fmt.Fprintf(&b, "; first keys: %s", strings.Join(r.Keys, ", "))
	}
	return b.String()
}

// Report is the results of one run of checks: a migration's pre or post
// checks, or a `strata check`/`strata verify` run.
type Report struct {
	Version string    `json:"version,omitempty"`
	Name    string    `json:"name,omitempty"`
	Phase   Phase     `json:"phase,omitempty"`
	File    string    `json:"file,omitempty"`
	Results []Result  `json:"results"`
	At      time.Time `json:"at"`
}

// events converts the results for check_result events.
func (rep *Report) events() []migrate.CheckResult {
	if rep == nil {
		return nil
	}
	out := make([]migrate.CheckResult, len(rep.Results))
	for i, r := range rep.Results {
		outcome := "fail"
		switch {
		case r.Passed:
			outcome = "pass"
		case r.Error != "":
			outcome = "error"
		}
		detail := r.Detail
		if r.Error != "" {
			detail = r.Error
		}
		out[i] = migrate.CheckResult{Name: r.Name, Kind: r.Kind, Phase: string(r.Phase), Severity: string(r.Severity), Outcome: outcome,
			File: r.File, Line: r.Line, Count: r.Count, Detail: detail}
	}
	return out
}

// Passed reports whether no result blocks.
func (rep *Report) Passed() bool {
	if rep == nil {
		return true
	}
	for i := range rep.Results {
		if rep.Results[i].Blocking() {
			return false
		}
	}
	return true
}

// Err returns a [*FailedError] listing the blocking results, or nil.
func (rep *Report) Err() error {
	if rep == nil {
		return nil
	}
	var bad []Result
	for _, r := range rep.Results {
		if r.Blocking() {
			bad = append(bad, r)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &FailedError{Phase: rep.Phase, Results: bad}
}

// ErrFailed is matched (errors.Is) by every [*FailedError].
var ErrFailed = errors.New("integrity check failed")

// FailedError says which error-level checks failed or could not run.
type FailedError struct {
	Phase   Phase
	Results []Result
}

func (e *FailedError) Error() string {
	parts := make([]string, len(e.Results))
	for i := range e.Results {
		parts[i] = e.Results[i].summary()
	}
	return strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrFailed) true.
func (e *FailedError) Is(target error) bool { return target == ErrFailed }

// WriteText writes rep as a table: one line per check, then the offending
// keys of each failure.
func WriteText(w io.Writer, rep *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tSEVERITY\tCHECK\tCOUNT\tWHERE\tDETAIL")
	for i := range rep.Results {
		r := &rep.Results[i]
		detail := r.Detail
		if r.Error != "" {
			detail = "could not run: " + r.Error
		}
		where := r.Where()
		if where == "" {
			where = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", r.Status(), r.Severity, r.Name, r.Count, where, oneLineAll(detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Passed {
			continue
		}
		if r.Diff != nil {
			if err := writeDiffKeys(w, r.Name, r.Diff); err != nil {
				return err
			}
			continue
		}
		if len(r.Keys) > 0 {
			fmt.Fprintf(w, "%s: first offending keys: %s\n", r.Name, strings.Join(r.Keys, ", "))
		}
	}
	return nil
}

func writeDiffKeys(w io.Writer, name string, d *Diff) error {
	for _, k := range d.Keys {
		if _, err := fmt.Fprintf(w, "%s: %-17s %s\n", name, k.Kind, k.Key); err != nil {
			return err
		}
	}
	if d.Truncated {
		_, err := fmt.Fprintf(w, "%s: … more differing keys not listed (limit reached)\n", name)
		return err
	}
	return nil
}

func oneLineAll(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteJSON writes rep as one indented JSON document.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
