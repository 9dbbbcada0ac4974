package adopt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/strata-db/strata/migrate"
)

// Framework names a web framework whose migrations `strata import` takes
// over.
type Framework string

// The frameworks `strata import` reads.
const (
	FrameworkDjango  Framework = "django"
	FrameworkRails   Framework = "rails"
	FrameworkLaravel Framework = "laravel"
)

// Database is where the framework's own tools connect while strata imports
// its migrations, taken apart from a strata database URL.
type Database struct {
	// Engine is "postgres", "mysql" or "sqlite".
	Engine                           string
	Host, Port, User, Password, Name string
}

// DatabaseFromURL takes a strata database URL apart for a framework's
// configuration. engine is the URL's engine as package connect names it.
func DatabaseFromURL(raw, engine string) (Database, error) {
	db := Database{Engine: engine}
	if strings.HasPrefix(raw, "sqlite:") {
		db.Name = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//"), "file:")
		db.Name, _, _ = strings.Cut(db.Name, "?")
		return db, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return db, fmt.Errorf("read the database URL for the framework: %w", err)
	}
	db.Host, db.Port = u.Hostname(), u.Port()
	db.User = u.User.Username()
	db.Password, _ = u.User.Password()
	db.Name = strings.TrimPrefix(u.Path, "/")
	return db, nil
}

// ImportOptions tune [Import].
type ImportOptions struct {
	// Project is the framework project: where manage.py, the Rails app
	// (db/migrate) or the Laravel app (artisan) is.
	Project string
	// Dir is the strata migration directory the files are written to.
	Dir string
	// DB is the database the framework's tools connect to. Django's
	// sqlmigrate and Laravel's pretend mode only read it; Rails runs each
	// migration up and down in it to see its SQL, so it must be an empty
	// scratch database, which is left empty again.
	DB Database
	// AllApps imports Django's bundled and third-party apps too (auth,
	// contenttypes, …); by default only the project's own apps.
	AllApps bool
	// SkipCode imports migrations that run framework code (Django's
	// RunPython, a Rails or Laravel migration that writes through models)
	// without that code; by default they are refused by name.
	SkipCode bool
	// Interpreter is the python3, ruby or php to run; empty looks for the
	// project's virtualenv (Django), then the one on PATH.
	Interpreter string
	// Stderr gets what the framework's tools print on stderr.
	Stderr io.Writer
}

// Imported is one migration file [Import] wrote.
type Imported struct {
	Version migrate.Version `json:"version"`
	File    string          `json:"file"`
	// From is the framework migration it came from.
	From string `json:"from"`
	// NoDown is set when the framework cannot reverse the migration: the
	// file has an empty down section.
	NoDown bool `json:"no_down,omitempty"`
	// SkippedCode lists the framework code left out (with SkipCode).
	SkippedCode []string `json:"skipped_code,omitempty"`
}

// ImportResult is what [Import] did.
type ImportResult struct {
	Framework Framework  `json:"framework"`
	Written   []Imported `json:"written"`
	// AlreadyImported counts the framework migrations the directory
	// already has a file for (found by their marker comment).
	AlreadyImported int `json:"already_imported"`
	// LeftOut lists the apps not imported (Django's bundled and
	// third-party apps without AllApps).
	LeftOut []string `json:"left_out"`
}

// CodeError names the framework migrations that run code strata cannot
// turn into SQL.
type CodeError struct {
	Framework  Framework
	Migrations []string
}

func (e *CodeError) Error() string {
	what := map[Framework]string{FrameworkDjango: "Python (RunPython)", FrameworkRails: "Ruby through models (statements with bound values)", FrameworkLaravel: "PHP through the query builder (statements with bound values)"}[e.Framework]
	return fmt.Sprintf("import %s: %d migration(s) run %s, which has no SQL to import: %s; rewrite them as SQL (RunSQL, execute, DB::statement), or pass --skip-code to import them without it and run the data change yourself",
		e.Framework, len(e.Migrations), what, strings.Join(e.Migrations, ", "))
}

// fwMigration is one framework migration as the framework's driver
// script reports it.
type fwMigration struct {
	// Key identifies it in the framework's history: Django "app name",
	// Rails its version, Laravel its name.
	Key     string   `json:"key"`
	App     string   `json:"app"`
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Source  string   `json:"source"`
	Up      []string `json:"up"`
	Down    []string `json:"down"`
	NoDown  bool     `json:"no_down"`
	NoTx    bool     `json:"no_transaction"`
	Code    []string `json:"code"`
	Own     bool     `json:"own"`
}

