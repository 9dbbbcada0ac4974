package lint

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// facts is what the migrations of a directory establish about the schema,
// for the files that come after them: which columns are known NOT NULL or
// have a validated CHECK (col IS NOT NULL), which constraints were added
// NOT VALID, and the column types. It never makes a table "new": each file
// is its own deployment.
type facts struct {
	// usesPrior is set when the file has a statement whose verdict
	// depends on earlier files (SET NOT NULL, ALTER COLUMN TYPE).
	usesPrior bool
	validNN   map[string]bool
	validated map[string]bool
	colTypes  map[string]*pg.TypeName
	notValid  map[string]notValidCon
}

func newFacts() *facts {
	return &facts{validNN: map[string]bool{}, validated: map[string]bool{}, colTypes: map[string]*pg.TypeName{}, notValid: map[string]notValidCon{}}
}

func (f *facts) empty() bool {
	return f == nil || len(f.validNN)+len(f.validated)+len(f.colTypes)+len(f.notValid) == 0
}

// add merges what run learned into f (later files override earlier ones).
func (f *facts) add(r *pgRun) {
	f.usesPrior = f.usesPrior || r.usesPrior
	for k, v := range r.validNN {
		f.validNN[k] = v
	}
	for k, v := range r.validated {
		f.validated[k] = v
	}
	for k, v := range r.colTypes {
		f.colTypes[k] = v
	}
	for k, v := range r.notValid {
		v.txID = -1 // another file: never the same transaction
		f.notValid[k] = v
	}
}

// merge adds o's facts to f.
func (f *facts) merge(o *facts) {
	if o == nil {
		return
	}
	for k, v := range o.validNN {
		f.validNN[k] = v
	}
	for k, v := range o.validated {
		f.validated[k] = v
	}
	for k, v := range o.colTypes {
		f.colTypes[k] = v
	}
	for k, v := range o.notValid {
		f.notValid[k] = v
	}
}

// has reports whether key (table.col) is known NOT NULL, or table had an
// unknown constraint validated.
func (f *facts) has(key, table string) bool {
	return f != nil && (f.validNN[key] || f.validated[table])
}

// givenColumnTypes parses Options.ColumnTypes into facts.
func givenColumnTypes(types map[string]string) (*facts, error) {
	if len(types) == 0 {
		return nil, nil
	}
	f := newFacts()
	for col, typ := range types {
		i := strings.LastIndexByte(col, '.')
		if i <= 0 || i == len(col)-1 {
			return nil, fmt.Errorf("column type of %q: want table.column", col)
		}
		res, err := pgParse("SELECT NULL::" + typ)
		if err != nil {
			return nil, fmt.Errorf("column type of %s: %q is not a type: %w", col, typ, err)
		}
		var tn *pg.TypeName
		if len(res.Stmts) == 1 {
			if sel := res.Stmts[0].Stmt.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				if tc := sel.TargetList[0].GetResTarget().GetVal().GetTypeCast(); tc != nil {
					tn = tc.TypeName
				}
			}
		}
		if tn == nil {
			return nil, fmt.Errorf("column type of %s: %q is not a type", col, typ)
		}
		f.colTypes[relKey(col[:i])+"."+strings.ToLower(col[i+1:])] = tn
	}
	return f, nil
}

// indexedKeys normalises Options.IndexedColumns' keys as the analysis
// looks them up (schema "public." dropped, lower case).
func indexedKeys(m map[string]bool) map[string]bool {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]bool, len(m))
	for col, v := range m {
		i := strings.LastIndexByte(col, '.')
		if i <= 0 {
			continue
		}
		out[relKey(col[:i])+"."+strings.ToLower(col[i+1:])] = v
	}
	return out
}
