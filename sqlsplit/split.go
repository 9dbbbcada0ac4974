package sqlsplit

import "strings"

// Options tune [Split].
type Options struct {
	// Dialect selects the lexical rules. It is required.
	Dialect Dialect
	// FirstLine is the line number of src's first line in its file, for
	// text cut from the middle of a file (a section after a directive).
	// Values below 1 mean 1. Every reported line is offset by it; columns
	// are not.
	FirstLine int
	// OnComment, when set, is called for each comment that lies outside a
	// statement (between statements, or after the last one on its line),
	// in order. Comments inside a statement are part of its SQL.
	OnComment func(Comment)
}

// Comment is a comment outside any statement.
type Comment struct {
	// Text is the comment as written, delimiters included.
	Text string
	Line int // 1-based line of its first character, offset by FirstLine
	Col  int // 1-based column, in bytes
	// Offset is the byte offset of its first character in the source.
	Offset int
}

// Statement is one statement of the source.
type Statement struct {
	// SQL runs from the statement's first character that is neither
	// whitespace nor comment to its last one, so it never holds the
	// delimiter, trailing whitespace or a trailing comment. Comments
	// between its tokens are kept. SQL is a substring of the source:
	// src[Offset:Offset+len(SQL)].
	SQL     string
	Line    int // 1-based line of SQL's first character, offset by FirstLine
	Col     int // 1-based column of SQL's first character, in bytes
	EndLine int // line of SQL's last character, offset by FirstLine
	Offset  int // byte offset of SQL's first character in the source
}

// Split returns the statements of src in order. Text made only of
// whitespace and comments (and empty statements such as ";;") produces no
// statement. A statement may end without a delimiter at the end of src.
//
// Split returns a [*SyntaxError] when src has a string, quoted identifier,
// comment, dollar quote or compound block that never closes; nothing is
// returned with it, so a caller that stops on the error runs nothing of a
// broken file. Any other error is about opts.
//
// Split is linear in len(src) and safe for concurrent use.
func Split(src string, opts Options) ([]Statement, error) {
	if err := opts.Dialect.check(); err != nil {
		return nil, err
	}
	s := splitter{
		src:   src,
		lx:    lexer{src: src, d: opts.Dialect},
		lines: lineCursor{src: src},
		base:  max(opts.FirstLine, 1),
		onCmt: opts.OnComment,
		start: -1,
		blk:   block{d: opts.Dialect},
	}
	// A rough guess that avoids most regrowth on typical migrations.
	s.out = make([]Statement, 0, 1+strings.Count(src, ";")/2)
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.out, nil
}

// splitter is the state of one Split call.
type splitter struct {
	src   string
	lx    lexer
	lines lineCursor
	base  int
	out   []Statement
	start int // offset of the open statement's first token; -1 if none
	last  int // end of the open statement's last significant token
	blk   block
	// paren counts open parentheses on PostgreSQL, where a rule's action
	// list, DO ALSO (INSERT …; INSERT …), holds semicolons; psql does the same.
	paren int
	onCmt func(Comment)
}

func (s *splitter) run() error {
	src := s.src
	for {
		t := s.lx.next()
		switch t.kind {
		case tokEOF:
			if s.start >= 0 {
				if s.blk.depth() > 0 {
					in := s.blk.stack[len(s.blk.stack)-1]
					return s.errorAt(in.off, s.blk.unclosedMsg()+" (opened here)")
				}
				s.end()
			}
			return nil
		case tokError:
			return s.errorAt(t.start, s.lx.msg+" (opened here)")
		case tokSpace:
			continue
		case tokComment:
			if s.onCmt != nil && s.start < 0 {
				line, col := s.lines.at(t.start)
				s.onCmt(Comment{Text: src[t.start:t.end], Line: s.base + line, Col: col, Offset: t.start})
			}
			continue
		case tokDelim:
			s.end()
			continue
		case tokWord:
			if s.lx.d == MySQL && t.end-t.start == len("DELIMITER") &&
				strings.EqualFold(src[t.start:t.end], "DELIMITER") && s.delimiterLine(t) {
				if err := s.delimiter(t); err != nil {
					return err
				}
				continue
			}
		}
		semi := t.kind == tokPunct && src[t.start] == ';' && s.lx.delim == ""
		if s.start < 0 {
			if semi {
				continue // an empty statement
			}
			s.start = t.start
			s.blk.reset()
			if s.lx.delim != "" {
				// A custom delimiter ends statements on its own.
				s.blk.mode = modeOff
			}
		}
		s.blk.feed(src, t)
		if s.lx.d == Postgres && t.kind == tokPunct {
			switch src[t.start] {
			case '(':
				s.paren++
			case ')':
				if s.paren > 0 {
					s.paren--
				}
			}
		}
		if semi && s.blk.depth() == 0 && s.paren == 0 {
			s.end()
			continue
		}
		s.last = t.end
	}
}

