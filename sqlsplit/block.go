package sqlsplit

import "strings"

// kw identifies the few keywords that decide where a compound statement
// ends. Everything else is kwNone.
type kw uint8

const (
	kwNone kw = iota
	kwAggregate
	kwAtomic
	kwBegin
	kwCase
	kwCreate
	kwDefiner
	kwDo
	kwElse
	kwEnd
	kwEvent
	kwExists
	kwFunction
	kwIf
	kwInvoker
	kwLoop
	kwNot
	kwOr
	kwProcedure
	kwRepeat
	kwReplace
	kwRow
	kwSecurity
	kwSQL
	kwTemp
	kwThen
	kwTrigger
	kwView
	kwWhile
)

// lookupKW returns w's keyword, comparing without regard to case. It
// switches on length first so that most identifiers cost one comparison.
func lookupKW(w string) kw {
	eq := strings.EqualFold
	switch len(w) {
	case 2:
		switch {
		case eq(w, "IF"):
			return kwIf
		case eq(w, "OR"):
			return kwOr
		case eq(w, "DO"):
			return kwDo
		}
	case 3:
		switch {
		case eq(w, "END"):
			return kwEnd
		case eq(w, "NOT"):
			return kwNot
		case eq(w, "ROW"):
			return kwRow
		case eq(w, "SQL"):
			return kwSQL
		}
	case 4:
		switch {
		case eq(w, "CASE"):
			return kwCase
		case eq(w, "LOOP"):
			return kwLoop
		case eq(w, "THEN"):
			return kwThen
		case eq(w, "ELSE"):
			return kwElse
		case eq(w, "TEMP"):
			return kwTemp
		case eq(w, "VIEW"):
			return kwView
		}
	case 5:
		switch {
		case eq(w, "BEGIN"):
			return kwBegin
		case eq(w, "WHILE"):
			return kwWhile
		case eq(w, "EVENT"):
			return kwEvent
		}
	case 6:
		switch {
		case eq(w, "CREATE"):
			return kwCreate
		case eq(w, "REPEAT"):
			return kwRepeat
		case eq(w, "ATOMIC"):
			return kwAtomic
		case eq(w, "EXISTS"):
			return kwExists
		}
	case 7:
		switch {
		case eq(w, "REPLACE"):
			return kwReplace
		case eq(w, "DEFINER"):
			return kwDefiner
		case eq(w, "TRIGGER"):
			return kwTrigger
		case eq(w, "INVOKER"):
			return kwInvoker
		}
	case 8:
		switch {
		case eq(w, "FUNCTION"):
			return kwFunction
		case eq(w, "SECURITY"):
			return kwSecurity
		}
	case 9:
		switch {
		case eq(w, "PROCEDURE"):
			return kwProcedure
		case eq(w, "AGGREGATE"):
			return kwAggregate
		case eq(w, "TEMPORARY"):
			return kwTemp
		}
	}
	return kwNone
}

// blockMode is how far block has got in classifying the open statement.
type blockMode uint8

const (
	modeStart    blockMode = iota // no token seen yet
	modeOff                       // a plain statement: the next ";" ends it
	modeCreate                    // read CREATE [OR REPLACE ...], kind not yet seen
	modeDefiner                   // MySQL: reading the user after DEFINER
	modeBegin                     // MySQL: read BEGIN, want NOT ATOMIC
	modeBeginNot                  // MySQL: read BEGIN NOT, want ATOMIC
	modeBody                      // a routine, trigger or event: blocks nest
)

// pending is a keyword whose meaning depends on the tokens after it.
type pending uint8

const (
	pendNone    pending = iota
	pendIf              // MySQL IF: a block, or IF(...), IF EXISTS
	pendIfParen         // MySQL IF (: a block unless a comma shows a call
	pendRepeat          // MySQL REPEAT: a loop, or REPEAT(...)
	pendAtomic          // PostgreSQL BEGIN: a body only if ATOMIC follows
)

// opener is an unclosed block, kept to report where it started.
type opener struct {
	off  int
	what kw
}

// block follows the nesting of BEGIN ... END and friends in the statement
// being split, so that the ";" inside a routine body does not end it. It is
// fed every token of the statement except whitespace and comments.
type block struct {
	d         Dialect
	mode      blockMode
	stack     []opener
	definer   int  // tokens read since DEFINER
	afterEnd  bool // the previous token was END: IF, CASE ... close, not open
	stmtStart bool // MySQL: the next token starts a statement inside a body
	pend      pending
	pendOff   int
	pendStart bool // the pending IF started a statement
	paren     int  // parenthesis depth after a pending IF (
}

func (b *block) reset() {
	b.mode = modeStart
	b.stack = b.stack[:0]
	b.definer = 0
	b.afterEnd, b.stmtStart = false, false
	b.pend = pendNone
}

func (b *block) depth() int { return len(b.stack) }

func (b *block) push(off int, what kw) { b.stack = append(b.stack, opener{off, what}) }

func (b *block) pop() {
	if len(b.stack) > 0 {
		b.stack = b.stack[:len(b.stack)-1]
	}
}

