package lint

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing/fstest"

	"github.com/strata-db/strata/migrate"
)

// fileScript is one part (up or down) of a migration file, as strata's
// runner parsed it.
type fileScript struct {
	m    *migrate.Migration
	sc   *migrate.Script
	down bool
	src  []byte // the file's text as the runner's parser read it (loaded directories)
}

// A file is read by the runner's own parser (migrate.Load), never by a
// second one, so the linter and the runner cannot disagree about where its
// sections are, which directives it has or whether it runs in a
// transaction. Load tells a file's kind by its name, so a file is given to
// it under a name of the same kind as its own:
var (
	// golang-migrate's down files are parsed as their up files are.
	rePairName = regexp.MustCompile(`^[0-9]+_.*\.(up|down)\.sql$`)
	// Flyway's undo files are parsed as its versioned ones (with their
	// .conf beside them).
	reFlywayName = regexp.MustCompile(`^([VU])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql$|^R__.+\.sql$`)
	// strata, goose and dbmate files, told apart by their section markers.
	reSingleName = regexp.MustCompile(`^[0-9]+_.+\.sql$`)
)

// plainName is the name a file that is not named as a migration (a loose
// .sql file) is parsed under: a strata file without sections is plain SQL.
const plainName = "1_file.sql"

// loadName is the name file (a base name) is given to migrate.Load under,
// and whether it is the down part of a migration.
func loadName(file string) (name string, down bool) {
	switch {
	case rePairName.MatchString(file):
		if strings.HasSuffix(file, ".down.sql") {
			return strings.TrimSuffix(file, ".down.sql") + ".up.sql", true
		}
		return file, false
	case reFlywayName.MatchString(file):
		if strings.HasPrefix(file, "U") {
			return "V" + file[1:], true
		}
		return file, false
	case reSingleName.MatchString(file):
		return file, false
	}
	return plainName, false
}

// parseFile parses one file (name is its path, for messages) as the
// runner does; conf is the Flyway script configuration beside it, nil when
// there is none. A file that does not parse is a *ParseError that names
// it.
func (l *Linter) parseFile(name string, src, conf []byte) ([]fileScript, error) {
	as, down := loadName(path.Base(filepath.ToSlash(name)))
	fsys := fstest.MapFS{as: {Data: src}}
	if conf != nil {
		fsys[as+".conf"] = &fstest.MapFile{Data: conf}
	}
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: string(l.opts.Engine)})
	if err != nil {
		return nil, renameParseError(err, as, name)
	}
	var out []fileScript
	for _, m := range ms {
		for _, sc := range []*migrate.Script{m.Up, m.Down} {
			if sc == nil {
				continue
			}
			sc.File = name
			out = append(out, fileScript{m: m, sc: sc, down: down || sc == m.Down})
		}
	}
	return out, nil
}

// renameParseError gives the first parse error of err (which names the
// file as it was loaded, as) the file's own name.
func renameParseError(err error, as, name string) error {
	var pes migrate.ParseErrors
	var pe *migrate.ParseError
	switch {
	case errors.As(err, &pes) && len(pes) > 0:
		pe = pes[0]
	case errors.As(err, &pe):
	default:
		return err
	}
	out := *pe
	if out.File == as || strings.HasPrefix(out.File, as+".") {
		out.File = name + strings.TrimPrefix(out.File, as)
	}
	return &out
}

// readFile reads a file to lint, with the Flyway script configuration
// beside it.
func readFile(name string) (src, conf []byte, err error) {
	src, err = os.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	if reFlywayName.MatchString(filepath.Base(name)) {
		if b, err := os.ReadFile(name + ".conf"); err == nil {
			conf = b
		}
	}
	return src, conf, nil
}

// loadDir reads a migration directory as the runner does: the files it
// runs, in the order it runs them, each with its parts. ok is false when
// the directory is not one the runner accepts (a loose collection of SQL
// files, or one with a malformed file); the caller then lints each .sql
// file on its own.
func (l *Linter) loadDir(dir string) (files []string, parts map[string][]fileScript, ok bool) {
	// Keep what the runner's parser reads: linting then needs no second
	// read of each file.
	fsys := &keepFS{FS: os.DirFS(dir), files: map[string][]byte{}}
	fsys.prefetch(dir)
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: string(l.opts.Engine)})
	if err != nil {
		return nil, nil, false
	}
	parts = map[string][]fileScript{}
	for _, m := range ms {
		for _, sc := range []*migrate.Script{m.Up, m.Down} {
			if sc == nil {
				continue
			}
			f := filepath.Join(dir, filepath.FromSlash(sc.File))
			if _, seen := parts[f]; !seen {
				files = append(files, f)
			}
			src := fsys.files[sc.File]
			sc.File = f
			parts[f] = append(parts[f], fileScript{m: m, sc: sc, down: sc == m.Down, src: src})
		}
	}
	return files, parts, true
}

// dirFiles lists the .sql files of a directory that is not one the runner
// accepts, in version order; down files only with IncludeDown.
func (l *Linter) dirFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(strings.ToLower(e.Name()), ".sql") {
			continue
		}
		if !l.opts.IncludeDown && isDownFile(e.Name()) {
			continue
		}
		names = append(names, e.Name())
	}
	sortByVersion(names)
	files := make([]string, len(names))
	for i, n := range names {
		files[i] = filepath.Join(dir, n)
	}
	return files, nil
}

var _ fs.FS = fstest.MapFS{}

// keepFS is an fs.FS that keeps the bytes of every file read through
// ReadFile, by name.
type keepFS struct {
	fs.FS
	mu    sync.Mutex
	files map[string][]byte
}

// prefetch reads the migration files at the top of dir (.sql, .conf,
// .yaml) on one goroutine per CPU: the runner's parser then reads them
// from memory, one after the other.
func (k *keepFS) prefetch(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	names := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range names {
				if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
					k.mu.Lock()
					k.files[n] = b
					k.mu.Unlock()
				}
			}
		}()
	}
	for _, e := range ents {
		switch strings.ToLower(path.Ext(e.Name())) {
		case ".sql", ".conf", ".yaml", ".yml":
			if e.Type().IsRegular() {
				names <- e.Name()
			}
		}
	}
	close(names)
	wg.Wait()
}

// ReadFile implements fs.ReadFileFS.
func (k *keepFS) ReadFile(name string) ([]byte, error) {
	k.mu.Lock()
	b, ok := k.files[name]
	k.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := fs.ReadFile(k.FS, name)
	if err == nil {
		k.mu.Lock()
		k.files[name] = b
		k.mu.Unlock()
	}
	return b, err
}
