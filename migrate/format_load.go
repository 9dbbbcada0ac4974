package migrate

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// loadProject reads the directory formats that are a whole project rather
// than a list of files: a sqitch project (sqitch.plan) and a Prisma Migrate
// directory (migration_lock.toml). ok is false for any other directory.
func loadProject(fsys fs.FS, opts LoadOptions) (ms []*Migration, perrs ParseErrors, ok bool) {
	d := SplitDialect(opts.Engine)
	switch {
	case fileExists(fsys, SqitchPlan):
		ms, perrs = loadSqitch(fsys, d)
		if entries, err := fs.ReadDir(fsys, "."); err == nil && opts.OnSkip != nil {
			for _, e := range entries {
				if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
					opts.OnSkip(e.Name(), "a sqitch project runs the changes of sqitch.plan only; add it to the plan with deploy/, revert/ and verify/ scripts")
				}
			}
		}
	case fileExists(fsys, PrismaLock):
		ms, perrs = loadPrisma(fsys, d, opts.Engine, opts.OnSkip)
	default:
		return nil, nil, false
	}
	return ms, perrs, true
}

// mergeFormat adds the migrations of another format read from the same
// directory (Liquibase changesets) to ms, refusing a version both use.
func mergeFormat(ms, more []*Migration) ([]*Migration, ParseErrors) {
	if len(more) == 0 {
		return ms, nil
	}
	var perrs ParseErrors
	seen := map[Version]*Migration{}
	for _, m := range ms {
		if !m.Repeatable {
			seen[m.Version] = m
		}
	}
	for _, m := range more {
		if other, dup := seen[m.Version]; dup {
			perrs = append(perrs, &ParseError{File: m.File(), Msg: fmt.Sprintf("duplicate version %s: also used by %s (give one of them a new version)", m.Version, other.File())})
			continue
		}
		seen[m.Version] = m
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].key().Compare(ms[j].key()) < 0 })
	return ms, perrs
}

func fileExists(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}