// fwOutput is a driver script's JSON answer.
type fwOutput struct {
	Migrations []fwMigration `json:"migrations"`
	Error      string        `json:"error"`
}

// markerRe finds the marker an imported file carries.
var markerRe = regexp.MustCompile(`(?m)^-- (django|rails|laravel)-migration: (.+?)\s*$`)

// Import writes one strata migration (up and down sections) per
// migration of the framework project, from the SQL the framework's own
// tools produce: Django's sqlmigrate, the statements ActiveRecord runs for
// each Rails migration, Laravel's pretend mode. Migrations the directory
// already has (by their marker comment) are skipped, so importing again
// adds only new ones.
func Import(ctx context.Context, fw Framework, opts ImportOptions) (*ImportResult, error) {
	if opts.Project == "" {
		opts.Project = "."
	}
	abs, err := filepath.Abs(opts.Project)
	if err != nil {
		return nil, err
	}
	opts.Project = abs
	var out *fwOutput
	switch fw {
	case FrameworkDjango:
		out, err = runDjango(ctx, opts)
	case FrameworkRails:
		out, err = runRails(ctx, opts)
	case FrameworkLaravel:
		out, err = runLaravel(ctx, opts)
	default:
		return nil, fmt.Errorf("unknown framework %q (known: django, rails, laravel)", fw)
	}
	if err != nil {
		return nil, err
	}
	return writeImport(fw, opts, out)
}

// runDriver runs a framework driver script and reads its JSON answer from
// stdout. The database password goes through the environment, never the
// command line.
func runDriver(ctx context.Context, fw Framework, opts ImportOptions, interp string, args []string, env []string) (*fwOutput, error) {
	cmd := exec.CommandContext(ctx, interp, args...)
	cmd.Dir = opts.Project
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "STRATA_IMPORT_ENGINE="+opts.DB.Engine, "STRATA_IMPORT_HOST="+opts.DB.Host, "STRATA_IMPORT_PORT="+opts.DB.Port,
		"STRATA_IMPORT_USER="+opts.DB.User, "STRATA_IMPORT_PASSWORD="+opts.DB.Password, "STRATA_IMPORT_NAME="+opts.DB.Name,
		"STRATA_IMPORT_PROJECT="+opts.Project, "STRATA_IMPORT_ALL_APPS="+strconv.FormatBool(opts.AllApps))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if opts.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, opts.Stderr)
	}
	err := cmd.Run()
	var res fwOutput
	if jerr := json.Unmarshal(stdout.Bytes(), &res); jerr != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		if err == nil {
			err = jerr
		}
		if pw := opts.DB.Password; pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
		return nil, fmt.Errorf("import %s: %s %s in %s: %w\n%s", fw, interp, args[0], opts.Project, err, lastLines(msg, 15))
	}
	if res.Error != "" {
		msg := res.Error
		if pw := opts.DB.Password; pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
		return nil, fmt.Errorf("import %s: %s", fw, msg)
	}
	return &res, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writeDriver puts a driver script in a temporary file and returns its
// path and a function that removes it.
func writeDriver(name, src string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "strata-import-")
	if err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return p, func() { os.RemoveAll(dir) }, nil
}

// existing reads the markers of the files already in dir and the highest
// version there.
func existing(dir string) (map[string]bool, migrate.Version, error) {
	have := map[string]bool{}
	var top migrate.Version
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return have, top, nil
	}
	if err != nil {
		return nil, top, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		if v, err := migrate.ParseVersion(strings.SplitN(e.Name(), "_", 2)[0]); err == nil && v.Compare(top) > 0 {
			top = v
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, top, err
		}
		for _, m := range markerRe.FindAllStringSubmatch(string(b), -1) {
			have[m[1]+":"+m[2]] = true
		}
	}
	return have, top, nil
}

