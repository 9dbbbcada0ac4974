package online

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// SetTableOptions sets storage parameters (fillfactor, autovacuum_*,
// toast.*). They take effect at Start; Abort restores the previous values.
type SetTableOptions struct {
	Table   string            `yaml:"table"`
	Options map[string]string `yaml:"options"`
}

func (o *SetTableOptions) Kind() string     { return "set_table_options" }
func (o *SetTableOptions) Tables() []string { return []string{o.Table} }

var optionRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)
var optionValueRe = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?|true|false|on|off)$`)

func (o *SetTableOptions) Validate() error {
	if o.Table == "" {
		return errField("table", "is required")
	}
	if len(o.Options) == 0 {
		return errField("options", "needs at least one storage parameter")
	}
	for k := range o.Options {
		if !optionRe.MatchString(k) {
			return errField("options", "%q is not a storage parameter name", k)
		}
	}
	return nil
}

func (o *SetTableOptions) keys() []string {
	keys := make([]string, 0, len(o.Options))
	for k := range o.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func optionValue(w quoting, v string) string {
	if optionValueRe.MatchString(strings.ToLower(v)) {
		return v
	}
	return w.literal(v)
}

func (o *SetTableOptions) setSQL(w builder) string {
	var kv []string
	for _, k := range o.keys() {
		kv = append(kv, k+" = "+optionValue(w.quoter(), o.Options[k]))
	}
	return fmt.Sprintf("ALTER TABLE %s SET (%s)", w.q(o.Table), strings.Join(kv, ", "))
}

func (o *SetTableOptions) Start(ctx context.Context, x *Exec) error {
	if _, ok := x.data()["prev"]; !ok {
		prev, err := x.eng.tableOptions(ctx, x.db(), x.table(o.Table))
		if err != nil {
			return err
		}
		b, _ := json.Marshal(prev)
		x.data()["prev"] = string(b)
		if err := x.save(ctx); err != nil {
			return err
		}
	}
	return x.ddl(ctx, o.Table, o.setSQL(x))
}

func (o *SetTableOptions) Complete(ctx context.Context, x *Exec) error { return nil }

func (o *SetTableOptions) Rollback(ctx context.Context, x *Exec) error {
	raw, ok := x.data()["prev"]
	if !ok {
		return nil
	}
	prev := map[string]string{}
	if err := json.Unmarshal([]byte(raw), &prev); err != nil {
		return fmt.Errorf("read saved options: %w", err)
	}
	var reset, set []string
	for _, k := range o.keys() {
		if v, ok := prev[k]; ok {
			set = append(set, k+" = "+optionValue(x.quoting, v))
		} else {
			reset = append(reset, k)
		}
	}
	var stmts []string
	if len(reset) > 0 {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s RESET (%s)", x.q(o.Table), strings.Join(reset, ", ")))
	}
	if len(set) > 0 {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s SET (%s)", x.q(o.Table), strings.Join(set, ", ")))
	}
	return x.ddl(ctx, o.Table, stmts...)
}

func (o *SetTableOptions) plan(p *plan) {
	p.start = append(p.start, o.setSQL(p))
	p.abort = append(p.abort, fmt.Sprintf("ALTER TABLE %s RESET/SET (...) -- back to the values before start", p.q(o.Table)))
}

func (o *SetTableOptions) precheck(c *checkEnv) { c.table("table", o.Table) }
