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
	rep := &Report{Files: []string{sc.File}, Sources: map[string]string{}}
	text, _, err := l.lintScript(rep, fileScript{m: m, sc: sc, down: sc == m.Down}, nil)
	if err != nil {
		return nil, err
	}
	rep.Sources[sc.File] = text
	l.finish(rep)
	return rep, nil
}

// lintScript lints one part of a file into rep, knowing what earlier files
// established (prior, may be nil). It returns the text it linted (the
// script laid out at its places in the file) and, on PostgreSQL, what the
// part establishes in turn.
func (l *Linter) lintScript(rep *Report, fs fileScript, prior *facts) (string, *pgRun, error) {
	sf, p := fs.source()
	if l.opts.Engine == MySQL {
		return sf.text, nil, l.lintMySQLPart(rep, fs.sc.File, sf, p)
	}
	r, err := l.lintPGPart(rep, fs.sc.File, sf, p, prior)
	return sf.text, r, err
}

// source is the script laid out at its places in the file, as the one part
// the analysers read.
func (fs fileScript) source() (*sourceFile, part) {
	text, pre := layout(fs.sc)
	p := part{start: 0, end: len(text), down: fs.down, noTx: fs.sc.NoTransaction}
	sf := &sourceFile{text: text, format: fs.m.Format, noTx: fs.sc.NoTransaction, lockTimeout: fs.sc.LockTimeout > 0,
		lines: lineStarts(text), preIgnores: pre, parts: []part{p}}
	return sf, p
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

// layout writes a script's statements and lint-ignore comments at their
// lines and columns in the file, with blank space elsewhere, so that the
// linter's offsets map back to the file and each ignore sits where its
// author put it: above a statement, or after it on its line. An ignore
// above the file's first section marker covers the whole file: it is left
// blank in the text and returned in pre, at its place.
func layout(sc *migrate.Script) (text string, pre []ignore) {
	type item struct {
		line, col int
		text      string
		pre       bool
	}
	var items []item
	marker := -1 // the index of the first section marker among the directives
	for i, d := range sc.Directives {
		if d.Name == "up" || d.Name == "down" {
			marker = i
			break
		}
	}
	for i, d := range sc.Directives {
		if d.Name == "lint-ignore" {
			items = append(items, item{d.Line, d.Col, d.Text, i < marker})
		}
	}
	for _, st := range sc.Statements {
		items = append(items, item{st.Line, st.Col, strings.TrimRight(st.SQL, " \t\r\n;") + ";", false})
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
		written := it.text
		if it.pre {
			if ig, ok := parseIgnore(comment{text: commentBody(it.text), off: b.Len()}); ok {
				pre = append(pre, ig)
			}
			written = strings.Repeat(" ", utf8.RuneCountInString(it.text))
		}
		b.WriteString(written)
		if i := strings.LastIndexByte(written, '\n'); i >= 0 {
			line += strings.Count(written, "\n")
			col = utf8.RuneCountInString(written[i+1:]) + 1
		} else {
			col += utf8.RuneCountInString(written)
		}
	}
	b.WriteByte('\n')
	return b.String(), pre
}

// commentBody is a comment's text without its delimiters.
func commentBody(c string) string {
	c = strings.TrimSpace(c)
	switch {
	case strings.HasPrefix(c, "--"):
		return c[2:]
	case strings.HasPrefix(c, "#"):
		return c[1:]
	case strings.HasPrefix(c, "/*"):
		return strings.TrimSuffix(c[2:], "*/")
	}
	return c
}
