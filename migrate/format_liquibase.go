package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// FormatLiquibase is a Liquibase formatted SQL file: "--liquibase formatted
// sql" on its first line, then changesets.
const FormatLiquibase Format = "liquibase"

// Liquibase's own patterns (FormattedSqlChangeLogParser), matched
// case-insensitively as Liquibase matches them.
var (
	lbFirstLine  = regexp.MustCompile(`(?i)^--\s*liquibase formatted.*`)
	lbChangeset  = regexp.MustCompile(`(?i)^\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+)(.*)$`)
	lbRollback   = regexp.MustCompile(`(?i)^\s*--[\s]*rollback (.*)$`)
	lbRollbackML = regexp.MustCompile(`(?i)^\s*/\*\s*liquibase\s*rollback\s*$`)
	lbComment    = regexp.MustCompile(`(?i)^--[\s]*comments?:? (.*)$`)
	lbValidSum   = regexp.MustCompile(`(?i)^--[\s]*validCheckSum:? (.*)$`)
	lbLogical    = regexp.MustCompile(`(?i)logicalFilePath:(\S*)`)
	// Lines Liquibase gives a meaning strata does not run: refused, so a
	// file never runs differently under strata than under Liquibase.
	lbUnsupported = regexp.MustCompile(`(?i)^\s*--[\s]*(property|preconditions|precondition-[a-z0-9-]+|ignoreLines:\w+|ignore:\w+)\b`)
	lbLeadDigits  = regexp.MustCompile(`^([0-9]+)`)
)

// isLiquibaseSQL reports whether src is a Liquibase formatted SQL file: its
// first non-blank line is "--liquibase formatted sql".
func isLiquibaseSQL(src []byte) bool {
	for line := range strings.SplitSeq(strings.TrimPrefix(string(src), "\ufeff"), "\n") {
		if t := strings.TrimSpace(line); t != "" {
			return lbFirstLine.MatchString(t)
		}
	}
	return false
}

// loadLiquibase reads the Liquibase formatted SQL files among paths (taking
// them out of paths) into one migration per changeset. A file named
// VERSION_name.sql gives its changesets versions VERSION.1, VERSION.2, … in
// file order, so a changeset added to the end of a file never renumbers the
// others; a lone changelog without a version in its name (changelog.sql)
// numbers its changesets 1, 2, ….
func loadLiquibase(fsys fs.FS, d sqlsplit.Dialect, engine string, paths []string, skip func(file, reason string)) (rest []string, out []*Migration, perrs ParseErrors) {
	var files []string
	for _, p := range paths {
		if strings.HasSuffix(strings.ToLower(p), ".sql") && !strings.Contains(p, "/") {
			if src, err := fs.ReadFile(fsys, p); err == nil && isLiquibaseSQL(src) {
				files = append(files, p)
				continue
			}
		}
		rest = append(rest, p)
	}
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			perrs = append(perrs, &ParseError{File: f, Msg: err.Error(), Err: err})
			continue
		}
		prefix := Version("")
		if m := lbLeadDigits.FindString(path.Base(f)); m != "" {
			v, err := ParseVersion(m)
			if err != nil {
				perrs = append(perrs, &ParseError{File: f, Msg: "bad migration file name: " + err.Error()})
				continue
			}
			prefix = v
		} else if len(files) > 1 {
			perrs = append(perrs, &ParseError{File: f, Msg: "a Liquibase changelog among several needs a version at the start of its name (001_tables.sql) so strata knows their order; rename the files in the order your master changelog includes them"})
			continue
		}
		ms, errs := parseLiquibase(f, string(src), d, engine, prefix, skip)
		perrs = append(perrs, errs...)
		out = append(out, ms...)
	}
	return rest, out, perrs
}

// lbChange is one changeset being read.
type lbChange struct {
	author, id, attrs string
	line              int
	body, rollback    []string // lines, blank where a line was a directive
	rollbackLine      int
	text              []string // the changeset's lines as written, for its checksum
}

