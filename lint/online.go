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
	if plainYAML(s) {
		// Most values are identifiers: yaml.Marshal would return them
		// as they are, at the cost of a whole encoder each.
		return s
	}
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

// plainYAML reports whether s is an identifier (letters, digits, _ and
// inner dots, not starting with a digit) that YAML reads back as the same
// string: not one of the words YAML 1.1 resolves to a boolean or null.
func plainYAML(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}
