package lint

import (
	"fmt"
	"sort"
	"strings"
)

// Config is the project's lint configuration, embedded in strata.yaml under
// the key lint:
//
//	lint:
//	  rules:
//	    prefer-text: off
//	    lock-timeout-missing: error
//	  ignore:
//	    - migrations/legacy/*.sql
type Config struct {
	// Rules maps a rule id to error, warning or off.
	Rules map[string]string `yaml:"rules,omitempty" json:"rules,omitempty"`
	// Ignore lists path patterns (filepath.Match, or a directory prefix
	// ending in /**) whose files are not linted.
	Ignore []string `yaml:"ignore,omitempty" json:"ignore,omitempty"`
}

func (c Config) validate() error {
	var bad []string
	for id, lv := range c.Rules {
		if _, ok := ruleByID[id]; !ok {
			bad = append(bad, fmt.Sprintf("unknown rule %q", id))
			continue
		}
		switch strings.ToLower(lv) {
		case "error", "warning", "off":
		default:
			bad = append(bad, fmt.Sprintf("rule %s: level %q: want error, warning or off", id, lv))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("lint configuration: %s", strings.Join(bad, "; "))
	}
	return nil
}