// parseLiquibase splits one formatted SQL file into its changesets.
func parseLiquibase(file, src string, d sqlsplit.Dialect, engine string, prefix Version, skip func(file, reason string)) ([]*Migration, ParseErrors) {
	var (
		perrs   ParseErrors
		changes []*lbChange
		cur     *lbChange
		inML    bool // inside /* liquibase rollback ... */
		logical string
	)
	lines := strings.Split(strings.ReplaceAll(strings.TrimPrefix(src, "\ufeff"), "\r\n", "\n"), "\n")
	for i, line := range lines {
		n := i + 1
		if cur == nil && lbFirstLine.MatchString(strings.TrimSpace(line)) {
			if m := lbLogical.FindStringSubmatch(line); m != nil {
				logical = m[1]
			}
			continue
		}
		if m := lbChangeset.FindStringSubmatch(line); m != nil && !inML {
			cur = &lbChange{author: strings.Trim(m[1], `"`), id: strings.Trim(m[2], `"`), attrs: m[3], line: n}
			changes = append(changes, cur)
			cur.text = append(cur.text, line)
			continue
		}
		if cur == nil {
			if lbUnsupported.MatchString(line) {
				perrs = append(perrs, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("%q: strata does not read Liquibase properties or preconditions; substitute the value or remove the line", strings.TrimSpace(line))})
			} else if strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "--") {
				perrs = append(perrs, &ParseError{File: file, Line: n, Msg: "SQL before the first --changeset author:id line; Liquibase refuses it too"})
			}
			continue
		}
		cur.text = append(cur.text, line)
		switch {
		case inML:
			if strings.HasSuffix(strings.TrimSpace(line), "*/") {
				inML = false
				line = strings.TrimSuffix(strings.TrimSpace(line), "*/")
			}
			cur.rollback = append(cur.rollback, line)
			cur.body = append(cur.body, "")
		case lbRollbackML.MatchString(line):
			inML = true
			if cur.rollbackLine == 0 {
				cur.rollbackLine = n
			}
			cur.rollback = append(cur.rollback, "")
			cur.body = append(cur.body, "")
		case lbRollback.MatchString(line):
			if cur.rollbackLine == 0 {
				cur.rollbackLine = n
			}
			cur.rollback = append(cur.rollback, lbRollback.FindStringSubmatch(line)[1])
			cur.body = append(cur.body, "")
		case lbUnsupported.MatchString(line):
			perrs = append(perrs, &ParseError{File: file, Line: n, Msg: fmt.Sprintf("%q: strata does not run Liquibase preconditions, properties or ignored lines; remove the line (check the precondition by hand) or keep this changelog under Liquibase", strings.TrimSpace(line))})
			cur.body = append(cur.body, "")
			cur.rollback = append(cur.rollback, "")
		case lbComment.MatchString(line), lbValidSum.MatchString(line):
			cur.body = append(cur.body, "")
			cur.rollback = append(cur.rollback, "")
		default:
			cur.body = append(cur.body, line)
			cur.rollback = append(cur.rollback, "")
		}
	}
	if inML {
		perrs = append(perrs, &ParseError{File: file, Line: len(lines), Msg: "/* liquibase rollback is never closed with */"})
	}
	if len(changes) == 0 && len(perrs) == 0 {
		perrs = append(perrs, &ParseError{File: file, Msg: "a Liquibase formatted SQL file without a --changeset author:id line"})
	}
	var out []*Migration
	seen := map[string]int{}
	for k, c := range changes {
		if prev, ok := seen[c.author+":"+c.id]; ok {
			perrs = append(perrs, &ParseError{File: file, Line: c.line, Msg: fmt.Sprintf("changeset %s:%s is also at line %d; Liquibase refuses a duplicate too", c.author, c.id, prev)})
			continue
		}
		seen[c.author+":"+c.id] = c.line
		m, skipReason, err := c.migration(file, d, engine, prefix, k+1)
		if err != nil {
			perrs = append(perrs, err)
			continue
		}
		if skipReason != "" {
			if skip != nil {
				skip(fmt.Sprintf("%s:%d", file, c.line), skipReason)
			}
			continue
		}
		m.Origin = c.id + "::" + c.author + "::" + file
		if logical != "" {
			m.Origin = c.id + "::" + c.author + "::" + logical
		}
		out = append(out, m)
	}
	return out, perrs
}

// lbAttr returns the value of a changeset attribute, or "".
func lbAttr(attrs, name string) string {
	re := regexp.MustCompile(`(?i)(?:^|\s)` + name + `:("[^"]*"|\S*)`)
	if m := re.FindStringSubmatch(attrs); m != nil {
		return strings.Trim(m[1], `"`)
	}
	return ""
}

// lbDBMS maps strata's engine names to Liquibase's dbms names.
var lbDBMS = map[string][]string{"postgres": {"postgresql"}, "mysql": {"mysql", "mariadb"}, "sqlite": {"sqlite"}}

