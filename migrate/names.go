package migrate

import (
	"path"
	"regexp"
	"strings"
)

// fileName is what a migration file's name says about it.
type fileName struct {
	path       string
	version    Version
	name       string
	direction  Direction // Up for single files
	pair       bool      // .up.sql / .down.sql
	repeatable bool
	format     Format // the format the name implies; sections may refine it
	yaml       bool
}

var (
	// golang-migrate and strata pairs: 20261124120000_create_users.up.sql
	pairRe = regexp.MustCompile(`^([0-9]+)_(.*)\.(up|down)\.sql$`)
	// strata, goose and dbmate single files: 20261124130000_add_index.sql
	singleRe = regexp.MustCompile(`^([0-9]+)_(.+)\.sql$`)
	// Flyway: V1_12_10__name.sql, V2.1__name.sql, U3__undo.sql, R__views.sql
	flywayRe         = regexp.MustCompile(`^([VU])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql$`)
	flywayRepRe      = regexp.MustCompile(`^R__(.+)\.sql$`)
	yamlRe           = regexp.MustCompile(`^([0-9]+)_(.+)\.ya?ml$`)
	checksYAMLRe     = regexp.MustCompile(`\.checks\.ya?ml$`)
	flywayCallbackRe = regexp.MustCompile(`^(before|after)(Each)?(Migrate|Undo|Clean|Validate|Baseline|Repair|Info|Connect)(Error|Applied|StatementError|Statement)?(__.*)?\.sql$`)
	leadingDigitsRe  = regexp.MustCompile(`^[0-9]`)
	// a strata-native name for `strata new`
	newNameRe = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// classify reads a file name. ok is false for files that are not migrations
// (README.md, strata.sum, .go files); err is set for a .sql file whose name
// fits no known format.
func classify(p string) (fileName, bool, *ParseError) {
	base := path.Base(p)
	if strings.HasPrefix(base, ".") {
		return fileName{}, false, nil
	}
	lower := strings.ToLower(base)
	switch {
	case checksYAMLRe.MatchString(lower):
		return fileName{}, false, nil
	case strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml"):
		m := yamlRe.FindStringSubmatch(base)
		if m == nil {
			if base == "strata.yaml" || base == "strata.yml" {
				return fileName{}, false, nil
			}
			return fileName{}, false, &ParseError{File: p, Msg: "bad migration file name: want VERSION_name.yaml (for example 20261124140000_split_name.yaml)"}
		}
		v, err := ParseVersion(m[1])
		if err != nil {
			return fileName{}, false, &ParseError{File: p, Msg: "bad migration file name: " + err.Error()}
		}
		return fileName{path: p, version: v, name: m[2], direction: Up, format: FormatStrata, yaml: true}, true, nil
	case !strings.HasSuffix(lower, ".sql"):
		return fileName{}, false, nil
	}
	if m := pairRe.FindStringSubmatch(base); m != nil {
		v, err := ParseVersion(m[1])
		if err != nil {
			return fileName{}, false, &ParseError{File: p, Msg: "bad migration file name: " + err.Error()}
		}
		dir := Up
		if m[3] == "down" {
			dir = Down
		}
		return fileName{path: p, version: v, name: m[2], direction: dir, pair: true, format: FormatGolangMigrate}, true, nil
	}
	if m := flywayRe.FindStringSubmatch(base); m != nil {
		v, err := ParseVersion(m[2])
		if err != nil {
			return fileName{}, false, &ParseError{File: p, Msg: "bad Flyway file name: " + err.Error()}
		}
		dir := Up
		if m[1] == "U" {
			dir = Down
		}
		return fileName{path: p, version: v, name: m[3], direction: dir, pair: true, format: FormatFlyway}, true, nil
	}
	if m := flywayRepRe.FindStringSubmatch(base); m != nil {
		return fileName{path: p, name: m[1], direction: Up, repeatable: true, format: FormatFlyway}, true, nil
	}
	if m := singleRe.FindStringSubmatch(base); m != nil {
		v, err := ParseVersion(m[1])
		if err != nil {
			return fileName{}, false, &ParseError{File: p, Msg: "bad migration file name: " + err.Error()}
		}
		return fileName{path: p, version: v, name: m[2], direction: Up, format: FormatStrata}, true, nil
	}
	return fileName{}, false, &ParseError{File: p, Msg: "bad migration file name: want VERSION_name.sql, VERSION_name.up.sql/.down.sql, or Flyway's V1__name.sql (rename it, or move it out of the migration directory)"}
}
