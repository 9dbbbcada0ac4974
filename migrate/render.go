package migrate

import (
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/strata-db/strata/sqlsplit"
)

// render applies ${NAME} placeholders when the script enables them.
func (p *Provider) render(sc *Script, s Statement) (string, error) {
	if sc.Placeholders {
		return p.flywayPlaceholders(sc, s)
	}
	if !sc.Envsub && !s.Envsub {
		return s.SQL, nil
	}
	out, err := sqlsplit.Envsub(s.SQL, SplitDialect(p.d.Name()), p.o.vars)
	if err != nil {
		line, col, msg := 0, 0, ""
		var se *sqlsplit.SyntaxError
		var ue *sqlsplit.UnsetError
		switch {
		case errors.As(err, &ue):
			line, col, msg = ue.Line, ue.Col, fmt.Sprintf("${%s} is not set (set it in strata.yaml vars or the environment)", ue.Name)
		case errors.As(err, &se):
			line, col, msg = se.Line, se.Col, se.Msg
		}
		if line > 0 {
			if line == 1 {
				col += s.Col - 1
			}
			return "", &ParseError{File: sc.File, Line: s.Line + line - 1, Col: col, Msg: msg, Err: err}
		}
		return "", &ParseError{File: sc.File, Line: s.Line, Msg: err.Error(), Err: err}
	}
	return out, nil
}

var placeholderRe = regexp.MustCompile(`\$\{([A-Za-z0-9_.:-]+)\}`)

// flywayPlaceholders replaces ${name} everywhere in a Flyway file, strings
// included, as Flyway does by default: its built-in flyway:* names, then
// strata.yaml vars and the environment. An unknown name is an error, as in
// Flyway.
func (p *Provider) flywayPlaceholders(sc *Script, s Statement) (string, error) {
	if !strings.Contains(s.SQL, "${") {
		return s.SQL, nil
	}
	var missing string
	out := placeholderRe.ReplaceAllStringFunc(s.SQL, func(m string) string {
		name := m[2 : len(m)-1]
		switch name {
		case "flyway:filename":
			return path.Base(sc.File)
		case "flyway:timestamp":
			return time.Now().UTC().Format("2006-01-02 15:04:05")
		case "flyway:workingDirectory":
			wd, _ := os.Getwd()
			return wd
		}
		if v, ok := p.flyway[name]; ok {
			return v
		}
		if v, ok := p.o.vars(name); ok {
			return v
		}
		if missing == "" {
			missing = name
		}
		return m
	})
	if missing != "" {
		return "", &ParseError{File: sc.File, Line: s.Line, Msg: fmt.Sprintf("no value for Flyway placeholder ${%s}: set it in strata.yaml vars or the environment", missing)}
	}
	return out, nil
}