// migration turns the changeset into a migration. skipReason is set when
// Liquibase would not run it on this engine (dbms:).
func (c *lbChange) migration(file string, d sqlsplit.Dialect, engine string, prefix Version, ordinal int) (*Migration, string, *ParseError) {
	perr := func(msg string) *ParseError { return &ParseError{File: file, Line: c.line, Msg: msg} }
	for _, a := range []string{"runOnChange", "runAlways"} {
		if strings.EqualFold(lbAttr(c.attrs, a), "true") {
			return nil, "", perr(fmt.Sprintf("changeset %s:%s has %s:true; strata runs a versioned change once — make it a repeatable migration (R__name.sql) instead", c.author, c.id, a))
		}
	}
	for _, a := range []string{"context", "contextFilter", "labels"} {
		if v := lbAttr(c.attrs, a); v != "" {
			return nil, "", perr(fmt.Sprintf("changeset %s:%s has %s:%s; strata runs every changeset whatever the context, so move it out of the directory (or drop the attribute) before strata runs it", c.author, c.id, a, v))
		}
	}
	if strings.EqualFold(lbAttr(c.attrs, "failOnError"), "false") {
		return nil, "", perr(fmt.Sprintf("changeset %s:%s has failOnError:false; strata never ignores a failing statement", c.author, c.id))
	}
	if v := lbAttr(c.attrs, "dbms"); v != "" {
		match, negated := false, true
		for _, name := range strings.Split(strings.ToLower(v), ",") {
			name = strings.TrimSpace(name)
			neg := strings.HasPrefix(name, "!")
			negated = negated && neg
			for _, want := range lbDBMS[engine] {
				if strings.TrimPrefix(name, "!") == want || name == "all" {
					match = !neg
				}
			}
		}
		if negated && !match {
			match = !strings.Contains(strings.ToLower(v), "!"+lbDBMS[engine][0])
		}
		if !match {
			return nil, fmt.Sprintf("changeset %s:%s is for dbms:%s, so Liquibase does not run it on %s either", c.author, c.id, v, engine), nil
		}
	}
	if dl := lbAttr(c.attrs, "endDelimiter"); dl != "" && dl != ";" {
		return nil, "", perr(fmt.Sprintf("changeset %s:%s has endDelimiter:%s; strata splits statements at ; — use splitStatements:false for a body that is one statement", c.author, c.id, dl))
	}
	v := VersionInt(int64(ordinal))
	if prefix != "" {
		v = Version(string(prefix) + "." + string(v))
	}
	up, err := c.script(file, c.body, c.line+1, d, lbAttr(c.attrs, "splitStatements"))
	if err != nil {
		return nil, "", err
	}
	if strings.EqualFold(lbAttr(c.attrs, "runInTransaction"), "false") && !up.ManagesTransaction {
		up.NoTransaction, up.NoTxReason = true, fmt.Sprintf("runInTransaction:false (line %d)", c.line)
	}
	m := &Migration{Version: v, Name: lbName(c.id), Kind: KindSQL, Format: FormatLiquibase, Files: []string{file}, Up: up}
	rb := strings.TrimSpace(strings.Join(c.rollback, "\n"))
	switch {
	case strings.EqualFold(rb, "not required") || strings.EqualFold(rb, "empty"):
		// Liquibase's way of saying the changeset needs nothing undone.
		m.Down = &Script{File: file}
	case rb != "":
		if m.Down, err = c.script(file, c.rollback, c.line+1, d, lbAttr(c.attrs, "rollbackSplitStatements")); err != nil {
			return nil, "", err
		}
		if len(m.Down.Statements) == 0 {
			m.Down, m.EmptyDown = nil, file
		}
	}
	m.Source, m.Checksum = checksum([]string{file}, []string{strings.Join(c.text, "\n")})
	return m, "", nil
}

// script splits the lines of a changeset's body or rollback, keeping their
// line numbers.
func (c *lbChange) script(file string, lines []string, first int, d sqlsplit.Dialect, split string) (*Script, *ParseError) {
	sc := &Script{File: file}
	text := strings.Join(lines, "\n")
	if strings.EqualFold(split, "false") {
		if body := strings.TrimSpace(text); body != "" {
			lead := len(text) - len(strings.TrimLeft(text, " \t\n"))
			line := first + strings.Count(text[:lead], "\n")
			sc.Statements = []Statement{{SQL: strings.TrimSuffix(body, ";"), Line: line, Col: 1}}
		}
	} else {
		stmts, err := sqlsplit.Split(text, sqlsplit.Options{Dialect: d, FirstLine: first})
		if err != nil {
			p := &fileParser{file: file}
			return nil, p.splitError(err)
		}
		for _, st := range stmts {
			sc.Statements = append(sc.Statements, Statement{SQL: st.SQL, Line: st.Line, Col: st.Col})
		}
	}
	classifyScript(sc, d)
	return sc, nil
}

// lbName makes a changeset id a migration name.
func lbName(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
