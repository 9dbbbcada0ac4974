package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// LoadOptions tune [Load].
type LoadOptions struct {
	// Engine is "postgres", "mysql" or "sqlite": how SQL is split.
	Engine string
	// Go migrations to merge with the files.
	GoMigrations []GoMigration
	// OnSkip is told about files that are left out as the original tool
	// would leave them out (stray files in a golang-migrate directory,
	// Flyway callbacks); nil ignores them.
	OnSkip func(file, reason string)
}

// SplitDialect maps an engine name to the splitter's dialect
// ([sqlsplit.ParseDialect]); a name it does not know splits as PostgreSQL.
func SplitDialect(engine string) sqlsplit.Dialect {
	if d, err := sqlsplit.ParseDialect(engine); err == nil {
		return d
	}
	return sqlsplit.Postgres
}

// Load reads every migration in fsys (its top level: migrations are not
// looked for in subdirectories) and returns them sorted by version, versioned
// before repeatable. All malformed files are reported together as
// [ParseErrors]. A YAML migration's Kind is left empty: the step runner that
// claims its document sets it ([NewProvider] asks them).
func Load(fsys fs.FS, opts LoadOptions) ([]*Migration, error) {
	l := &loader{fsys: fsys, d: SplitDialect(opts.Engine), opts: opts, groups: map[Version]*group{}, byVersion: map[Version][]string{}}
	if ms, perrs, ok := loadProject(fsys, opts); ok {
		return l.finish(ms, perrs)
	}
	paths, err := migrationPaths(fsys)
	if err != nil {
		return nil, err
	}
	paths, lbs, lbErrs := loadLiquibase(fsys, l.d, opts.Engine, paths, l.skip)
	l.perrs = append(l.perrs, lbErrs...)
	// A directory with .up.sql/.down.sql pairs is golang-migrate's, which
	// ignores every other file; a directory with V1__x.sql files is
	// Flyway's, which ignores misnamed files and runs callbacks.
	for _, name := range paths {
		base := path.Base(name)
		l.hasPairs = l.hasPairs || pairRe.MatchString(base)
		l.hasFlyway = l.hasFlyway || flywayRe.MatchString(base)
	}
	for _, name := range paths {
		l.add(name)
	}
	l.checkGroups()
	out, perrs := mergeFormat(l.build(), lbs)
	if fileExists(fsys, AtlasSum) {
		perrs = append(perrs, checkAtlas(fsys, out)...)
	}
	return l.finish(out, perrs)
}

// finish merges the Go migrations and reports every problem found.
func (l *loader) finish(out []*Migration, perrs ParseErrors) ([]*Migration, error) {
	l.perrs = append(l.perrs, perrs...)
	out, err := mergeGo(out, l.opts.GoMigrations)
	if err != nil {
		l.perrs = append(l.perrs, asParseErrors(err)...)
	}
	if len(l.perrs) > 0 {
		sort.SliceStable(l.perrs, func(i, j int) bool { return l.perrs[i].File < l.perrs[j].File })
		return nil, l.perrs
	}
	return out, nil
}

// group is the files of one version: an up file and maybe a down file.
type group struct {
	up, down *fileName
}

// loader is one Load: the files of each version and the problems found.
type loader struct {
	fsys                fs.FS
	d                   sqlsplit.Dialect
	opts                LoadOptions
	hasPairs, hasFlyway bool
	groups              map[Version]*group
	byVersion           map[Version][]string
	repeatables         []fileName
	perrs               ParseErrors
}

func (l *loader) skip(file, reason string) {
	if l.opts.OnSkip != nil {
		l.opts.OnSkip(file, reason)
	}
}

// add files one path under its version, or leaves it out as the tool the
// directory was written for would.
func (l *loader) add(name string) {
	fn, ok, perr := classify(name)
	if perr != nil {
		base := path.Base(name)
		switch {
		case l.hasFlyway && flywayCallbackRe.MatchString(base):
			l.skip(name, "a Flyway callback: strata does not run callbacks; run it by hand or make it a migration")
		case l.hasFlyway:
			l.skip(name, "not a Flyway migration name (V<version>__<name>.sql), so Flyway ignores it too")
		case l.hasPairs && !leadingDigitsRe.MatchString(base):
			l.skip(name, "not an up/down pair, so golang-migrate ignores it too")
		default:
			l.perrs = append(l.perrs, perr)
		}
		return
	}
	if !ok {
		return
	}
	if fn.repeatable {
		l.repeatables = append(l.repeatables, fn)
		return
	}
	g := l.groups[fn.version]
	if g == nil {
		g = &group{}
		l.groups[fn.version] = g
	}
	l.byVersion[fn.version] = append(l.byVersion[fn.version], fn.path)
	slot := &g.up
	if fn.direction == Down {
		slot = &g.down
	}
	// golang-migrate ignores a file without .up/.down beside a pair of the
	// same version; so does strata when that file has no sections.
	if !fn.pair && !fn.yaml && (g.up != nil || g.down != nil) && (g.up == nil || g.up.pair) && plainFile(l.fsys, fn.path) {
		l.skip(name, fmt.Sprintf("a file without sections that shares version %s with an up/down pair, which golang-migrate ignores too", fn.version))
		return
	}
	if fn.pair && g.up != nil && !g.up.pair && !g.up.yaml && plainFile(l.fsys, g.up.path) {
		l.skip(g.up.path, fmt.Sprintf("a file without sections that shares version %s with an up/down pair, which golang-migrate ignores too", fn.version))
		g.up = nil
	}
	if *slot != nil || (!fn.pair && (g.up != nil || g.down != nil)) || (fn.pair && g.up != nil && !g.up.pair) {
		l.perrs = append(l.perrs, &ParseError{File: fn.path, Msg: fmt.Sprintf("duplicate version %s: also used by %s (give one of them a new version)", fn.version, strings.Join(otherFiles(l.byVersion[fn.version], fn.path), ", "))})
		return
	}
	*slot = &fn
}

