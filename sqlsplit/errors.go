package sqlsplit

import "fmt"

// SyntaxError reports text that Split cannot close: an unterminated string,
// quoted identifier, block comment, dollar quote or BEGIN ... END block, or
// a malformed DELIMITER line. Line and Col point at where the unclosed thing
// started, because that is where the mistake usually is; Line is offset by
// [Options.FirstLine].
type SyntaxError struct {
	Line   int    // 1-based line
	Col    int    // 1-based column, in bytes
	Offset int    // byte offset in the source
	Msg    string // what is wrong, lowercase, without the position
}

// Error returns "line L:C: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg)
}

// UnsetError reports a ${NAME} reference that [Envsub] could not resolve:
// lookup did not know NAME and the reference has no default.
type UnsetError struct {
	Line int    // 1-based line of the "$"
	Col  int    // 1-based column of the "$", in bytes
	Name string // the variable's name, without ${ }
}

// Error names the variable and says where values come from.
func (e *UnsetError) Error() string {
	return fmt.Sprintf("line %d:%d: ${%s} is not set (set it in strata.yaml vars or the environment)", e.Line, e.Col, e.Name)
}
