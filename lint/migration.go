package lint

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/strata-db/strata/migrate"
)

var _ migrate.Inspector = (*Linter)(nil)

// LintScript lints one script of a migration as strata's runner parsed it:
// its statements at their places in the file, the way the runner runs them
// (in one transaction, outside one, or as written with the file's own
// BEGIN/COMMIT), and its lint-ignore directives. The file is not read or
// split again, so the linter and the runner cannot disagree about it.
func (l *Linter) LintScript(ctx context.Context, m *migrate.Migration, sc *migrate.Script) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	text := layout(sc)
	sf := &sourceFile{text: text, format: formatOf(m.Format), noTx: sc.NoTransaction, lockTimeout: sc.LockTimeout > 0, lines: lineStarts(text)}
	sf.parts = []part{{start: 0, end: len(text), noTx: sc.NoTransaction}}
	rep := &Report{Files: []string{sc.File}, Sources: map[string]string{sc.File: text}}
	var err error
	switch l.opts.Engine {
	case MySQL:
		err = l.lintMySQLPart(rep, sc.File, sf, sf.parts[0])
	default:
		_, err = l.lintPGPart(rep, sc.File, sf, sf.parts[0], nil)
	}
	if err != nil {
		return nil, err
	}
	l.finish(rep)
	return rep, nil
}

// Inspect implements [migrate.Inspector] for the safety gate of `strata up`
// ([migrate.WithSafety]): error-level findings block.
func (l *Linter) Inspect(ctx context.Context, m *migrate.Migration, sc *migrate.Script) ([]migrate.Finding, error) {
	rep, err := l.LintScript(ctx, m, sc)
	if err != nil {
		return nil, err
	}
	out := make([]migrate.Finding, len(rep.Findings))
	for i, f := range rep.Findings {
		out[i] = migrate.Finding{File: f.File, Line: f.Line, Col: f.Col, Rule: f.Rule, Object: f.Object, Message: f.Message,
			Blocking: f.Severity == Error, Detail: &gateDetail{finding: f, source: rep.Sources[f.File]}}
	}
	return out, nil
}

// gateDetail keeps a finding and the text it points into, for [SafetyReport].
type gateDetail struct {
	finding Finding
	source  string
}

// SafetyReport turns what the safety gate found back into a report for the
// formatters, with the gate's verdict: a blocking finding is an error, one
// on a small or new table a warning that says so.
func SafetyReport(r *migrate.SafetyReport) *Report {
	rep := &Report{Sources: map[string]string{}}
	for _, f := range r.Findings {
		lf := Finding{File: f.File, Line: f.Line, Col: f.Col, Rule: f.Rule, Object: f.Object}
		if d, ok := f.Detail.(*gateDetail); ok {
			lf = d.finding
			rep.Sources[lf.File] = d.source
		}
		lf.Message, lf.Severity = f.Message, Warning
		if f.Blocking {
			lf.Severity = Error
		}
		rep.Findings = append(rep.Findings, lf)
	}
	return rep
}

func formatOf(f migrate.Format) fileFormat {
	switch f {
	case migrate.FormatGoose:
		return formatGoose
	case migrate.FormatDbmate:
		return formatDbmate
	case migrate.FormatFlyway:
		return formatFlyway
	}
	return formatStrata
}

// layout writes a script's statements and lint-ignore comments at their
// lines and columns in the file, with blank space elsewhere, so that the
// linter's offsets map back to the file and each ignore sits where its
// author put it: above a statement, or after it on its line.
func layout(sc *migrate.Script) string {
	type item struct {
		line, col int
		text      string
	}
	var items []item
	for _, d := range sc.Directives {
		if d.Name == "lint-ignore" {
			items = append(items, item{d.Line, d.Col, d.Text})
		}
	}
	for _, st := range sc.Statements {
		items = append(items, item{st.Line, st.Col, strings.TrimRight(st.SQL, " \t\r\n;") + ";"})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].line != items[j].line {
			return items[i].line < items[j].line
		}
		return items[i].col < items[j].col
	})
	var b strings.Builder
	line, col := 1, 1
	for _, it := range items {
		if line > it.line || (line == it.line && col > it.col) {
			// Rendered text grew (a ${VAR} value): keep going below.
			b.WriteByte('\n')
			line, col = line+1, 1
		}
		for line < it.line {
			b.WriteByte('\n')
			line, col = line+1, 1
		}
		for col < it.col {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(it.text)
		if i := strings.LastIndexByte(it.text, '\n'); i >= 0 {
			line += strings.Count(it.text, "\n")
			col = utf8.RuneCountInString(it.text[i+1:]) + 1
		} else {
			col += utf8.RuneCountInString(it.text)
		}
	}
	b.WriteByte('\n')
	return b.String()
}
