package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/strata-db/strata/connect"
)

// fileConfig is strata.yaml.
//
//	dir: migrations
//	database: sqlite:dev.db
//	table: strata_schema_migrations      # or schema.table
//	lock_timeout: 5m                     # how long to wait for another runner
//	vars: {SCHEMA: public}               # ${NAME} placeholders
//	environments:
//	  prod:
//	    database: postgres://app:${PGPASSWORD}@db:5432/app
//	lint: {...}                          # rules, see strata lint
type fileConfig struct {
	settings     `yaml:",inline"`
	Environments map[string]settings `yaml:"environments"`
	Lint         yaml.Node           `yaml:"lint"`
	// Observe holds alert thresholds and sinks, read by the observe hook.
	Observe yaml.Node `yaml:"observe"`

	path  string         // the file read
	lines map[string]int // line of each value ${NAME} may be in (see parseConfig)
}

type settings struct {
	Database        string            `yaml:"database"`
	Dir             string            `yaml:"dir"`
	Table           string            `yaml:"table"`
	LockTimeout     string            `yaml:"lock_timeout"`
	AllowOutOfOrder *bool             `yaml:"allow_out_of_order"`
	AutoRollback    *bool             `yaml:"auto_rollback"`
	Vars            map[string]string `yaml:"vars"`
}

// resolved is the configuration after flags > STRATA_* > strata.yaml
// environment > strata.yaml top level > defaults.
type resolved struct {
	DatabaseURL     string
	DatabaseFrom    string // where DatabaseURL came from, for messages about it
	Dir             string
	Table           string
	LockTimeout     time.Duration
	AllowOutOfOrder bool
	AutoRollback    bool
	Vars            map[string]string
	Lint            yaml.Node
	File            string // the config file read, if any
}

func (app *App) setup(cmd *cobra.Command) error {
	if app.Getenv == nil {
		app.Getenv = os.Getenv
	}
	name := cmd.Name()
	app.running.Store(&name)
	if app.JSON {
		app.holdDocument()
	}
	cfg, err := app.resolve(cmd)
	if err != nil {
		return err
	}
	app.cfg = cfg
	for _, h := range app.hooks() {
		if err := h(cmd); err != nil {
			return err
		}
	}
	return nil
}

// config returns the resolved configuration.
func (app *App) config() *resolved { return app.cfg }

func (app *App) resolve(cmd *cobra.Command) (*resolved, error) {
	r := &resolved{Dir: "migrations", LockTimeout: 5 * time.Minute, AutoRollback: true, Vars: map[string]string{}}
	env := func(k string) string { return app.Getenv(k) }

	path := app.ConfigFile
	if path == "" {
		path = env("STRATA_CONFIG")
	}
	explicit := path != ""
	if path == "" {
		path = "strata.yaml"
	}
	fc := &fileConfig{path: path}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if fc, err = parseConfig(path, data); err != nil {
			return nil, Exit(ExitUsage, err)
		}
		r.File = path
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, Exit(ExitUsage, fmt.Errorf("read config: %w", err))
	}
	envName := app.EnvName
	if envName == "" {
		envName = env("STRATA_ENV")
	}
	layers := []settings{fc.settings}
	prefixes := []string{""}
	froms := []string{path + " (key database)"}
	if envName != "" {
		es, ok := fc.Environments[envName]
		if !ok {
			names := make([]string, 0, len(fc.Environments))
			for n := range fc.Environments {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, Exit(ExitUsage, fmt.Errorf("environment %q is not in %s (have: %s)", envName, path, strings.Join(names, ", ")))
		}
		layers = append(layers, es)
		prefixes = append(prefixes, "environments."+envName+".")
		froms = append(froms, fmt.Sprintf("%s environment %q", path, envName))
	}
	// Values are expanded once the layers are merged, and only those used:
	// a ${NAME} in a value that a later layer, STRATA_* or a flag
	// overrides need not be set.
	type raw struct{ key, value, from string }
	var database raw
	vars := map[string]raw{}
	for i, l := range layers {
		if l.Database != "" {
			database = raw{prefixes[i] + "database", l.Database, froms[i]}
		}
		if l.Dir != "" {
			r.Dir = l.Dir
		}
		if l.Table != "" {
			r.Table = l.Table
		}
		if l.LockTimeout != "" {
			d, err := time.ParseDuration(l.LockTimeout)
			if err != nil {
				return nil, Exit(ExitUsage, fmt.Errorf("%s: lock_timeout %q: %w", path, l.LockTimeout, err))
			}
			r.LockTimeout = d
		}
		if l.AllowOutOfOrder != nil {
			r.AllowOutOfOrder = *l.AllowOutOfOrder
		}
		if l.AutoRollback != nil {
			r.AutoRollback = *l.AutoRollback
		}
		for k, v := range l.Vars {
			vars[k] = raw{prefixes[i] + "vars." + k, v, froms[i]}
		}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if r.Vars[k], err = fc.expand(app, vars[k].key, vars[k].value); err != nil {
			return nil, err
		}
	}
	r.Lint = fc.Lint
	switch v := env("STRATA_DATABASE_URL"); {
	case app.DatabaseURL != "":
	case v != "":
		r.DatabaseURL, r.DatabaseFrom = v, "env STRATA_DATABASE_URL"
	case database.value != "":
		if r.DatabaseURL, err = fc.expand(app, database.key, database.value); err != nil {
			return nil, err
		}
		r.DatabaseFrom = database.from
	}
	if v := env("STRATA_DIR"); v != "" {
		r.Dir = v
	}
	if v := env("STRATA_TABLE"); v != "" {
		r.Table = v
	}
	if v := env("STRATA_LOCK_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, Exit(ExitUsage, fmt.Errorf("STRATA_LOCK_TIMEOUT %q: %w", v, err))
		}
		r.LockTimeout = d
	}
	if v := env("STRATA_ALLOW_OUT_OF_ORDER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, Exit(ExitUsage, fmt.Errorf("STRATA_ALLOW_OUT_OF_ORDER %q: %w", v, err))
		}
		r.AllowOutOfOrder = b
	}
	if app.DatabaseURL != "" {
		r.DatabaseURL, r.DatabaseFrom = app.DatabaseURL, "flag --database"
	}
	if app.Dir != "" {
		r.Dir = app.Dir
	}
	return r, nil
}

// lookupVar finds a ${NAME} value: strata.yaml vars first, then the
// environment.
func (app *App) lookupVar(name string) (string, bool) {
	if v, ok := app.cfg.Vars[name]; ok {
		return v, true
	}
	v := app.Getenv(name)
	if v == "" {
		_, ok := os.LookupEnv(name)
		if ok && app.Getenv != nil {
			return "", true
		}
		return "", false
	}
	return v, true
}

// redact scrubs every password strata knows of (flag, environment,
// strata.yaml) from text.
func (app *App) redact(s string) string {
	urls := []string{app.DatabaseURL}
	if app.Getenv != nil {
		urls = append(urls, app.Getenv("STRATA_DATABASE_URL"))
	}
	if app.cfg != nil {
		urls = append(urls, app.cfg.DatabaseURL)
	}
	for _, u := range urls {
		if p := passwordOf(u); p != "" {
			s = connect.Scrub(s, p)
		}
	}
	return s
}
