package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
)

// lintPlan lints the SQL files an up plan would run, as `strata lint` would
// with strata's runner (which sets lock_timeout itself), and keeps only the
// findings that matter on this database: a finding on a table that does not
// exist yet is about a table an earlier migration of the same run creates,
// which no application uses yet.
func (app *App) lintPlan(ctx context.Context, s *session, pl *migrate.Plan) (*lint.Report, error) {
	engine := s.target.Dialect.Name()
	if engine == "sqlite" || pl.Direction != migrate.Up {
		return &lint.Report{}, nil
	}
	var lc lint.Config
	if cfg := app.config(); cfg.Lint.Kind != 0 {
		if err := cfg.Lint.Decode(&lc); err != nil {
			return nil, Exit(ExitUsage, fmt.Errorf("strata.yaml lint: %w", err))
		}
	}
	l, err := lint.New(lint.Options{Engine: lint.Engine(engine), ServerVersion: serverVersion(ctx, s.target.DB, engine), Config: lc, Runner: true})
	if err != nil {
		return nil, err
	}
	all := &lint.Report{Sources: map[string]string{}}
	for _, st := range pl.Steps {
		if st.Script == nil || st.Migration.Kind != migrate.KindSQL {
			continue
		}
		src, err := os.ReadFile(st.Script.File)
		if err != nil {
			return nil, err
		}
		rep, err := l.LintFile(ctx, st.Script.File, src)
		if err != nil {
			// The runner's own parser accepted the file; a statement the
			// linter's grammar does not know is not a reason to refuse.
			app.logger().Warn("lint could not parse a migration; it was not checked", "file", st.Script.File, "error", err)
			continue
		}
		all.Merge(rep)
	}
	kept := all.Findings[:0]
	for _, f := range all.Findings {
		if f.Severity != lint.Error || f.Object == "" || objectExists(ctx, s.target.DB, engine, f.Object) {
			kept = append(kept, f)
		}
	}
	all.Findings = kept
	return all, nil
}

func serverVersion(ctx context.Context, db *sql.DB, engine string) string {
	var v string
	q := "SHOW server_version"
	if engine == "mysql" {
		q = "SELECT VERSION()"
	}
	if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return ""
	}
	v = strings.Fields(v)[0]
	if i := strings.Index(v, "-"); i > 0 {
		v = v[:i]
	}
	return v
}

// objectExists reports whether the table (or index) a finding names exists.
// When it cannot tell, it says yes: a doubt keeps the finding.
func objectExists(ctx context.Context, db *sql.DB, engine, object string) bool {
	name := strings.Trim(object, "\"`")
	var n int
	var err error
	if engine == "postgres" {
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM pg_class WHERE oid = to_regclass($1)", object).Scan(&n)
	} else {
		schema, table, ok := strings.Cut(name, ".")
		if !ok {
			table, schema = schema, ""
		}
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ?", schema, table).Scan(&n)
	}
	if err != nil {
		return true
	}
	return n > 0
}

// ErrUnsafe is returned by up when the linter found error-level findings.
var ErrUnsafe = errors.New("refused: the migrations to run have unsafe statements (pass --allow-unsafe to run them anyway, or add -- strata:lint-ignore RULE -- reason)")

func (app *App) checkSafety(ctx context.Context, s *session, req migrate.Request, allowUnsafe bool) error {
	pl, err := s.provider.Plan(ctx, req)
	if err != nil {
		return nil // the run reports plan errors itself, under the lock
	}
	rep, err := app.lintPlan(ctx, s, pl)
	if err != nil || rep.Errors() == 0 {
		return err
	}
	if allowUnsafe {
		fmt.Fprintf(app.Stderr, "strata: %d unsafe statements, run anyway (--allow-unsafe):\n", rep.Errors())
		_ = lint.WriteText(app.Stderr, rep, lint.TextOptions{})
		return nil
	}
	_ = lint.WriteText(app.Stderr, rep, lint.TextOptions{})
	return Exit(ExitRefused, ErrUnsafe)
}