// checkGroups refuses down files without an up file and pairs whose names
// differ.
func (l *loader) checkGroups() {
	for _, g := range l.groups {
		if g.up == nil && g.down != nil {
			l.perrs = append(l.perrs, &ParseError{File: g.down.path, Msg: fmt.Sprintf("down file without an up file: add %s, or remove this one", strings.Replace(g.down.path, ".down.", ".up.", 1))})
		}
		if g.up != nil && g.down != nil && g.up.name != g.down.name && g.up.format != FormatFlyway {
			l.perrs = append(l.perrs, &ParseError{File: g.down.path, Msg: fmt.Sprintf("name does not match its up file %s", g.up.path)})
		}
	}
}

// build parses every group in version order, then the repeatables in
// Flyway's order.
func (l *loader) build() []*Migration {
	var out []*Migration
	versions := make([]Version, 0, len(l.groups))
	for v := range l.groups {
		versions = append(versions, v)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].Compare(versions[j]) < 0 })
	for _, v := range versions {
		g := l.groups[v]
		if g.up == nil {
			continue
		}
		m, err := loadOne(l.fsys, l.d, g.up, g.down)
		if err != nil {
			l.perrs = append(l.perrs, asParseErrors(err)...)
			continue
		}
		out = append(out, m)
	}
	// Flyway orders repeatables by description: the name with _ as spaces.
	sort.Slice(l.repeatables, func(i, j int) bool {
		return strings.ReplaceAll(l.repeatables[i].name, "_", " ") < strings.ReplaceAll(l.repeatables[j].name, "_", " ")
	})
	for i := range l.repeatables {
		m, err := loadOne(l.fsys, l.d, &l.repeatables[i], nil)
		if err != nil {
			l.perrs = append(l.perrs, asParseErrors(err)...)
			continue
		}
		m.Repeatable = true
		out = append(out, m)
	}
	return out
}

// migrationPaths lists the files of the directory and, as Flyway does, the
// Flyway-named files (V1__x.sql, U1__x.sql, R__x.sql) of its subdirectories.
// Other files in subdirectories are ignored, as golang-migrate and goose
// ignore them.
func migrationPaths(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read migration directory: %w", err)
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.Contains(p, "/") || flywayRe.MatchString(d.Name()) || flywayRepRe.MatchString(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func otherFiles(files []string, self string) []string {
	var out []string
	for _, f := range files {
		if f != self {
			out = append(out, f)
		}
	}
	return out
}

func asParseErrors(err error) ParseErrors {
	switch e := err.(type) {
	case *ParseError:
		return ParseErrors{e}
	case ParseErrors:
		return e
	}
	return ParseErrors{{Msg: err.Error()}}
}

func loadOne(fsys fs.FS, d sqlsplit.Dialect, up, down *fileName) (*Migration, error) {
	m := &Migration{Version: up.version, Name: up.name, Kind: KindSQL, Format: up.format, Files: []string{up.path}}
	upSrc, err := fs.ReadFile(fsys, up.path)
	if err != nil {
		return nil, &ParseError{File: up.path, Msg: err.Error(), Err: err}
	}
	texts := []string{string(upSrc)}
	if up.yaml {
		m.Kind, m.Document = "", upSrc // its step runner claims it
	} else {
		pf, err := parseSQLFile(up.path, string(upSrc), d, up.pair)
		if err != nil {
			return nil, err
		}
		m.Up, m.Down = pf.up, pf.down
		if !up.pair && pf.format != FormatStrata {
			m.Format = pf.format
		}
	}
	if down != nil {
		downSrc, err := fs.ReadFile(fsys, down.path)
		if err != nil {
			return nil, &ParseError{File: down.path, Msg: err.Error(), Err: err}
		}
		pf, err := parseSQLFile(down.path, string(downSrc), d, true)
		if err != nil {
			return nil, err
		}
		m.Down = pf.up
		m.Files = append(m.Files, down.path)
		texts = append(texts, string(downSrc))
	}
	if m.Format == FormatFlyway {
		if err := flywayScriptConfig(fsys, m); err != nil {
			return nil, err
		}
	}
	// A down section with no statement (an empty one, as `strata new`
	// writes it, or one of comments only) undoes nothing: it is no down
	// section, so `down` refuses instead of reporting a change undone.
	if m.Down != nil && len(m.Down.Statements) == 0 {
		m.Down, m.EmptyDown = nil, m.Down.File
	}
	// Checks beside the migration: 0042_users.sql or 0042_users.up.sql
	// pairs with 0042_users.checks.yaml. They are not part of the checksum:
	// tightening a check is not a change to what was applied.
	stem := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(up.path, ".sql"), ".up"), ".yaml")
	for _, ext := range []string{".checks.yaml", ".checks.yml"} {
		if b, err := fs.ReadFile(fsys, stem+ext); err == nil {
			m.Checks, m.ChecksFile = b, stem+ext
			break
		}
	}
	m.Source, m.Checksum = checksum(m.Files, texts)
	return m, nil
}

