package lint

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/strata-db/strata/migrate"
)

// Engine names the SQL engine whose grammar and locking rules apply.
type Engine string

// Engines.
const (
	Postgres Engine = "postgres"
	MySQL    Engine = "mysql"
)

// Severity is how bad a finding is: an error blocks `strata up`, a warning
// is advice.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// Options configures a Linter. The zero value lints PostgreSQL 14.
type Options struct {
	// Engine is the SQL engine; default Postgres.
	Engine Engine
	// ServerVersion is the target server version: "15", "9.6", "11.4" for
	// PostgreSQL; "8.0.35", "5.7", "10.6" (MariaDB, major 10 and up) for MySQL.
	// Default: PostgreSQL 14, MySQL 8.0.35.
	ServerVersion string
	// Config sets rule severities and ignored paths (strata.yaml's lint key).
	Config Config
	// IncludeDown also lints the down part of migration files.
	IncludeDown bool
	// Runner is set when strata itself runs the statements: its runner sets
	// lock_timeout, so the lock-timeout-missing rule is not reported.
	Runner bool
	// History says the files given to [Linter.LintPaths] are one migration
	// history, in order: what earlier files set up (a validated CHECK
	// (col IS NOT NULL), a column's type) then informs later files. Off by
	// default, since unrelated examples would inform each other wrongly.
	// Tables are "existing" in later files either way.
	History bool
	// ColumnTypes gives the types of existing columns, as "table.column" (or
	// "schema.table.column") to a PostgreSQL type ("numeric(10,2)",
	// "character varying(100)"), for example read from the database. A type
	// change of such a column is judged from its old type, as it is when an
	// earlier statement or file (History) declares it. PostgreSQL only.
	ColumnTypes map[string]string
	// IndexedColumns says, for existing columns ("table.column"), whether
	// an index covers them, for example read from the database
	// ([ReadLiveColumns]). A type change that keeps the values' bits but
	// rebuilds the column's indexes (varchar to citext, timestamp to
	// timestamptz in UTC) is then refused when the column is indexed and
	// not reported when it is not; without it, it is a warning.
	// PostgreSQL only.
	IndexedColumns map[string]bool
	// Logger receives debug logs; default: discard.
	Logger *slog.Logger
}

// Linter lints SQL migrations. It is safe for concurrent use.
type Linter struct {
	opts    Options
	pgVer   int // major*100+minor: 1500, 906
	my      mysqlVersion
	levels  map[string]Severity
	ignores []string
	given   *facts          // what Options.ColumnTypes says, parsed
	indexed map[string]bool // Options.IndexedColumns, keys normalised
}

// New returns a Linter for opts, or an error for an unknown engine, a
// malformed server version or an unknown rule in the configuration.
func New(opts Options) (*Linter, error) {
	if opts.Engine == "" {
		opts.Engine = Postgres
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Linter{opts: opts, levels: map[string]Severity{}}
	switch opts.Engine {
	case Postgres:
		v, err := parsePGVersion(opts.ServerVersion)
		if err != nil {
			return nil, err
		}
		l.pgVer = v
		if l.given, err = givenColumnTypes(opts.ColumnTypes); err != nil {
			return nil, err
		}
		l.indexed = indexedKeys(opts.IndexedColumns)
	case MySQL:
		v, err := parseMySQLVersion(opts.ServerVersion)
		if err != nil {
			return nil, err
		}
		l.my = v
	default:
		return nil, fmt.Errorf("unknown engine %q: want postgres or mysql", opts.Engine)
	}
	if err := opts.Config.validate(); err != nil {
		return nil, err
	}
	for id, lv := range opts.Config.Rules {
		l.levels[id] = Severity(strings.ToLower(lv))
	}
	l.ignores = opts.Config.Ignore
	return l, nil
}

// Engine reports the engine the Linter was built for.
func (l *Linter) Engine() Engine { return l.opts.Engine }

func parsePGVersion(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 1400, nil
	}
	var major, minor int
	n, _ := fmt.Sscanf(s, "%d.%d", &major, &minor)
	if n == 0 || major <= 0 {
		return 0, fmt.Errorf("server version %q: want a PostgreSQL version such as 15 or 9.6", s)
	}
	if major >= 10 {
		minor = 0 // 10 and later: the major alone names a release
	}
	if major > 1000 { // server_version_num: 150004
		return major / 10000 * 100, nil
	}
	return major*100 + minor, nil
}

