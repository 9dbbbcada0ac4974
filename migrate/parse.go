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

// knownDirectives are the strata directives; others are errors, so a typo
// never silently changes how a file runs.
var knownDirectives = []string{
	"up", "down", "no-transaction", "lock-timeout", "statement-timeout", "envsub",
	"statement-begin", "statement-end", "lint-ignore", "restore-point",
}

// segment is a run of lines of one section: either free SQL to split, or a
// statement-begin/end block that is one statement.
type segment struct {
	text      string
	firstLine int
	block     bool
	blockLine int  // line of the begin marker, for an unterminated block
	envsub    bool // goose ENVSUB ON was in force for these lines
}

type sectionState struct {
	segments []segment
	cur      *strings.Builder
	curFirst int
	seen     bool
	marker   int // line of the section marker
	opts     scriptOptions
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

// parseSQLFile splits a SQL file into its up and down scripts. A file with
// no section markers is all up. pairFile is true for .up.sql/.down.sql and
// Flyway files, where markers are not allowed.
func parseSQLFile(file string, src string, d sqlsplit.Dialect, pairFile bool) (*parsedFile, error) {
	src = strings.TrimPrefix(src, "\ufeff")
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	pf := &parsedFile{format: FormatStrata}
	var fileOpts scriptOptions
	sections := map[Direction]*sectionState{}
	var cur *sectionState // nil: before any marker
	preamble := &sectionState{cur: &strings.Builder{}, curFirst: 1}
	sawMarker := false
	inBlock := false
	gooseEnvsub := false // goose's ENVSUB ON holds from where it is written, across sections
	blockLine := 0
	blockHatch := ""

	flush := func(s *sectionState, block bool, bl int) {
		if s.cur.Len() > 0 {
			s.segments = append(s.segments, segment{text: s.cur.String(), firstLine: s.curFirst, block: block, blockLine: bl, envsub: gooseEnvsub})
		}
		s.cur = &strings.Builder{}
	}
	target := func() *sectionState {
		if cur != nil {
			return cur
		}
		return preamble
	}
	startSection := func(dir Direction, line int, format Format) error {
		if pairFile {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("section marker in a file whose name already says %q; remove the marker, or rename the file to VERSION_name.sql", "up/down")}
		}
		if inBlock {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("section marker inside the statement block opened at line %d; close it with %s first", blockLine, blockHatch)}
		}
		if sawMarker && pf.format != format {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("mixes %s and %s section markers; use one style per file", pf.format, format)}
		}
		if s := sections[dir]; s != nil {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("second %s section (the first starts at line %d)", dir, s.marker)}
		}
		if cur != nil {
			flush(cur, false, 0)
		}
		pf.format = format
		sawMarker = true
		cur = &sectionState{cur: &strings.Builder{}, curFirst: line + 1, seen: true, marker: line}
		sections[dir] = cur
		return nil
	}
	opts := func() *scriptOptions {
		if cur != nil {
			return &cur.opts
		}
		return &fileOpts
	}

	for i, line := range lines {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		handled := false
		if strings.HasPrefix(trimmed, "--") {
			body := strings.TrimSpace(strings.TrimPrefix(trimmed, "--"))
			lowerBody := strings.ToLower(body)
			switch {
			case strings.HasPrefix(lowerBody, "strata:"):
				handled = true
				word, arg, _ := strings.Cut(strings.TrimSpace(body[len("strata:"):]), " ")
				arg = strings.TrimSpace(arg)
				switch strings.ToLower(word) {
				case "up":
					if err := startSection(Up, n, FormatStrata); err != nil {
						return nil, err
					}
				case "down":
					if err := startSection(Down, n, FormatStrata); err != nil {
						return nil, err
					}
				case "no-transaction":
					o := opts()
					o.noTx, o.noTxLine, o.noTxSource = true, n, "-- strata:no-transaction"
				case "lock-timeout", "statement-timeout":
					dur, err := time.ParseDuration(arg)
					if err != nil || dur <= 0 {
						return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("-- strata:%s wants a duration such as 2s or 500ms, got %q", word, arg)}
					}
					if strings.ToLower(word) == "lock-timeout" {
						opts().lockTimeout = dur
					} else {
						opts().stmtTimeout = dur
					}
				case "envsub":
					switch strings.ToLower(arg) {
					case "", "on":
						opts().envsub = true
					case "off":
						opts().envsub = false
					default:
						return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("-- strata:envsub takes on or off, got %q", arg)}
					}
				case "statement-begin":
					if inBlock {
						return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("statement-begin inside the block opened at line %d", blockLine)}
					}
					s := target()
					flush(s, false, 0)
					s.curFirst = n + 1
					inBlock, blockLine, blockHatch = true, n, "-- strata:statement-end"
				case "statement-end":
					if !inBlock {
						return nil, &ParseError{File: file, Line: n, Msg: "statement-end without statement-begin"}
					}
					s := target()
					flush(s, true, blockLine)
					s.curFirst = n + 1
					inBlock = false
				case "lint-ignore":
					// Read by the linter; the runner has nothing to do.
				case "restore-point":
					for _, t := range strings.Split(arg, ",") {
						if t = strings.TrimSpace(t); t != "" {
							opts().restorePoints = append(opts().restorePoints, t)
						}
					}
				default:
					return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("unknown directive %q (known: -- strata:%s)", trimmed, strings.Join(knownDirectives, ", -- strata:"))}
				}
			case strings.HasPrefix(body, "+goose "):
				handled = true
				ann := strings.TrimSpace(body[len("+goose "):])
				switch strings.ToLower(ann) {
				case "up":
					if err := startSection(Up, n, FormatGoose); err != nil {
						return nil, err
					}
				case "down":
					if err := startSection(Down, n, FormatGoose); err != nil {
						return nil, err
					}
				case "statementbegin":
					if inBlock {
						return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("StatementBegin inside the block opened at line %d", blockLine)}
					}
					s := target()
					flush(s, false, 0)
					s.curFirst = n + 1
					inBlock, blockLine, blockHatch = true, n, "-- +goose StatementEnd"
				case "statementend":
					if !inBlock {
						return nil, &ParseError{File: file, Line: n, Msg: "-- +goose StatementEnd without StatementBegin"}
					}
					s := target()
					flush(s, true, blockLine)
					s.curFirst = n + 1
					inBlock = false
				case "no transaction":
					fileOpts.noTx, fileOpts.noTxLine, fileOpts.noTxSource = true, n, "-- +goose NO TRANSACTION"
				case "envsub on", "envsub off":
					s := target()
					flush(s, inBlock, blockLine)
					s.curFirst = n + 1
					gooseEnvsub = strings.HasSuffix(strings.ToLower(ann), "on")
				default:
					return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("unknown goose annotation %q", trimmed)}
				}
			case strings.HasPrefix(lowerBody, "migrate:up") || strings.HasPrefix(lowerBody, "migrate:down"):
				handled = true
				word, rest, _ := strings.Cut(body, " ")
				dir := Up
				if strings.EqualFold(word, "migrate:down") {
					dir = Down
				} else if !strings.EqualFold(word, "migrate:up") {
					handled = false
					break
				}
				if err := startSection(dir, n, FormatDbmate); err != nil {
					return nil, err
				}
				for _, o := range strings.Fields(rest) {
					k, v, _ := strings.Cut(o, ":")
					if !strings.EqualFold(k, "transaction") || (v != "false" && v != "true") {
						return nil, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("unknown dbmate option %q (known: transaction:false)", o)}
					}
					if v == "false" {
						cur.opts.noTx, cur.opts.noTxLine, cur.opts.noTxSource = true, n, "transaction:false"
					}
				}
			}
		}
		s := target()
		if handled {
			// Keep line numbers exact: a marker line becomes an empty line
			// of the text around it.
			if s.cur.Len() == 0 {
				s.curFirst = n + 1
			} else {
				s.cur.WriteString("\n")
			}
			continue
		}
		if s.cur.Len() == 0 {
			s.curFirst = n
		}
		s.cur.WriteString(line)
		s.cur.WriteString("\n")
	}
	if inBlock {
		return nil, &ParseError{File: file, Line: blockLine, Msg: fmt.Sprintf("statement block is never closed with %s", blockHatch)}
	}
	if cur != nil {
		flush(cur, false, 0)
	}
	flush(preamble, false, 0)

	build := func(s *sectionState, o scriptOptions) (*Script, error) {
		sc := &Script{File: file, LockTimeout: o.lockTimeout, StatementTimeout: o.stmtTimeout, Envsub: o.envsub, RestorePoint: o.restorePoints}
		if o.noTx {
			sc.NoTransaction = true
			sc.NoTxReason = fmt.Sprintf("%s (line %d)", o.noTxSource, o.noTxLine)
		}
		for _, seg := range s.segments {
			if seg.block {
				st, ok := blockStatement(seg)
				st.Envsub = seg.envsub
				if ok {
					sc.Statements = append(sc.Statements, st)
				}
				continue
			}
			stmts, err := sqlsplit.Split(seg.text, sqlsplit.Options{Dialect: d, FirstLine: seg.firstLine})
			if err != nil {
				var se *sqlsplit.SyntaxError
				if errors.As(err, &se) {
					return nil, &ParseError{File: file, Line: se.Line, Col: se.Col, Msg: se.Msg}
				}
				return nil, &ParseError{File: file, Msg: err.Error()}
			}
			for _, st := range stmts {
				sc.Statements = append(sc.Statements, Statement{SQL: st.SQL, Line: st.Line, Col: st.Col, Envsub: seg.envsub})
			}
		}
		classifyScript(sc, d)
		return sc, nil
	}
	merge := func(o scriptOptions) scriptOptions {
		m := fileOpts
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

	if !sawMarker {
		up, err := build(preamble, fileOpts)
		if err != nil {
			return nil, err
		}
		pf.up = up
		return pf, nil
	}
	// Text before the first marker may only be comments and blank lines.
	pre, err := build(preamble, fileOpts)
	if err != nil {
		return nil, err
	}
	if len(pre.Statements) > 0 {
		st := pre.Statements[0]
		return nil, &ParseError{File: file, Line: st.Line, Col: st.Col, Msg: "statement before the first up/down section marker; move it under the up section"}
	}
	if s := sections[Up]; s != nil {
		if pf.up, err = build(s, merge(s.opts)); err != nil {
			return nil, err
		}
	} else if pf.format == FormatGoose || pf.format == FormatStrata || pf.format == FormatDbmate {
		return nil, &ParseError{File: file, Line: sections[Down].marker, Msg: "has a down section but no up section"}
	}
	if s := sections[Down]; s != nil {
		if pf.down, err = build(s, merge(s.opts)); err != nil {
			return nil, err
		}
	}
	return pf, nil
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
