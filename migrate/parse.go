package migrate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/sqlsplit"
)

// Direction is up (apply) or down (undo).
type Direction string

// Directions.
const (
	Up   Direction = "up"
	Down Direction = "down"
)

// segment is a run of lines of one section: either free SQL to split, or a
// statement-begin/end block that is one statement.
type segment struct {
	text      string
	firstLine int
	block     bool
	envsub    bool // goose ENVSUB ON was in force for these lines
}

// section is the text of one part of a file: the up or down section, or
// the preamble before the first marker.
type section struct {
	segments   []segment
	cur        strings.Builder
	curFirst   int
	marker     int // line of the section marker
	opts       scriptOptions
	directives []Directive
}

type scriptOptions struct {
	noTx          bool
	noTxLine      int
	noTxSource    string
	lockTimeout   time.Duration
	stmtTimeout   time.Duration
	envsub        bool
	restorePoints []string
}

// parsedFile is the result of reading one SQL file.
type parsedFile struct {
	format   Format
	up, down *Script
}

// fileParser reads one SQL migration file line by line: directives change
// its state, other lines are the text of the current section.
type fileParser struct {
	file     string
	d        sqlsplit.Dialect
	pairFile bool // .up.sql/.down.sql or Flyway: markers are not allowed

	format    Format
	sawMarker bool
	fileOpts  scriptOptions
	preamble  *section
	sections  map[Direction]*section
	cur       *section // nil before the first marker

	inBlock     bool
	blockLine   int
	blockEnd    string // the directive that closes the open block, for messages
	gooseEnvsub bool   // goose's ENVSUB ON holds from where it is written, across sections
}