// Lock is a lock a statement takes on one object.
type Lock struct {
	Mode   string `json:"mode"`   // ACCESS EXCLUSIVE, SHARE, ...
	Object string `json:"object"` // schema-qualified when written so
}

// Statement is what the linter learned about one statement.
type Statement struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Offset int    `json:"offset"`
	// Kind is the statement's leading keywords: "ALTER TABLE", "CREATE INDEX".
	Kind  string `json:"kind"`
	Locks []Lock `json:"locks,omitempty"`
	// Rewrites and Scans name the tables rewritten or read in full.
	Rewrites []string `json:"rewrites,omitempty"`
	Scans    []string `json:"scans,omitempty"`
	// Transactional is false for a statement that cannot run inside a
	// transaction block (CREATE INDEX CONCURRENTLY, VACUUM).
	Transactional bool `json:"transactional"`
	// InTransaction is true when the statement would run inside a
	// transaction block, as the file is written and run.
	InTransaction bool `json:"in_transaction"`
	// Nested is set for a statement found inside a DO block or an EXECUTE.
	Nested bool `json:"nested,omitempty"`
	// Traced is set for what --trace saw PostgreSQL do; Note says why a
	// statement was skipped or failed.
	Traced bool   `json:"traced,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Finding is one problem found in one statement.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	EndCol   int      `json:"end_col,omitempty"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Lock is the lock mode the statement takes on Object.
	Lock     string `json:"lock,omitempty"`
	Object   string `json:"object,omitempty"`
	Rewrites bool   `json:"rewrites,omitempty"`
	Scans    bool   `json:"scans,omitempty"`
	// Message says the impact in one sentence.
	Message string `json:"message"`
	// Fix is SQL the author can paste instead.
	Fix string `json:"fix,omitempty"`
	// Online is the same change as a strata online (expand/contract)
	// migration: YAML to save as a .yaml migration file.
	Online string `json:"online,omitempty"`
}

// ParseError is a file the linter could not parse: strata's one
// position-carrying error type ([migrate.ParseError]), so a caller tests
// for one type whichever parser refused the file.
type ParseError = migrate.ParseError

// Report is the result of linting one or more files.
type Report struct {
	Files      []string    `json:"files"`
	Statements []Statement `json:"statements"`
	Findings   []Finding   `json:"findings"`
	// Ignored counts findings silenced by inline ignores or configuration.
	Ignored int `json:"ignored"`
	// Sources keeps each file's text for the text formatter's underlines.
	Sources map[string]string `json:"-"`
}

// Errors counts error-level findings.
func (r *Report) Errors() int { return r.count(Error) }

// Warnings counts warning-level findings.
func (r *Report) Warnings() int { return r.count(Warning) }

