package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/migrate"
)

var newNameRe = regexp.MustCompile(`^[a-z0-9_]+$`)
var leadingVersion = regexp.MustCompile(`^([0-9]+)_`)

func (app *App) newCmd() *cobra.Command {
	var pair, single, yamlKind bool
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a migration file: VERSION_NAME.sql with up and down sections (or --pair for .up.sql/.down.sql)",
		Args:  needArg("NAME, the migration's name: lowercase letters, digits and _ (for example add_users_email)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !newNameRe.MatchString(name) {
				return Exit(ExitUsage, fmt.Errorf("name %q: use lowercase letters, digits and _ (for example add_users_email)", name))
			}
			if pair && single {
				return Exit(ExitUsage, errors.New("--pair and --sql exclude each other"))
			}
			kind := "sql"
			switch {
			case yamlKind:
				kind = "yaml"
			case pair:
				kind = "pair"
			}
			return app.newMigration(name, kind)
		},
	}
	cmd.Flags().BoolVar(&pair, "pair", false, "create VERSION_NAME.up.sql and VERSION_NAME.down.sql")
	cmd.Flags().BoolVar(&single, "sql", false, "create one VERSION_NAME.sql with -- strata:up / -- strata:down sections (the default)")
	cmd.Flags().BoolVar(&yamlKind, "yaml", false, "create a declarative VERSION_NAME.yaml migration")
	return cmd
}

// newMigration writes migration name's file (kind "sql"), its pair of
// files ("pair") or its YAML document ("yaml"), and takes it into
// strata.sum when there is one.
func (app *App) newMigration(name, kind string) error {
	dir := app.config().Dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	version, err := nextVersion(dir, time.Now().UTC())
	if err != nil {
		return err
	}
	// strata.sum, when there is one, takes the new file in, so that up
	// keeps working; but only when it matched before, so that an edit
	// nobody hashed is never blessed on the way.
	sumPath := filepath.Join(dir, migrate.SumFile)
	_, statErr := os.Stat(sumPath)
	hasSum := statErr == nil
	sumMatched := hasSum && migrate.CheckSum(os.DirFS(dir)) == nil
	created, err := app.writeNewFiles(filepath.Join(dir, version+"_"+name), name, kind)
	if err != nil {
		return err
	}
	sumUpdated := ""
	switch {
	case sumMatched:
		sum, err := migrate.Sum(os.DirFS(dir))
		if err != nil {
			return err
		}
		if err := os.WriteFile(sumPath, []byte(sum), 0o644); err != nil {
			return err
		}
		sumUpdated = sumPath
	case hasSum:
		fmt.Fprintf(app.Stderr, "warning: %s did not match the directory before this file was added, so it was not updated; check the directory, then run `strata hash`\n", sumPath)
	}
	if app.JSON {
		return writeJSON(app.Stdout, map[string]any{"ok": true, "version": version, "name": name, "created": created, "sum_updated": sumUpdated != ""})
	}
	for _, path := range created {
		fmt.Fprintf(app.Stdout, "created %s\n", path)
	}
	if sumUpdated != "" {
		fmt.Fprintf(app.Stdout, "updated %s\n", sumUpdated)
	}
	return nil
}

// writeNewFiles creates the files of a new migration (base is its path
// without extension), refusing to overwrite one, and returns their paths
// in the order new prints them.
func (app *App) writeNewFiles(base, name, kind string) ([]string, error) {
	var files [][2]string
	switch kind {
	case "yaml":
		files = [][2]string{{base + ".yaml", app.yamlTemplate("# Declarative operations; `strata up` starts them, `strata complete` finishes them.\noperations:\n  - sql:\n      up: SELECT 1\n")}}
	case "pair":
		files = [][2]string{
			{base + ".up.sql", "-- " + name + ": apply\n"},
			{base + ".down.sql", "-- " + name + ": undo what the up file does\n"},
		}
	default:
		files = [][2]string{{base + ".sql", "-- strata:up\n\n\n-- strata:down\n\n"}}
	}
	created := make([]string, 0, len(files))
	for _, pf := range files {
		f, err := os.OpenFile(pf[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return created, err
		}
		if _, err := f.WriteString(pf[1]); err != nil {
			f.Close()
			return created, err
		}
		if err := f.Close(); err != nil {
			return created, err
		}
		created = append(created, pf[0])
	}
	return created, nil
}

// nextVersion continues the directory's numbering: a timestamp when it uses
// timestamps (or is empty), else the next sequence number at the same width.
func nextVersion(dir string, now time.Time) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var maxSeq, maxStamp uint64
	width := 0
	timestamps := len(entries) == 0
	seqSeen := false
	for _, e := range entries {
		m := leadingVersion.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		if len(m[1]) >= 12 {
			timestamps = true
			if n, err := strconv.ParseUint(m[1], 10, 64); err == nil && n > maxStamp {
				maxStamp = n
			}
			continue
		}
		seqSeen = true
		n, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			continue
		}
		if n > maxSeq {
			maxSeq = n
		}
		width = max(width, len(m[1]))
	}
	if timestamps || !seqSeen {
		stamp, _ := strconv.ParseUint(now.Format("20060102150405"), 10, 64)
		// Two files created in the same second must not share a version.
		if stamp <= maxStamp {
			stamp = maxStamp + 1
		}
		return strconv.FormatUint(stamp, 10), nil
	}
	s := strconv.FormatUint(maxSeq+1, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s, nil
}
