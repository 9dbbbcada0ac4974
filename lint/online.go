package lint

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// kv is one field of an online operation, kept in order.
type kv struct {
	key string
	val any // string, bool, []string or []kv
}

// onlineOp renders one operation of strata's online (expand/contract)
// migrations as a YAML file to save beside the SQL migrations, e.g.
// 20261125_rename_email.yaml.
func onlineOp(kind string, fields ...kv) string {
	var b strings.Builder
	b.WriteString("operations:\n  - " + kind + ":\n")
	writeKVs(&b, fields, "      ")
	return strings.TrimRight(b.String(), "\n")
}

func writeKVs(b *strings.Builder, fields []kv, indent string) {
	for _, f := range fields {
		switch v := f.val.(type) {
		case []kv:
			b.WriteString(indent + f.key + ":\n")
			writeKVs(b, v, indent+"  ")
		case []string:
			b.WriteString(indent + f.key + ": [")
			for i, s := range v {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(yamlScalar(s))
			}
			b.WriteString("]\n")
		case bool:
			if v {
				b.WriteString(indent + f.key + ": true\n")
			} else {
				b.WriteString(indent + f.key + ": false\n")
			}
		case string:
			b.WriteString(indent + f.key + ": " + yamlScalar(v) + "\n")
		}
	}
}

// yamlScalar quotes s when YAML needs it.
func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return `""`
	}
	r := strings.TrimRight(string(out), "\n")
	if strings.Contains(r, "\n") { // a block scalar: use a quoted string
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
	}
	return r
}
