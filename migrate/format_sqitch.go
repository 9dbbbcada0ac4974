package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// FormatSqitch is a sqitch project: sqitch.plan names the changes in order,
// deploy/NAME.sql applies one, revert/NAME.sql undoes it and verify/NAME.sql
// checks it.
const FormatSqitch Format = "sqitch"

// SqitchPlan is the file that makes a directory a sqitch project.
const SqitchPlan = "sqitch.plan"

// sqitchChange is one change line of sqitch.plan.
type sqitchChange struct {
	name string
	line int
	// tag is the first tag after this change when the change is reworked
	// later: its scripts are then NAME@TAG.sql.
	tag string
}

// readSqitchPlan reads the change lines of sqitch.plan as sqitch does:
// pragmas (%…), blank lines and # comments aside, a line starting with @
// is a tag of the change before it, any other line is a change: its name,
// then optional [dependencies], a timestamp, the planner and a # note.
func readSqitchPlan(src string) ([]sqitchChange, ParseErrors) {
	var (
		out   []sqitchChange
		perrs ParseErrors
		last  = map[string]int{} // change name → index of its latest occurrence
		open  []int              // reworked occurrences waiting for their tag
	)
	for i, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "%") {
			continue
		}
		if strings.HasPrefix(t, "@") {
			tag := strings.Fields(t)[0]
			for _, k := range open {
				if out[k].tag == "" {
					out[k].tag = tag
				}
			}
			open = nil
			continue
		}
		name := strings.Fields(t)[0]
		if strings.HasPrefix(name, "-") {
			perrs = append(perrs, &ParseError{File: SqitchPlan, Line: i + 1, Msg: fmt.Sprintf("%q: a change marked for revert (-) is not read by strata; remove the line once it is reverted everywhere", t)})
			continue
		}
		name = strings.TrimPrefix(name, "+")
		if k, ok := last[name]; ok {
			// A reworked change: the earlier deploy script was kept as
			// NAME@TAG.sql under the tag that came after it.
			if out[k].tag == "" {
				perrs = append(perrs, &ParseError{File: SqitchPlan, Line: i + 1, Msg: fmt.Sprintf("change %s is planned again without a tag since line %d; sqitch needs a tag between a change and its rework", name, out[k].line)})
				continue
			}
		}
		last[name] = len(out)
		out = append(out, sqitchChange{name: name, line: i + 1})
		open = append(open, len(out)-1)
	}
	// Only occurrences that were reworked keep their @TAG file name.
	for k := range out {
		if last[out[k].name] == k {
			out[k].tag = ""
		}
	}
	return out, perrs
}

// loadSqitch reads a sqitch project: one migration per change of
// sqitch.plan, versioned by its place in the plan (1, 2, …). The verify
// script's statements run after the deploy script's, as the post-check
// sqitch runs; when one fails, the change is undone as sqitch undoes it (the
// transaction rolls back, or the revert script runs when the deploy script
// manages its own transaction).
func loadSqitch(fsys fs.FS, d sqlsplit.Dialect) ([]*Migration, ParseErrors) {
	src, err := fs.ReadFile(fsys, SqitchPlan)
	if err != nil {
		return nil, ParseErrors{{File: SqitchPlan, Msg: err.Error(), Err: err}}
	}
	changes, perrs := readSqitchPlan(string(src))
	var out []*Migration
	for k, c := range changes {
		base := c.name + c.tag + ".sql"
		deploy, revert, verify := "deploy/"+base, "revert/"+base, "verify/"+base
		m := &Migration{Version: VersionInt(int64(k + 1)), Name: c.name, Kind: KindSQL, Format: FormatSqitch, Origin: c.name}
		var texts []string
		read := func(p string, required bool) (*Script, error) {
			b, err := fs.ReadFile(fsys, p)
			if errors.Is(err, fs.ErrNotExist) && !required {
				return nil, nil
			}
			if err != nil {
				return nil, &ParseError{File: SqitchPlan, Line: c.line, Msg: fmt.Sprintf("change %s: %v", c.name, err), Err: err}
			}
			pf, err := parseSQLFile(p, string(b), d, true)
			if err != nil {
				return nil, err
			}
			m.Files = append(m.Files, p)
			texts = append(texts, string(b))
			return pf.up, nil
		}
		up, err := read(deploy, true)
		if err != nil {
			perrs = append(perrs, asParseErrors(err)...)
			continue
		}
		m.Up = up
		if m.Down, err = read(revert, false); err != nil {
			perrs = append(perrs, asParseErrors(err)...)
			continue
		}
		vs, err := read(verify, false)
		if err != nil {
			perrs = append(perrs, asParseErrors(err)...)
			continue
		}
		if vs != nil {
			for _, st := range vs.Statements {
				st.File = verify
				m.Up.Statements = append(m.Up.Statements, st)
			}
			if vs.ManagesTransaction && !m.Up.ManagesTransaction {
				m.Up.ManagesTransaction, m.Up.NoTransaction = true, true
				m.Up.NoTxReason = vs.NoTxReason + " in " + verify
			}
			m.Up.Directives = append(m.Up.Directives, vs.Directives...)
		}
		if m.Down != nil && len(m.Down.Statements) == 0 {
			m.Down, m.EmptyDown = nil, revert
		}
		m.Source, m.Checksum = checksum(m.Files, texts)
		out = append(out, m)
	}
	return out, perrs
}
