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

	path  string         // the file read, or looked for
	read  bool           // the file exists and was read
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
	fc, err := app.readConfig()
	if err != nil {
		return nil, err
	}
	if fc.read {
		r.File = fc.path
	}
	layers, err := app.configLayers(fc)
	if err != nil {
		return nil, err
	}
	database, err := r.merge(app, fc, layers)
	if err != nil {
		return nil, err
	}
	r.Lint = fc.Lint
	if err := r.fromEnv(app, fc, database); err != nil {
		return nil, err
	}
	if app.DatabaseURL != "" {
		r.DatabaseURL, r.DatabaseFrom = app.DatabaseURL, "flag --database"
	}
	if app.Dir != "" {
		r.Dir = app.Dir
	}
	return r, nil
}

// readConfig reads the configuration file: --config, else STRATA_CONFIG,
// else ./strata.yaml when there is one (an empty configuration when there
// is none).
func (app *App) readConfig() (*fileConfig, error) {
	path := app.ConfigFile
	if path == "" {
		path = app.Getenv("STRATA_CONFIG")
	}
	explicit := path != ""
	if path == "" {
		path = "strata.yaml"
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		fc, err := parseConfig(path, data)
		if err != nil {
			return nil, Exit(ExitUsage, err)
		}
		fc.read = true
		return fc, nil
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, Exit(ExitUsage, fmt.Errorf("read config: %w", err))
	}
	return &fileConfig{path: path}, nil
}

// layer is one level of the configuration file: its top level, or the
// environment --env (or STRATA_ENV) names.
type layer struct {
	settings
	prefix string // the key path of its values, for messages
	from   string // where a database URL of this layer comes from
}

// configLayers are the file's top level and, when one is chosen, its
// environment, in the order they apply.
func (app *App) configLayers(fc *fileConfig) ([]layer, error) {
	layers := []layer{{settings: fc.settings, from: fc.path + " (key database)"}}
	envName := app.EnvName
	if envName == "" {
		envName = app.Getenv("STRATA_ENV")
	}
	if envName == "" {
		return layers, nil
	}
	es, ok := fc.Environments[envName]
	if !ok {
		names := make([]string, 0, len(fc.Environments))
		for n := range fc.Environments {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, Exit(ExitUsage, fmt.Errorf("environment %q is not in %s (have: %s)", envName, fc.path, strings.Join(names, ", ")))
	}
	return append(layers, layer{settings: es, prefix: "environments." + envName + ".", from: fmt.Sprintf("%s environment %q", fc.path, envName)}), nil
}

// rawValue is a value of the configuration file before its ${NAME}s are
// expanded.
type rawValue struct{ key, value, from string }

// merge applies the layers to r, later over earlier, and returns the
// database URL they give, unexpanded. Values are expanded once the layers
// are merged, and only those used: a ${NAME} in a value that a later
// layer, STRATA_* or a flag overrides need not be set.
func (r *resolved) merge(app *App, fc *fileConfig, layers []layer) (rawValue, error) {
	var database rawValue
	vars := map[string]rawValue{}
	for _, l := range layers {
		if l.Database != "" {
			database = rawValue{l.prefix + "database", l.Database, l.from}
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
				return rawValue{}, Exit(ExitUsage, fmt.Errorf("%s: lock_timeout %q: %w", fc.path, l.LockTimeout, err))
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
			vars[k] = rawValue{l.prefix + "vars." + k, v, l.from}
		}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v, err := fc.expand(app, vars[k].key, vars[k].value)
		if err != nil {
			return rawValue{}, err
		}
		r.Vars[k] = v
	}
	return database, nil
}

// fromEnv applies the STRATA_* variables over the file; database is the
// file's URL, expanded only when neither the flag nor the environment
// gives one.
func (r *resolved) fromEnv(app *App, fc *fileConfig, database rawValue) error {
	env := app.Getenv
	switch v := env("STRATA_DATABASE_URL"); {
	case app.DatabaseURL != "":
	case v != "":
		r.DatabaseURL, r.DatabaseFrom = v, "env STRATA_DATABASE_URL"
	case database.value != "":
		u, err := fc.expand(app, database.key, database.value)
		if err != nil {
			return err
		}
		r.DatabaseURL, r.DatabaseFrom = u, database.from
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
			return Exit(ExitUsage, fmt.Errorf("STRATA_LOCK_TIMEOUT %q: %w", v, err))
		}
		r.LockTimeout = d
	}
	if v := env("STRATA_ALLOW_OUT_OF_ORDER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Exit(ExitUsage, fmt.Errorf("STRATA_ALLOW_OUT_OF_ORDER %q: %w", v, err))
		}
		r.AllowOutOfOrder = b
	}
	return nil
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