// end closes the open statement, if any.
func (s *splitter) end() {
	s.paren = 0
	if s.start < 0 {
		return
	}
	line, col := s.lines.at(s.start)
	endLine, _ := s.lines.at(s.last - 1)
	s.out = append(s.out, Statement{
		SQL:     s.src[s.start:s.last],
		Line:    s.base + line,
		Col:     col,
		EndLine: s.base + endLine,
		Offset:  s.start,
	})
	s.start = -1
}

func (s *splitter) errorAt(off int, msg string) *SyntaxError {
	line, col := s.lines.at(off)
	return &SyntaxError{Line: s.base + line, Col: col, Offset: off, Msg: msg}
}

// delimiterLine reports whether the word DELIMITER at t is the mysql
// client's command: first on its line and followed by a blank or the end
// of the line.
func (s *splitter) delimiterLine(t token) bool {
	src := s.src
	if t.end < len(src) {
		if c := src[t.end]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	i := t.start
	for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	return i == 0 || src[i-1] == '\n' || (i == len(bom) && strings.HasPrefix(src, bom))
}

// delimiter handles a DELIMITER line as the mysql client does: the open
// statement ends, the first argument becomes the delimiter (quotes around it
// are removed), and the rest of the line is ignored.
func (s *splitter) delimiter(t token) error {
	src := s.src
	eol := len(src)
	if k := strings.IndexByte(src[t.end:], '\n'); k >= 0 {
		eol = t.end + k
	}
	arg := strings.TrimLeft(src[t.end:eol], " \t")
	if arg != "" && (arg[0] == '\'' || arg[0] == '"' || arg[0] == '`') {
		if k := strings.IndexByte(arg[1:], arg[0]); k >= 0 {
			arg = arg[1 : 1+k]
		} else {
			arg = arg[1:]
		}
	}
	if k := strings.IndexAny(arg, " \t\r\f\v"); k >= 0 {
		arg = arg[:k]
	}
	switch {
	case arg == "":
		return s.errorAt(t.start, "DELIMITER needs an argument, such as DELIMITER // (and DELIMITER ; to go back)")
	case strings.IndexByte(arg, '\\') >= 0:
		return s.errorAt(t.start, "DELIMITER cannot contain a backslash")
	}
	s.end()
	s.lx.delim = arg
	if arg == ";" {
		s.lx.delim = ""
	}
	s.lx.pos = eol
	return nil
}

// lineCursor converts offsets to lines. Split asks for offsets in
// increasing order, so counting continues from the last answer and the
// total work stays linear.
type lineCursor struct {
	src       string
	pos       int // offset counted up to
	line      int // 0-based line of pos
	lineStart int // offset where that line starts
}

// at returns the 0-based line and 1-based byte column of offset off.
func (c *lineCursor) at(off int) (line, col int) {
	if off < c.pos {
		*c = lineCursor{src: c.src}
	}
	seg := c.src[c.pos:off]
	if n := strings.Count(seg, "\n"); n > 0 {
		c.line += n
		c.lineStart = c.pos + strings.LastIndexByte(seg, '\n') + 1
	}
	c.pos = off
	return c.line, off - c.lineStart + 1
}