// flywayScriptConfig applies Flyway's script configuration files
// (V1__x.sql.conf beside V1__x.sql): executeInTransaction=false runs the
// script outside a transaction, placeholderReplacement=false leaves
// ${...} alone. Flyway replaces placeholders in every script by default.
func flywayScriptConfig(fsys fs.FS, m *Migration) error {
	for _, sc := range []*Script{m.Up, m.Down} {
		if sc == nil {
			continue
		}
		sc.Placeholders = true
		conf := sc.File + ".conf"
		data, err := fs.ReadFile(fsys, conf)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return &ParseError{File: conf, Msg: err.Error(), Err: err}
		}
		for i, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
			t := strings.TrimSpace(line)
			if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "!") {
				continue
			}
			k, v, ok := strings.Cut(t, "=")
			k, v = strings.TrimSpace(k), strings.ToLower(strings.TrimSpace(v))
			if !ok || (v != "true" && v != "false") || (k != "executeInTransaction" && k != "placeholderReplacement") {
				return &ParseError{File: conf, Line: i + 1, Msg: fmt.Sprintf("%q: strata reads executeInTransaction=true|false and placeholderReplacement=true|false from Flyway script configuration", t)}
			}
			switch {
			case k == "placeholderReplacement":
				sc.Placeholders = v == "true"
			case v == "false" && !sc.ManagesTransaction:
				sc.NoTransaction = true
				sc.NoTxReason = fmt.Sprintf("executeInTransaction=false (%s:%d)", conf, i+1)
			}
		}
	}
	return nil
}

// plainFile reports whether a single .sql file has no section markers.
func plainFile(fsys fs.FS, p string) bool {
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return false
	}
	for line := range strings.SplitSeq(string(src), "\n") {
		if isUpMarker(strings.TrimRight(line, "\r")) {
			return false
		}
	}
	return true
}

// Normalize returns src with CRLF and CR line endings turned into LF,
// trailing whitespace removed from every line and trailing blank lines
// dropped, so that an editor's line-ending or whitespace change is not drift.
func Normalize(src string) string {
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\f\v")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// checksum returns the normalised source of a migration's files and its
// SHA-256. Every file of the migration counts: editing a down file of an
// applied migration is drift too, since it changes what `down` will do.
func checksum(files, texts []string) (source, sum string) {
	var b strings.Builder
	for i, t := range texts {
		if i > 0 {
			fmt.Fprintf(&b, "\n-- strata:file %s\n", path.Base(files[i]))
		}
		b.WriteString(Normalize(t))
	}
	source = b.String()
	h := sha256.Sum256([]byte(source))
	return source, hex.EncodeToString(h[:])
}

func mergeGo(ms []*Migration, gos []GoMigration) ([]*Migration, error) {
	if len(gos) == 0 {
		return ms, nil
	}
	seen := map[Version]*Migration{}
	for _, m := range ms {
		if !m.Repeatable {
			seen[m.Version] = m
		}
	}
	var perrs ParseErrors
	for i := range gos {
		g := gos[i]
		name := fmt.Sprintf("Go migration %d_%s", g.Version, g.Name)
		if g.Version <= 0 {
			perrs = append(perrs, &ParseError{File: name, Msg: "version must be positive"})
			continue
		}
		if (g.NoTransaction && g.UpDB == nil) || (!g.NoTransaction && g.Up == nil) {
			perrs = append(perrs, &ParseError{File: name, Msg: "has no up function (Up, or UpDB with NoTransaction)"})
			continue
		}
		v := VersionInt(g.Version)
		if other, ok := seen[v]; ok {
			perrs = append(perrs, &ParseError{File: name, Msg: fmt.Sprintf("duplicate version %s: also used by %s", v, other.File())})
			continue
		}
		sum := sha256.Sum256([]byte("go:" + g.Name))
		m := &Migration{Version: v, Name: g.Name, Kind: KindGo, Format: FormatGo, Go: &g, Checksum: hex.EncodeToString(sum[:])}
		seen[v] = m
		ms = append(ms, m)
	}
	if len(perrs) > 0 {
		return nil, perrs
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].key().Compare(ms[j].key()) < 0 })
	return ms, nil
}
