package lint

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsafe is what [UnsafeError] matches with errors.Is: a migration has
// error-level findings. `strata up` refuses it (exit 3) unless --allow-unsafe
// or an inline ignore.
var ErrUnsafe = errors.New("unsafe migration")

// UnsafeError lists the error-level findings that make a migration unsafe.
type UnsafeError struct {
	Findings []Finding
}

func (e *UnsafeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d unsafe statement(s)", len(e.Findings))
	for i, f := range e.Findings {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Findings)-3)
			break
		}
		fmt.Fprintf(&b, "; %s:%d:%d %s: %s", f.File, f.Line, f.Col, f.Rule, f.Message)
	}
	b.WriteString(" (run `strata lint` for the safe rewrites, add `-- strata:lint-ignore RULE -- reason`, or pass --allow-unsafe)")
	return b.String()
}

// Is makes errors.Is(err, ErrUnsafe) true.
func (e *UnsafeError) Is(target error) bool { return target == ErrUnsafe }

// Err returns an *UnsafeError with the report's error-level findings, or
// nil when it has none.
func (r *Report) Err() error {
	var fs []Finding
	for _, f := range r.Findings {
		if f.Severity == Error {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return nil
	}
	return &UnsafeError{Findings: fs}
}
