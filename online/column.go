package online

import (
	"fmt"
	"regexp"
	"strings"
)

// Column defines a column, with pgroll's field names.
type Column struct {
	Name       string      `yaml:"name"`
	Type       string      `yaml:"type"`
	Nullable   *bool       `yaml:"nullable"` // default false, as in pgroll: columns are NOT NULL unless said otherwise
	Default    *string     `yaml:"default"`  // an SQL expression
	PK         bool        `yaml:"pk"`
	Unique     bool        `yaml:"unique"`
	Check      *Check      `yaml:"check"`
	References *References `yaml:"references"`
	Comment    string      `yaml:"comment"`
}

// Check is a named CHECK constraint.
type Check struct {
	Name       string `yaml:"name"`
	Constraint string `yaml:"constraint"`
}

// References is a foreign key from one column.
type References struct {
	Name     string `yaml:"name"`
	Table    string `yaml:"table"`
	Column   string `yaml:"column"`
	OnDelete string `yaml:"on_delete"`
	OnUpdate string `yaml:"on_update"`
}

func (c *Column) nullable() bool { return c.Nullable != nil && *c.Nullable }

func (c *Column) validate(field string) error {
	if c.Name == "" {
		return errField(field+".name", "is required")
	}
	if c.Type == "" {
		return errField(field+".type", "is required")
	}
	if c.Check != nil && c.Check.Constraint == "" {
		return errField(field+".check.constraint", "is required")
	}
	if c.References != nil {
		if c.References.Table == "" || c.References.Column == "" {
			return errField(field+".references", "needs table and column")
		}
		for _, a := range []string{c.References.OnDelete, c.References.OnUpdate} {
			if err := validAction(a); err != nil {
				return errField(field+".references", "%v", err)
			}
		}
	}
	return nil
}

var actions = map[string]bool{"": true, "NO ACTION": true, "RESTRICT": true, "CASCADE": true, "SET NULL": true, "SET DEFAULT": true}

func validAction(a string) error {
	if !actions[strings.ToUpper(strings.TrimSpace(a))] {
		return fmt.Errorf("unknown referential action %q (want NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT)", a)
	}
	return nil
}

func refActions(onDelete, onUpdate string) string {
	s := ""
	if onDelete != "" {
		s += " ON DELETE " + strings.ToUpper(onDelete)
	}
	if onUpdate != "" {
		s += " ON UPDATE " + strings.ToUpper(onUpdate)
	}
	return s
}

// definition returns the column's full definition for CREATE TABLE.
func (c *Column) definition(w quoting) string {
	var b strings.Builder
	b.WriteString(w.ident(c.Name) + " " + c.Type)
	if c.PK {
		b.WriteString(" PRIMARY KEY")
	} else if !c.nullable() {
		b.WriteString(" NOT NULL")
	}
	if c.Default != nil {
		b.WriteString(" DEFAULT " + *c.Default)
	}
	if c.Unique {
		b.WriteString(" UNIQUE")
	}
	if c.Check != nil {
		if c.Check.Name != "" {
			b.WriteString(" CONSTRAINT " + w.ident(c.Check.Name))
		}
		b.WriteString(" CHECK (" + c.Check.Constraint + ")")
	}
	if r := c.References; r != nil {
		if r.Name != "" {
			b.WriteString(" CONSTRAINT " + w.ident(r.Name))
		}
		b.WriteString(fmt.Sprintf(" REFERENCES %s (%s)%s", w.ident(r.Table), w.ident(r.Column), refActions(r.OnDelete, r.OnUpdate)))
	}
	return b.String()
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// renameIdent replaces the identifier from with to in an SQL expression,
// leaving string literals and other identifiers alone. Quoted and bare
// occurrences are both replaced; the expression is read as PostgreSQL
// writes it ('…' strings, "…" identifiers), and w quotes what it writes.
func renameIdent(w quoting, expr, from, to string) string {
	var out strings.Builder
	i := 0
	for i < len(expr) {
		ch := expr[i]
		switch {
		case ch == '\'':
			j := i + 1
			for j < len(expr) {
				if expr[j] == '\'' {
					if j+1 < len(expr) && expr[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			out.WriteString(expr[i:min(j+1, len(expr))])
			i = j + 1
		case ch == '"':
			j := i + 1
			for j < len(expr) {
				if expr[j] == '"' {
					if j+1 < len(expr) && expr[j+1] == '"' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			tok := expr[i:min(j+1, len(expr))]
			if tok == w.ident(from) {
				tok = w.ident(to)
			}
			out.WriteString(tok)
			i = j + 1
		case ch == '_' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z':
			j := i
			for j < len(expr) && (expr[j] == '_' || expr[j] == '$' || expr[j] >= 'A' && expr[j] <= 'Z' || expr[j] >= 'a' && expr[j] <= 'z' || expr[j] >= '0' && expr[j] <= '9') {
				j++
			}
			tok := expr[i:j]
			// A name after a dot (a qualified name) or before "(" (a function)
			// is not the column.
			prevDot := i > 0 && expr[i-1] == '.'
			nextParen := j < len(expr) && expr[j] == '('
			if strings.ToLower(tok) == strings.ToLower(from) && !prevDot && !nextParen {
				tok = w.ident(to)
			}
			out.WriteString(tok)
			i = j
		default:
			out.WriteByte(ch)
			i++
		}
	}
	return out.String()
}