func (r *Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Merge appends other's files, statements and findings to r.
func (r *Report) Merge(other *Report) {
	if other == nil {
		return
	}
	r.Files = append(r.Files, other.Files...)
	r.Statements = append(r.Statements, other.Statements...)
	r.Findings = append(r.Findings, other.Findings...)
	r.Ignored += other.Ignored
	if len(other.Sources) > 0 {
		if r.Sources == nil {
			r.Sources = map[string]string{}
		}
		for k, v := range other.Sources {
			r.Sources[k] = v
		}
	}
}

// Input is one statement already split by the caller, with its position in
// the file.
type Input struct {
	SQL  string
	Line int // 1-based line of the statement's first character
	Col  int // 1-based column
}

// StatementOptions says how the caller will run the statements given to
// [Linter.LintStatements].
type StatementOptions struct {
	// NoTransaction: each statement runs on its own (autocommit).
	NoTransaction bool
	// LockTimeout: the runner sets lock_timeout before the statements.
	LockTimeout bool
}

// LintFile lints one migration file. name is used in findings and to tell
// the file's kind, as strata's runner tells it: a .down.sql file (or
// Flyway's U file) is skipped unless IncludeDown, and a file not named as
// a migration is plain SQL. The file is read by the runner's own parser
// (package migrate), so its sections, directives and transaction mode are
// the ones `strata up` sees. A file that cannot be parsed returns a
// *ParseError.
func (l *Linter) LintFile(ctx context.Context, name string, src []byte) (*Report, error) {
	rep, _, err := l.lintFile(ctx, name, src, nil, nil)
	return rep, err
}

// lintFile lints one file (conf is its Flyway script configuration, nil
// when none) knowing what earlier files of its directory established
// (prior, may be nil), and returns what this file's up part establishes in
// turn.
func (l *Linter) lintFile(ctx context.Context, name string, src, conf []byte, prior *facts) (*Report, *facts, error) {
	parts, err := l.parseFile(name, src, conf)
	if err != nil {
		return nil, nil, err
	}
	return l.lintParts(ctx, name, string(src), parts, prior)
}

// lintParts lints the parts of one file (its text is src).
func (l *Linter) lintParts(ctx context.Context, name, src string, parts []fileScript, prior *facts) (*Report, *facts, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	rep := &Report{Files: []string{name}, Sources: map[string]string{name: src}}
	learned := newFacts()
	for _, fs := range parts {
		if fs.down && !l.opts.IncludeDown {
			continue
		}
		_, r, err := l.lintScript(rep, fs, prior)
		if err != nil {
			return nil, nil, err
		}
		if r != nil && !fs.down {
			learned.add(r)
		}
	}
	l.finish(rep)
	return rep, learned, nil
}

// LintStatements lints statements the caller has already split (the
// migration engine calls it from plan and up). name is the file the
// statements came from.
func (l *Linter) LintStatements(ctx context.Context, name string, stmts []Input, opts StatementOptions) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{Files: []string{name}}
	var b strings.Builder
	line, col := 1, 1
	for _, in := range stmts {
		// Lay the statements out at their original positions so that
		// offsets map back to the caller's lines and columns.
		for line < in.Line {
			b.WriteByte('\n')
			line, col = line+1, 1
		}
		for col < in.Col {
			b.WriteByte(' ')
			col++
		}
		if line > in.Line || (line == in.Line && col > in.Col) {
			b.WriteByte('\n')
			line, col = line+1, 1
		}
		s := strings.TrimRight(in.SQL, " \t\r\n;")
		b.WriteString(s)
		b.WriteString(";")
		for _, c := range s + ";" {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
	}
	text := b.String()
	rep.Sources = map[string]string{name: text}
	sf := &sourceFile{text: text, format: migrate.FormatStrata, noTx: opts.NoTransaction, lockTimeout: opts.LockTimeout, lines: lineStarts(text)}
	sf.parts = []part{{start: 0, end: len(text), noTx: opts.NoTransaction}}
	var err error
	switch l.opts.Engine {
	case MySQL:
		err = l.lintMySQLPart(rep, name, sf, sf.parts[0])
	default:
		_, err = l.lintPGPart(rep, name, sf, sf.parts[0], nil)
	}
	if err != nil {
		return nil, err
	}
	l.finish(rep)
	return rep, nil
}

// LintPaths lints files and migration directories. A directory strata's
// runner accepts is read as the runner reads it (the files it runs, in its
// order); any other directory is linted file by file, every .sql file in
// version order. Down parts and files are skipped unless IncludeDown.
// Files are linted in parallel; the report lists them in the order given.
// The first parse error is returned with the report of the files that did
// parse.
func (l *Linter) LintPaths(ctx context.Context, paths []string) (*Report, error) {
	files, loaded, err := l.collect(paths)
	if err != nil {
		return nil, err
	}
	reps := make([]*Report, len(files))
	learned := make([]*facts, len(files))
	errs := make([]error, len(files))
	// lint lints file i, reading it unless its directory was loaded.
	lint := func(i int, prior *facts) (*Report, *facts, error) {
		f := files[i]
		if parts, ok := loaded[f]; ok && parts[0].src != nil {
			return l.lintParts(ctx, f, string(parts[0].src), parts, prior)
		}
		src, conf, err := readFile(f)
		if err != nil {
			return nil, nil, err
		}
		if parts, ok := loaded[f]; ok {
			return l.lintParts(ctx, f, string(src), parts, prior)
		}
		return l.lintFile(ctx, f, src, conf, prior)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reps[i], learned[i], errs[i] = lint(i, nil)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	// What earlier files established (a validated CHECK, a column's type)
	// can clear findings in later ones: lint those again, in order, with
	// it. Few files need this, so it costs little.
	if l.opts.Engine == Postgres && l.opts.History {
		acc := newFacts()
		for i := range files {
			if errs[i] != nil || reps[i] == nil {
				continue
			}
			if !acc.empty() && learned[i] != nil && learned[i].usesPrior {
				if rep, lf, err := lint(i, acc); err == nil {
					reps[i], learned[i] = rep, lf
				}
			}
			acc.merge(learned[i])
		}
	}
	out := &Report{Sources: map[string]string{}}
	var first error
	for i := range files {
		if errs[i] != nil {
			if first == nil {
				first = errs[i]
			}
			continue
		}
		out.Merge(reps[i])
	}
	if first == nil {
		first = ctx.Err()
	}
	return out, first
}

// collect lists the files to lint, in order, and the parts of those whose
// directory the runner's parser loaded.
func (l *Linter) collect(paths []string) ([]string, map[string][]fileScript, error) {
	var files []string
	loaded := map[string][]fileScript{}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		if fs, parts, ok := l.loadDir(p); ok {
			for _, f := range fs {
				if l.opts.IncludeDown || hasUp(parts[f]) {
					files = append(files, f)
					loaded[f] = parts[f]
				}
			}
			continue
		}
		fs, err := l.dirFiles(p)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, fs...)
	}
	var kept []string
	for _, f := range files {
		if !l.ignoredPath(f) {
			kept = append(kept, f)
		}
	}
	return kept, loaded, nil
}

func hasUp(parts []fileScript) bool {
	for _, p := range parts {
		if !p.down {
			return true
		}
	}
	return false
}

func (l *Linter) ignoredPath(p string) bool {
	slash := filepath.ToSlash(p)
	parts := strings.Split(slash, "/")
	for _, pat := range l.ignores {
		pat = filepath.ToSlash(pat)
		if strings.HasSuffix(pat, "/**") {
			dir := strings.TrimSuffix(pat, "**")
			if strings.HasPrefix(slash, dir) || strings.Contains(slash, "/"+dir) {
				return true
			}
			continue
		}
		// Match the pattern against the path and each of its trailing
		// segments, so "legacy/*.sql" matches "db/migrations/legacy/1.sql".
		for i := range parts {
			if ok, _ := filepath.Match(pat, strings.Join(parts[i:], "/")); ok {
				return true
			}
		}
	}
	return false
}

// severity applies the configuration to a rule's default severity.
func (l *Linter) severity(rule string, def Severity) Severity {
	if s, ok := l.levels[rule]; ok {
		return s
	}
	return def
}

// finish sorts findings by file position.
func (l *Linter) finish(rep *Report) {
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.File != b.File {
			return false
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Severity == Error && b.Severity != Error
	})
}