// parseSQLFile splits a SQL file into its up and down scripts. A file with
// no section markers is all up. pairFile is true for .up.sql/.down.sql and
// Flyway files, where markers are not allowed.
func parseSQLFile(file string, src string, d sqlsplit.Dialect, pairFile bool) (*parsedFile, error) {
	p := &fileParser{file: file, d: d, pairFile: pairFile, format: FormatStrata,
		preamble: &section{curFirst: 1}, sections: map[Direction]*section{}}
	src = strings.TrimPrefix(src, "\ufeff")
	for i, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		if err := p.line(i+1, line); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

func (p *fileParser) errorf(line int, format string, args ...any) *ParseError {
	return &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// target is the section the current line belongs to.
func (p *fileParser) target() *section {
	if p.cur != nil {
		return p.cur
	}
	return p.preamble
}

// opts are the options a strata directive on the current line sets: its
// section's, or the whole file's above the first marker.
func (p *fileParser) opts() *scriptOptions {
	if p.cur != nil {
		return &p.cur.opts
	}
	return &p.fileOpts
}

func (p *fileParser) line(n int, line string) error {
	d, ok, err := readDirective(line, n)
	if err != nil {
		return p.errorf(n, "%v", err)
	}
	s := p.target()
	if !ok {
		if s.cur.Len() == 0 {
			s.curFirst = n
		}
		s.cur.WriteString(line)
		s.cur.WriteString("\n")
		return nil
	}
	if err := p.apply(n, d); err != nil {
		return err
	}
	// Keep line numbers exact: a directive line becomes an empty line of
	// the text around it.
	s = p.target()
	if s.cur.Len() == 0 {
		s.curFirst = n + 1
	} else {
		s.cur.WriteString("\n")
	}
	return nil
}

// flush closes the text collected so far into a segment.
func (p *fileParser) flush(s *section, block bool) {
	if s.cur.Len() > 0 {
		s.segments = append(s.segments, segment{text: s.cur.String(), firstLine: s.curFirst, block: block, envsub: p.gooseEnvsub})
	}
	s.cur.Reset()
}

func (p *fileParser) apply(n int, d Directive) error {
	p.target().directives = append(p.target().directives, d)
	switch d.Name {
	case dirUp, dirDown:
		return p.startSection(Direction(d.Name), n, d)
	case dirNoTransaction:
		o := p.opts()
		if d.Format == FormatGoose {
			o = &p.fileOpts // goose's holds for the whole file wherever it is
		}
		o.noTx, o.noTxLine, o.noTxSource = true, n, d.Text
	case dirLockTimeout, dirStatementTimeout:
		dur, err := time.ParseDuration(d.Arg)
		if err != nil || dur <= 0 {
			return p.errorf(n, "-- strata:%s wants a duration such as 2s or 500ms, got %q", d.Name, d.Arg)
		}
		if d.Name == dirLockTimeout {
			p.opts().lockTimeout = dur
		} else {
			p.opts().stmtTimeout = dur
		}
	case dirEnvsub:
		return p.envsub(n, d)
	case dirBlockBegin:
		return p.beginBlock(n, d)
	case dirBlockEnd:
		return p.endBlock(n, d)
	case dirRestorePoint:
		for _, t := range strings.Split(d.Arg, ",") {
			if t = strings.TrimSpace(t); t != "" {
				p.opts().restorePoints = append(p.opts().restorePoints, t)
			}
		}
	}
	// lint-ignore is read by the linter, from the script's directives.
	return nil
}

func (p *fileParser) envsub(n int, d Directive) error {
	if d.Format == FormatGoose {
		// goose's holds from this line on, across sections.
		s := p.target()
		p.flush(s, p.inBlock)
		s.curFirst = n + 1
		p.gooseEnvsub = d.Arg == "on"
		return nil
	}
	switch strings.ToLower(d.Arg) {
	case "", "on":
		p.opts().envsub = true
	case "off":
		p.opts().envsub = false
	default:
		return p.errorf(n, "-- strata:envsub takes on or off, got %q", d.Arg)
	}
	return nil
}

func (p *fileParser) beginBlock(n int, d Directive) error {
	if p.inBlock {
		name := "statement-begin"
		if d.Format == FormatGoose {
			name = "StatementBegin"
		}
		return p.errorf(n, "%s inside the block opened at line %d", name, p.blockLine)
	}
	s := p.target()
	p.flush(s, false)
	s.curFirst = n + 1
	p.inBlock, p.blockLine, p.blockEnd = true, n, "-- strata:statement-end"
	if d.Format == FormatGoose {
		p.blockEnd = "-- +goose StatementEnd"
	}
	return nil
}

func (p *fileParser) endBlock(n int, d Directive) error {
	if !p.inBlock {
		if d.Format == FormatGoose {
			return p.errorf(n, "-- +goose StatementEnd without StatementBegin")
		}
		return p.errorf(n, "statement-end without statement-begin")
	}
	s := p.target()
	p.flush(s, true)
	s.curFirst = n + 1
	p.inBlock = false
	return nil
}

func (p *fileParser) startSection(dir Direction, n int, d Directive) error {
	if p.pairFile {
		return p.errorf(n, "section marker in a file whose name already says %q; remove the marker, or rename the file to VERSION_name.sql", "up/down")
	}
	if p.inBlock {
		return p.errorf(n, "section marker inside the statement block opened at line %d; close it with %s first", p.blockLine, p.blockEnd)
	}
	if p.sawMarker && p.format != d.Format {
		return p.errorf(n, "mixes %s and %s section markers; use one style per file", p.format, d.Format)
	}
	if s := p.sections[dir]; s != nil {
		return p.errorf(n, "second %s section (the first starts at line %d)", dir, s.marker)
	}
	if p.cur != nil {
		p.flush(p.cur, false)
	}
	// The marker was recorded in the section it ends; it belongs to the one
	// it starts.
	prev := p.target()
	prev.directives = prev.directives[:len(prev.directives)-1]
	p.format, p.sawMarker = d.Format, true
	p.cur = &section{curFirst: n + 1, marker: n, directives: []Directive{d}}
	p.sections[dir] = p.cur
	if d.Arg == "transaction:false" {
		p.cur.opts.noTx, p.cur.opts.noTxLine, p.cur.opts.noTxSource = true, n, "transaction:false"
	}
	return nil
}

func (p *fileParser) finish() (*parsedFile, error) {
	if p.inBlock {
		return nil, p.errorf(p.blockLine, "statement block is never closed with %s", p.blockEnd)
	}
	if p.cur != nil {
		p.flush(p.cur, false)
	}
	p.flush(p.preamble, false)
	pf := &parsedFile{format: p.format}
	pre, err := p.build(p.preamble, nil, p.fileOpts)
	if err != nil {
		return nil, err
	}
	if !p.sawMarker {
		pf.up = pre
		return pf, nil
	}
	// Text before the first marker may only be comments and blank lines.
	if len(pre.Statements) > 0 {
		st := pre.Statements[0]
		return nil, &ParseError{File: p.file, Line: st.Line, Col: st.Col, Msg: "statement before the first up/down section marker; move it under the up section"}
	}
	if s := p.sections[Up]; s != nil {
		if pf.up, err = p.build(s, pre.Directives, p.merge(s.opts)); err != nil {
			return nil, err
		}
	} else {
		return nil, p.errorf(p.sections[Down].marker, "has a down section but no up section")
	}
	if s := p.sections[Down]; s != nil {
		if pf.down, err = p.build(s, pre.Directives, p.merge(s.opts)); err != nil {
			return nil, err
		}
	}
	return pf, nil
}

// merge applies a section's own options over the file's.
func (p *fileParser) merge(o scriptOptions) scriptOptions {
	m := p.fileOpts
	if o.noTx {
		m.noTx, m.noTxLine, m.noTxSource = true, o.noTxLine, o.noTxSource
	}
	if o.lockTimeout > 0 {
		m.lockTimeout = o.lockTimeout
	}
	if o.stmtTimeout > 0 {
		m.stmtTimeout = o.stmtTimeout
	}
	m.envsub = m.envsub || o.envsub
	m.restorePoints = append(append([]string(nil), m.restorePoints...), o.restorePoints...)
	return m
}

// build turns a section into a script: its statements, its directives (the
// file's before them) and how it must run.
func (p *fileParser) build(s *section, fileDirectives []Directive, o scriptOptions) (*Script, error) {
	sc := &Script{File: p.file, LockTimeout: o.lockTimeout, StatementTimeout: o.stmtTimeout, Envsub: o.envsub, RestorePoint: o.restorePoints}
	sc.Directives = append(append([]Directive(nil), fileDirectives...), s.directives...)
	if o.noTx {
		sc.NoTransaction = true
		sc.NoTxReason = fmt.Sprintf("%s (line %d)", o.noTxSource, o.noTxLine)
	}
	for _, seg := range s.segments {
		if seg.block {
			if st, ok := blockStatement(seg); ok {
				st.Envsub = seg.envsub
				sc.Statements = append(sc.Statements, st)
			}
			continue
		}
		stmts, err := sqlsplit.Split(seg.text, sqlsplit.Options{Dialect: p.d, FirstLine: seg.firstLine, OnComment: func(c sqlsplit.Comment) {
			// A lint-ignore after a statement on its line is the
			// linter's; keep it with the script's directives.
			if d, ok := trailingIgnore(c); ok {
				sc.Directives = append(sc.Directives, d)
			}
		}})
		if err != nil {
			return nil, p.splitError(err)
		}
		for _, st := range stmts {
			sc.Statements = append(sc.Statements, Statement{SQL: st.SQL, Line: st.Line, Col: st.Col, Envsub: seg.envsub})
		}
	}
	classifyScript(sc, p.d)
	return sc, nil
}

func (p *fileParser) splitError(err error) *ParseError {
	var se *sqlsplit.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{File: p.file, Line: se.Line, Col: se.Col, Msg: se.Msg, Err: err}
	}
	return &ParseError{File: p.file, Msg: err.Error(), Err: err}
}

// trailingIgnore reads a strata:lint-ignore comment the splitter saw outside
// a statement (after one on its line, or a /* */ comment).
func trailingIgnore(c sqlsplit.Comment) (Directive, bool) {
	body := strings.TrimSpace(c.Text)
	switch {
	case strings.HasPrefix(body, "--"):
		body = strings.TrimPrefix(body, "--")
	case strings.HasPrefix(body, "/*"):
		body = strings.TrimSuffix(strings.TrimPrefix(body, "/*"), "*/")
	case strings.HasPrefix(body, "#"):
		body = strings.TrimPrefix(body, "#")
	}
	body = strings.TrimSpace(body)
	const prefix = "strata:lint-ignore"
	if len(body) < len(prefix) || !strings.EqualFold(body[:len(prefix)], prefix) {
		return Directive{}, false
	}
	return Directive{Format: FormatStrata, Name: dirLintIgnore, Arg: strings.TrimSpace(body[len(prefix):]), Line: c.Line, Col: c.Col, Text: c.Text}, true
}

// blockStatement turns a statement-begin/end block into one statement. The
// final semicolon, which goose files keep, is dropped: the block is sent as
// one statement.
func blockStatement(seg segment) (Statement, bool) {
	lines := strings.Split(seg.text, "\n")
	first := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "--") {
			first = i
			break
		}
	}
	if first < 0 {
		return Statement{}, false
	}
	body := strings.TrimRight(strings.Join(lines[first:], "\n"), " \t\r\n")
	body = strings.TrimSuffix(body, ";")
	col := len(lines[first]) - len(strings.TrimLeft(lines[first], " \t")) + 1
	return Statement{SQL: strings.TrimLeft(body, " \t"), Line: seg.firstLine + first, Col: col}, true
}

// classifyScript decides how a script must run: as written when it manages
// its own transaction, outside a transaction when a statement cannot run in
// one.
func classifyScript(sc *Script, d sqlsplit.Dialect) {
	for _, st := range sc.Statements {
		if sqlsplit.IsTransactionControl(st.SQL, d) {
			sc.ManagesTransaction = true
			if !sc.NoTransaction {
				sc.NoTransaction = true
				sc.NoTxReason = fmt.Sprintf("the file manages its own transaction (%s at line %d); it runs as written", firstWords(st.SQL), st.Line)
			}
			return
		}
	}
	if sc.NoTransaction {
		return
	}
	for _, st := range sc.Statements {
		if reason, ok := sqlsplit.NoTransaction(st.SQL, d); ok {
			sc.NoTransaction = true
			sc.NoTxReason = fmt.Sprintf("%s (line %d)", reason, st.Line)
			return
		}
	}
}

func firstWords(sql string) string {
	kw := sqlsplit.Keywords(sql, 2)
	return strings.Join(kw, " ")
}
