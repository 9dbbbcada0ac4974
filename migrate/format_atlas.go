package migrate

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// FormatAtlas is an Atlas migration directory: VERSION_name.sql files and
// atlas.sum, the integrity file Atlas writes.
const FormatAtlas Format = "atlas"

// AtlasSum is Atlas's integrity file.
const AtlasSum = "atlas.sum"

// AtlasHashes computes atlas.sum for the .sql files at the top of fsys as
// Atlas does (sql/migrate.NewHashFile): one SHA-256 runs over every file's
// name and content in name order, and each file's entry is that running
// hash so far, so an edit changes the entries of every later file too. The
// first line sums the entries. It returns the file's lines.
func AtlasHashes(fsys fs.FS) (total string, files map[string]string, err error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	files = map[string]string{}
	running, sum := sha256.New(), sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", nil, err
		}
		running.Write([]byte(n))
		if atlasDirective(string(b), "sum") == "ignore" {
			continue
		}
		running.Write(b)
		h := base64.StdEncoding.EncodeToString(running.Sum(nil))
		files[n] = h
		sum.Write([]byte(n))
		sum.Write([]byte(h))
	}
	return base64.StdEncoding.EncodeToString(sum.Sum(nil)), files, nil
}

// atlasDirective returns the argument of "-- atlas:NAME ARG" in the file's
// header (the comment lines before the first blank line), as Atlas reads
// directives.
func atlasDirective(src, name string) string {
	for line := range strings.SplitSeq(src, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || !strings.HasPrefix(t, "--") {
			break
		}
		body := strings.TrimSpace(strings.TrimPrefix(t, "--"))
		if v, ok := strings.CutPrefix(body, "atlas:"+name); ok && (v == "" || v[0] == ' ') {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkAtlas verifies atlas.sum as `atlas migrate apply` does and applies
// Atlas's directives to the migrations: txmode none runs a file outside a
// transaction; a custom delimiter is refused, because strata would split
// the file differently.
func checkAtlas(fsys fs.FS, ms []*Migration) ParseErrors {
	var perrs ParseErrors
	b, err := fs.ReadFile(fsys, AtlasSum)
	if err != nil {
		return ParseErrors{{File: AtlasSum, Msg: err.Error(), Err: err}}
	}
	total, files, err := AtlasHashes(fsys)
	if err != nil {
		return ParseErrors{{File: AtlasSum, Msg: err.Error(), Err: err}}
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	want := map[string]string{}
	for _, l := range lines[1:] {
		if n, h, ok := strings.Cut(l, " h1:"); ok {
			want[n] = h
		}
	}
	if lines[0] != "h1:"+total || len(want) != len(files) {
		var changed []string
		for n, h := range files {
			if want[n] != h {
				changed = append(changed, n)
			}
		}
		for n := range want {
			if _, ok := files[n]; !ok {
				changed = append(changed, n+" (gone)")
			}
		}
		sort.Strings(changed)
		msg := "checksum mismatch: the migration files changed since atlas.sum was written"
		if len(changed) > 0 {
			msg += " (first difference: " + changed[0] + ")"
		}
		perrs = append(perrs, &ParseError{File: AtlasSum, Msg: msg + "; if the change is intended, run `atlas migrate hash` to re-hash the directory, otherwise restore the files"})
	}
	for _, m := range ms {
		m.Format = FormatAtlas
		if len(m.Files) == 0 || m.Up == nil {
			continue
		}
		src, err := fs.ReadFile(fsys, m.Files[0])
		if err != nil {
			continue
		}
		switch mode := atlasDirective(string(src), "txmode"); mode {
		case "", "file":
		case "none":
			if !m.Up.ManagesTransaction {
				m.Up.NoTransaction, m.Up.NoTxReason = true, "-- atlas:txmode none"
			}
		default:
			perrs = append(perrs, &ParseError{File: m.Files[0], Line: 1, Msg: fmt.Sprintf("-- atlas:txmode %s: strata runs each file in its own transaction (txmode file) or none (txmode none)", mode)})
		}
		if dl := atlasDirective(string(src), "delimiter"); dl != "" {
			perrs = append(perrs, &ParseError{File: m.Files[0], Line: 1, Msg: fmt.Sprintf("-- atlas:delimiter %s: strata splits statements at ; and reads -- strata:statement-begin/end blocks; rewrite the file with them", dl)})
		}
		m.Origin = path.Base(m.Files[0])
	}
	return perrs
}
