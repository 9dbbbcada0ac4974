package migrate

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// FormatPrisma is a Prisma Migrate directory: migration_lock.toml and one
// folder per migration, TIMESTAMP_name/migration.sql.
const FormatPrisma Format = "prisma"

// PrismaLock is the file that makes a directory Prisma's.
const PrismaLock = "migration_lock.toml"

var (
	prismaDirRe      = regexp.MustCompile(`^([0-9]+)_(.+)$`)
	prismaProviderRe = regexp.MustCompile(`(?m)^\s*provider\s*=\s*"([^"]*)"`)
)

// prismaProviders are the Prisma datasource providers each engine answers.
var prismaProviders = map[string][]string{"postgres": {"postgresql", "cockroachdb"}, "mysql": {"mysql"}, "sqlite": {"sqlite"}}

// loadPrisma reads a Prisma Migrate directory. Each TIMESTAMP_name folder
// is a migration whose version is the timestamp; Prisma has no down
// migrations. Folders Prisma skips (no migration.sql) are left out, and a
// provider in migration_lock.toml that is not the target's engine is
// refused, as Prisma refuses it (P3019).
func loadPrisma(fsys fs.FS, d sqlsplit.Dialect, engine string, skip func(file, reason string)) ([]*Migration, ParseErrors) {
	var perrs ParseErrors
	lock, err := fs.ReadFile(fsys, PrismaLock)
	if err != nil {
		return nil, ParseErrors{{File: PrismaLock, Msg: err.Error(), Err: err}}
	}
	if m := prismaProviderRe.FindSubmatch(lock); m != nil && engine != "" {
		ok := false
		for _, p := range prismaProviders[engine] {
			ok = ok || string(m[1]) == p
		}
		if !ok {
			perrs = append(perrs, &ParseError{File: PrismaLock, Msg: fmt.Sprintf("the migrations were written for provider %q, not this %s database; point strata at a %s database", m[1], engine, m[1])})
		}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, ParseErrors{{File: ".", Msg: err.Error(), Err: err}}
	}
	var out []*Migration
	seen := map[Version]string{}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") && skip != nil {
			skip(e.Name(), "a Prisma directory runs TIMESTAMP_name/migration.sql folders only; move it into one")
		}
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		file := e.Name() + "/migration.sql"
		m := prismaDirRe.FindStringSubmatch(e.Name())
		src, rerr := fs.ReadFile(fsys, file)
		if m == nil || rerr != nil {
			if skip != nil {
				skip(e.Name(), "not a Prisma migration folder (TIMESTAMP_name/migration.sql), so Prisma ignores it too")
			}
			continue
		}
		v, err := ParseVersion(m[1])
		if err != nil {
			perrs = append(perrs, &ParseError{File: file, Msg: "bad migration folder name: " + err.Error()})
			continue
		}
		if other, dup := seen[v]; dup {
			perrs = append(perrs, &ParseError{File: file, Msg: fmt.Sprintf("duplicate version %s: also used by %s (give one of them a new timestamp)", v, other)})
			continue
		}
		seen[v] = file
		pf, err := parseSQLFile(file, string(src), d, false)
		if err != nil {
			perrs = append(perrs, asParseErrors(err)...)
			continue
		}
		mg := &Migration{Version: v, Name: m[2], Kind: KindSQL, Format: FormatPrisma, Files: []string{file}, Up: pf.up, Down: pf.down, Origin: e.Name()}
		mg.Source, mg.Checksum = checksum(mg.Files, []string{string(src)})
		out = append(out, mg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version.Compare(out[j].Version) < 0 })
	return out, perrs
}
