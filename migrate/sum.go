package migrate

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// SumFile is the name of the integrity file in a migration directory.
const SumFile = "strata.sum"

// Sum computes the content of strata.sum for fsys: a hash of the whole
// directory on the first line, then one line per migration file. Two branches
// that each add a migration produce different sums, so the merge conflicts
// in strata.sum instead of silently running in an order nobody tested.
func Sum(fsys fs.FS) (string, error) {
	paths, err := migrationPaths(fsys)
	if err != nil {
		return "", err
	}
	var names []string
	for _, p := range paths {
		if _, ok, _ := classify(p); ok {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	var body strings.Builder
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		h := sha256.Sum256([]byte(Normalize(string(b))))
		fmt.Fprintf(&body, "%s h1:%s\n", n, base64.StdEncoding.EncodeToString(h[:]))
	}
	total := sha256.Sum256([]byte(body.String()))
	return "h1:" + base64.StdEncoding.EncodeToString(total[:]) + "\n" + body.String(), nil
}

// SumError lists how strata.sum and the directory differ.
type SumError struct {
	Added, Removed, Changed []string
}

func (e *SumError) Error() string {
	var parts []string
	if len(e.Added) > 0 {
		parts = append(parts, "not in strata.sum: "+strings.Join(e.Added, ", "))
	}
	if len(e.Removed) > 0 {
		parts = append(parts, "in strata.sum but gone: "+strings.Join(e.Removed, ", "))
	}
	if len(e.Changed) > 0 {
		parts = append(parts, "changed since strata.sum was written: "+strings.Join(e.Changed, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "the directory hash line was edited")
	}
	return "strata.sum does not match the migration directory (" + strings.Join(parts, "; ") +
		"). If two branches added migrations in parallel, check their order still makes sense; then run `strata hash` to rewrite strata.sum"
}

func (e *SumError) Is(target error) bool { return target == ErrSumMismatch }

// CheckSum compares strata.sum with the directory. A directory without
// strata.sum passes: the file is opt-in, created by `strata hash`.
func CheckSum(fsys fs.FS) error {
	want, err := fs.ReadFile(fsys, SumFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", SumFile, err)
	}
	got, err := Sum(fsys)
	if err != nil {
		return err
	}
	if Normalize(string(want)) == Normalize(got) {
		return nil
	}
	parse := func(s string) map[string]string {
		m := map[string]string{}
		sc := bufio.NewScanner(strings.NewReader(s))
		for sc.Scan() {
			name, h, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
			if ok {
				m[name] = h
			}
		}
		return m
	}
	w, g := parse(string(want)), parse(got)
	se := &SumError{}
	for n, h := range g {
		if wh, ok := w[n]; !ok {
			se.Added = append(se.Added, n)
		} else if wh != h {
			se.Changed = append(se.Changed, n)
		}
	}
	for n := range w {
		if _, ok := g[n]; !ok {
			se.Removed = append(se.Removed, n)
		}
	}
	sort.Strings(se.Added)
	sort.Strings(se.Removed)
	sort.Strings(se.Changed)
	return se
}