// writeImport writes the files of the migrations not imported yet.
func writeImport(fw Framework, opts ImportOptions, out *fwOutput) (*ImportResult, error) {
	res := &ImportResult{Framework: fw, Written: []Imported{}, LeftOut: []string{}}
	have, top, err := existing(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("read migration directory %s: %w", opts.Dir, err)
	}
	var todo []fwMigration
	var code []string
	leftOut := map[string]bool{}
	for _, m := range out.Migrations {
		if !m.Own && !opts.AllApps {
			if !leftOut[m.App] {
				leftOut[m.App] = true
				res.LeftOut = append(res.LeftOut, m.App)
			}
			continue
		}
		if have[string(fw)+":"+m.Key] {
			res.AlreadyImported++
			continue
		}
		if len(m.Code) > 0 && !opts.SkipCode {
			code = append(code, fmt.Sprintf("%s (%s: %s)", m.Label(fw), m.Source, strings.Join(m.Code, "; ")))
		}
		todo = append(todo, m)
	}
	sort.Strings(res.LeftOut)
	if len(code) > 0 {
		return nil, &CodeError{Framework: fw, Migrations: code}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	next := int64(0)
	if n, err := strconv.ParseInt(string(top), 10, 64); err == nil {
		next = n
	}
	for _, m := range todo {
		var v migrate.Version
		var name string
		switch fw {
		case FrameworkDjango:
			next++
			v, name = migrate.VersionInt(next), fileName(m.App+"_"+m.Name)
		case FrameworkRails:
			v, name = version(m.Version), fileName(m.Name)
		case FrameworkLaravel:
			v, name = LaravelVersion(m.Name)
			name = fileName(name)
		}
		if v == "" {
			return nil, fmt.Errorf("import %s: %s has no version strata can read", fw, m.Label(fw))
		}
		file := fmt.Sprintf("%s_%s.sql", padVersion(v, fw), name)
		if err := os.WriteFile(filepath.Join(opts.Dir, file), []byte(render(fw, m)), 0o644); err != nil {
			return nil, err
		}
		imp := Imported{Version: v, File: filepath.Join(opts.Dir, file), From: m.Label(fw) + " (" + m.Source + ")", NoDown: m.NoDown}
		if len(m.Code) > 0 {
			imp.SkippedCode = m.Code
		}
		res.Written = append(res.Written, imp)
	}
	return res, nil
}

// Label names the framework migration in messages.
func (m fwMigration) Label(fw Framework) string {
	if fw == FrameworkDjango {
		return m.App + "." + m.Name
	}
	return m.Name
}

// padVersion writes Django's sequence numbers with four digits, as Django
// names its own migrations; timestamps stay as they are.
func padVersion(v migrate.Version, fw Framework) string {
	if fw == FrameworkDjango {
		return fmt.Sprintf("%04s", string(v))
	}
	return string(v)
}

// fileName makes a migration name [a-z0-9_].
func fileName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// render writes the strata migration file of m.
func render(fw Framework, m fwMigration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- Imported by `strata import %s` from %s.\n", fw, m.Source)
	fmt.Fprintf(&b, "-- %s-migration: %s\n", fw, m.Key)
	for _, c := range m.Code {
		fmt.Fprintf(&b, "-- NOT IMPORTED (framework code, run it yourself): %s\n", c)
	}
	if m.NoTx {
		b.WriteString("-- strata:no-transaction\n")
	}
	b.WriteString("\n-- strata:up\n")
	writeStatements(&b, m.Up)
	b.WriteString("\n-- strata:down\n")
	if m.NoDown {
		fmt.Fprintf(&b, "-- %s cannot reverse this migration, so neither can strata.\n", fw)
	}
	writeStatements(&b, m.Down)
	return b.String()
}

// writeStatements writes statements one after the other; one with a
// semicolon inside (a function or trigger body) is a statement block, so
// strata sends it whole as the framework did.
func writeStatements(b *strings.Builder, stmts []string) {
	for _, s := range stmts {
		s = strings.TrimRight(s, " \t\r\n")
		if s == "" {
			continue
		}
		if isComment(s) {
			b.WriteString(s + "\n")
			continue
		}
		body := strings.TrimSuffix(s, ";")
		if strings.Contains(body, ";") {
			b.WriteString("-- strata:statement-begin\n" + body + ";\n-- strata:statement-end\n")
			continue
		}
		b.WriteString(body + ";\n")
	}
}

// isComment reports whether every line of s is a -- comment.
func isComment(s string) bool {
	for line := range strings.SplitSeq(s, "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			return false
		}
	}
	return true
}

// findInterpreter returns opts.Interpreter, else the first of candidates
// (relative to the project, or names on PATH) that exists.
func findInterpreter(opts ImportOptions, name string, candidates ...string) (string, error) {
	if opts.Interpreter != "" {
		return opts.Interpreter, nil
	}
	for _, c := range candidates {
		p := c
		if !filepath.IsAbs(c) && strings.Contains(c, "/") {
			p = filepath.Join(opts.Project, c)
		}
		if strings.Contains(p, "/") {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
			continue
		}
		if lp, err := exec.LookPath(p); err == nil {
			return lp, nil
		}
	}
	return "", fmt.Errorf("no %s found (looked for %s); install it or put it on PATH", name, strings.Join(candidates, ", "))
}
