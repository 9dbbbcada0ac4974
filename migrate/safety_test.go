package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/strata-db/strata/migrate"
)

// tableInspector finds a blocking problem in every statement that names a
// table of its list, as a linter finds a lock on a table.
type tableInspector []string

func (ti tableInspector) Inspect(_ context.Context, _ *migrate.Migration, sc *migrate.Script) ([]migrate.Finding, error) {
	var out []migrate.Finding
	for _, st := range sc.Statements {
		for _, table := range ti {
			if strings.Contains(st.SQL, " "+table+" ") {
				out = append(out, migrate.Finding{File: sc.File, Line: st.Line, Col: st.Col, Rule: "locks-table", Object: table, Message: "locks " + table, Blocking: true})
			}
		}
	}
	return out, nil
}

// The safety gate is the library's: blocking findings on tables in use
// refuse the run before anything ran; on small tables, or tables the same
// run creates, they are warnings.
func TestSafetyGateRefusesUnsafeStatementsOnTablesInUse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_big.sql", "CREATE TABLE big (id int);\nINSERT INTO big SELECT n FROM (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * f.n AS n FROM "+
			digits("a")+" CROSS JOIN "+digits("b")+" CROSS JOIN "+digits("c")+" CROSS JOIN "+digits("d")+" CROSS JOIN "+digits("f")+") g WHERE n < 12000;\nCREATE TABLE small (id int);\n")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.write("2_index.sql", "CREATE INDEX big_idx ON big (id);\nCREATE INDEX small_idx ON small (id);\nCREATE TABLE fresh (id int);\nCREATE INDEX fresh_idx ON fresh (id);\n")
		gate := tableInspector{"big", "small", "fresh"}
		res, err := e.provider(migrate.WithSafety(gate, migrate.SafetyOptions{})).Up(e.ctx)
		var ue *migrate.UnsafeError
		if !errors.Is(err, migrate.ErrUnsafe) || !errors.As(err, &ue) || len(ue.Findings) != 1 || ue.Findings[0].Object != "big" {
			t.Fatalf("err = %v", err)
		}
		if len(res.Done) != 0 || e.tableExists("fresh") || e.count("SELECT count(*) FROM strata_schema_migrations") != 1 {
			t.Fatalf("something ran: %+v", res.Done)
		}
		if n := len(res.Safety.Findings); n != 4 || !strings.Contains(res.Safety.Findings[1].Message, "warning only: small has fewer than 10000 rows") {
			t.Fatalf("report %+v", res.Safety.Findings)
		}
		var allowed *migrate.SafetyReport
		p := e.provider(migrate.WithSafety(gate, migrate.SafetyOptions{AllowUnsafe: true, OnAllowed: func(_ context.Context, r *migrate.SafetyReport) { allowed = r }}))
		pl, err := p.Plan(e.ctx, migrate.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := p.Inspect(e.ctx, pl); err != nil || len(rep.Blocking()) != 1 {
			t.Fatalf("inspect %+v %v", rep, err)
		}
		if _, err := p.Up(e.ctx); err != nil || allowed == nil || len(allowed.Blocking()) != 1 {
			t.Fatalf("allowed: %v %+v", err, allowed)
		}
	})
}

// objectInspector finds one blocking problem on its object in every
// statement, as a linter finds a lock on an index.
type objectInspector string

func (oi objectInspector) Inspect(_ context.Context, _ *migrate.Migration, sc *migrate.Script) ([]migrate.Finding, error) {
	var out []migrate.Finding
	for _, st := range sc.Statements {
		out = append(out, migrate.Finding{File: sc.File, Line: st.Line, Col: st.Col, Rule: "locks-index", Object: string(oi), Message: "locks " + string(oi), Blocking: true})
	}
	return out, nil
}

// A finding on an index counts the rows of the index's table, on every
// engine: the big table's index refuses the run, the small one's warns.
func TestSafetyGateCountsTheTableOfAnIndex(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_big.sql", "CREATE TABLE big (id int);\nINSERT INTO big SELECT n FROM (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * f.n AS n FROM "+
			digits("a")+" CROSS JOIN "+digits("b")+" CROSS JOIN "+digits("c")+" CROSS JOIN "+digits("d")+" CROSS JOIN "+digits("f")+") g WHERE n < 12000;\n"+
			"CREATE INDEX big_idx ON big (id);\nCREATE TABLE small (id int);\nCREATE INDEX small_idx ON small (id);\n")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.write("2_next.sql", "CREATE TABLE next_one (id int);\n")
		_, err := e.provider(migrate.WithSafety(objectInspector("big_idx"), migrate.SafetyOptions{})).Up(e.ctx)
		var ue *migrate.UnsafeError
		if !errors.As(err, &ue) || ue.Findings[0].Object != "big_idx" {
			t.Fatalf("a blocking finding on the index of a 12000-row table: %v, want it refused", err)
		}
		res, err := e.provider(migrate.WithSafety(objectInspector("small_idx"), migrate.SafetyOptions{})).Up(e.ctx)
		if err != nil || len(res.Safety.Findings) != 1 || !strings.Contains(res.Safety.Findings[0].Message, "warning only: small_idx has fewer than 10000 rows") {
			t.Fatalf("a blocking finding on the index of an empty table: %v %+v, want a warning", err, res)
		}
	})
}

func digits(alias string) string {
	return "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) " + alias
}
