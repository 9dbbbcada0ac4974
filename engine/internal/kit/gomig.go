package kit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"

	"github.com/strata-db/strata/migrate"
)

// GoMigration is one engine Go migration, as the engine's typed form
// (mongo.GoMigration and the like) gives it.
type GoMigration struct {
	Version int64
	Name    string
	GoFunc
}

// WithGo loads the migration directory and adds Go migrations to it,
// returning the provider options that hand both to the provider and the
// runner's table of functions. Each Go migration is claimed by the
// engine's runner (kind nosql) and checksummed by its name, as SQL Go
// migrations are.
func WithGo(fsys fs.FS, engine string, gos []GoMigration) ([]*migrate.Migration, []string, map[migrate.Version]GoFunc, error) {
	var skipped []string
	ms, err := migrate.Load(fsys, migrate.LoadOptions{Engine: engine, OnSkip: func(file, reason string) {
		skipped = append(skipped, fmt.Sprintf("%s left out: %s", file, reason))
	}})
	if err != nil {
		return nil, nil, nil, err
	}
	fns := map[migrate.Version]GoFunc{}
	seen := map[migrate.Version]string{}
	for _, m := range ms {
		seen[m.Version] = m.File()
	}
	var perrs migrate.ParseErrors
	for _, g := range gos {
		name := fmt.Sprintf("Go migration %d_%s", g.Version, g.Name)
		v := migrate.VersionInt(g.Version)
		switch {
		case g.Version <= 0:
			perrs = append(perrs, &migrate.ParseError{File: name, Msg: "version must be positive"})
			continue
		case g.Up == nil:
			perrs = append(perrs, &migrate.ParseError{File: name, Msg: "has no Up function"})
			continue
		case seen[v] != "":
			perrs = append(perrs, &migrate.ParseError{File: name, Msg: fmt.Sprintf("duplicate version %s: also used by %s", v, seen[v])})
			continue
		}
		seen[v] = name
		sum := sha256.Sum256([]byte("go:" + g.Name))
		ms = append(ms, &migrate.Migration{Version: v, Name: g.Name, Kind: migrate.KindNoSQL, Format: migrate.FormatGo, Checksum: hex.EncodeToString(sum[:])})
		fns[v] = g.GoFunc
	}
	if len(perrs) > 0 {
		return nil, nil, nil, perrs
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Version.Compare(ms[j].Version) < 0 })
	return ms, skipped, fns, nil
}