// feed advances the state by one significant token t of src.
func (b *block) feed(src string, t token) {
	if b.mode == modeOff {
		return
	}
	id := kwNone
	if t.kind == tokWord {
		id = lookupKW(src[t.start:t.end])
	}
	var punct byte
	if t.kind == tokPunct {
		punct = src[t.start]
	}
	switch b.mode {
	case modeStart:
		switch {
		case id == kwCreate:
			b.mode = modeCreate
		case id == kwBegin && b.d == MySQL:
			// MariaDB's anonymous block: BEGIN NOT ATOMIC ... END.
			b.mode = modeBegin
			b.pendOff = t.start
		default:
			b.mode = modeOff
		}
	case modeCreate:
		b.create(id)
	case modeDefiner:
		// DEFINER = user[@host] or CURRENT_USER[()]: a handful of tokens.
		switch id {
		case kwProcedure, kwFunction, kwTrigger, kwEvent:
			b.mode = modeBody
		case kwSQL, kwAggregate:
			b.mode = modeCreate
		case kwView:
			b.mode = modeOff
		default:
			if b.definer++; b.definer > 6 {
				b.mode = modeOff
			}
		}
	case modeBegin:
		b.mode = modeOff
		if id == kwNot {
			b.mode = modeBeginNot
		}
	case modeBeginNot:
		b.mode = modeOff
		if id == kwAtomic {
			b.mode = modeBody
			b.push(b.pendOff, kwBegin)
			b.stmtStart = true
		}
	case modeBody:
		b.body(t.start, id, punct)
	}
}

// create reads the words between CREATE and the object kind.
func (b *block) create(id kw) {
	switch b.d {
	case MySQL:
		switch id {
		case kwOr, kwReplace, kwAggregate, kwSQL, kwSecurity, kwInvoker:
		case kwDefiner:
			b.mode = modeDefiner
			b.definer = 0
		case kwProcedure, kwFunction, kwTrigger, kwEvent:
			b.mode = modeBody
		default:
			b.mode = modeOff
		}
	case Postgres:
		switch id {
		case kwOr, kwReplace:
		case kwProcedure, kwFunction:
			b.mode = modeBody
		default:
			b.mode = modeOff
		}
	case SQLite:
		switch id {
		case kwTemp:
		case kwTrigger:
			b.mode = modeBody
		default:
			b.mode = modeOff
		}
	default:
		b.mode = modeOff
	}
}

// body tracks nesting inside a routine, trigger or event.
func (b *block) body(off int, id kw, punct byte) {
	switch b.pend {
	case pendIf:
		b.pend = pendNone
		switch {
		case punct == '(':
			b.pend = pendIfParen
			b.paren = 1
			b.afterEnd, b.stmtStart = false, false
			return
		case id == kwExists || id == kwNot:
			// IF [NOT] EXISTS (SELECT ...) THEN starts a statement;
			// DROP TABLE IF EXISTS t does not.
			if b.pendStart {
				b.push(b.pendOff, kwIf)
			}
		case punct == ';':
		default:
			b.push(b.pendOff, kwIf)
		}
	case pendIfParen:
		// IF(a, b, c) is the function; IF (a > b) THEN the statement.
		switch punct {
		case '(':
			b.paren++
		case ')':
			if b.paren--; b.paren == 0 {
				b.pend = pendNone
				b.push(b.pendOff, kwIf)
			}
		case ',':
			if b.paren == 1 {
				b.pend = pendNone
			}
		case ';':
			b.pend = pendNone
		}
	case pendRepeat:
		b.pend = pendNone
		if punct != '(' && punct != ';' {
			b.push(b.pendOff, kwRepeat)
		}
	case pendAtomic:
		b.pend = pendNone
		if id == kwAtomic {
			b.push(b.pendOff, kwBegin)
			b.afterEnd, b.stmtStart = false, false
			return
		}
	}

	afterEnd, start := b.afterEnd, b.stmtStart
	b.afterEnd, b.stmtStart = false, false
	switch b.d {
	case MySQL:
		switch id {
		case kwBegin:
			b.push(off, kwBegin)
			b.stmtStart = true
		case kwEnd:
			b.pop()
			b.afterEnd = true
		case kwIf:
			if !afterEnd {
				b.pend, b.pendOff, b.pendStart = pendIf, off, start
			}
		case kwCase, kwWhile:
			if !afterEnd {
				b.push(off, id)
			}
		case kwLoop:
			if !afterEnd {
				b.push(off, kwLoop)
				b.stmtStart = true
			}
		case kwRepeat:
			switch {
			case afterEnd:
			case start:
				b.push(off, kwRepeat)
				b.stmtStart = true
			default:
				b.pend, b.pendOff = pendRepeat, off
			}
		case kwThen, kwElse, kwDo, kwRow:
			b.stmtStart = true
		}
		if punct == ';' || punct == ':' {
			b.stmtStart = true
		}
	case Postgres:
		switch id {
		case kwBegin:
			b.pend, b.pendOff = pendAtomic, off
		case kwCase:
			if b.depth() > 0 {
				b.push(off, kwCase)
			}
		case kwEnd:
			b.pop()
		}
	case SQLite:
		switch id {
		case kwBegin, kwCase:
			b.push(off, id)
		case kwEnd:
			b.pop()
		}
	}
}

// unclosedMsg describes the innermost open block.
func (b *block) unclosedMsg() string {
	switch b.stack[len(b.stack)-1].what {
	case kwIf:
		return "unterminated IF ... END IF block"
	case kwCase:
		return "unterminated CASE ... END"
	case kwLoop:
		return "unterminated LOOP ... END LOOP block"
	case kwWhile:
		return "unterminated WHILE ... END WHILE block"
	case kwRepeat:
		return "unterminated REPEAT ... END REPEAT block"
	}
	return "unterminated BEGIN ... END block"
}
