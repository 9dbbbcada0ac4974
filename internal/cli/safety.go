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
		if f.Severity == lint.Error && f.Object != "" && tableRows(ctx, s.target.DB, engine, f.Object) < unsafeMinRows {
			// The table does not exist yet (an earlier migration of this
			// run creates it) or is small: the lock is brief, so it is
			// advice, not a reason to stop the deployment.
			f.Severity = lint.Warning
			f.Message += fmt.Sprintf(" (warning only: %s has fewer than %d rows)", f.Object, unsafeMinRows)
		}
		kept = append(kept, f)
	}
	all.Findings = kept
	return all, nil
}

// unsafeMinRows is the table size from which up refuses a statement that
// locks or rewrites the table: below it the lock lasts milliseconds.
const unsafeMinRows = 10000

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

// tableRows counts the rows of the table a finding names (the table of an
// index, for an index), up to unsafeMinRows; 0 when it does not exist. When
// it cannot tell, it says unsafeMinRows: a doubt keeps the finding an error.
func tableRows(ctx context.Context, db *sql.DB, engine, object string) int {
	var table string
	if engine == "postgres" {
		err := db.QueryRowContext(ctx, `SELECT coalesce((SELECT (CASE WHEN c.relkind = 'i' THEN i.indrelid ELSE c.oid END)::regclass::text
			FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid WHERE c.oid = to_regclass($1)), '')`, object).Scan(&table)
		if err != nil {
			return unsafeMinRows
		}
		if table == "" {
			return 0
		}
	} else {
		schema, name, ok := strings.Cut(strings.Trim(object, "`"), ".")
		if !ok {
			name, schema = schema, ""
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ?", schema, name).Scan(&n); err != nil {
			return unsafeMinRows
		}
		if n == 0 {
			return 0
		}
		table = "`" + strings.ReplaceAll(name, "`", "``") + "`"
		if schema != "" {
			table = "`" + strings.ReplaceAll(schema, "`", "``") + "`." + table
		}
	}
	var rows int
	if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d) s", table, unsafeMinRows)).Scan(&rows); err != nil {
		return unsafeMinRows
	}
	return rows
}

// ErrUnsafe is returned by up when the linter found error-level findings.
var ErrUnsafe = errors.New("refused: the migrations to run have unsafe statements (pass --allow-unsafe to run them anyway, or add -- strata:lint-ignore RULE -- reason)")

// planCheck returns the check up runs under the runner lock on the plan
// it is about to execute: error-level lint findings on tables in use refuse
// the run unless allowUnsafe.
func (app *App) planCheck(s *session, allowUnsafe bool) func(ctx context.Context, pl *migrate.Plan) error {
	return func(ctx context.Context, pl *migrate.Plan) error {
		rep, err := app.lintPlan(ctx, s, pl)
		if err != nil {
			return err
		}
		if len(rep.Findings) > 0 {
			app.planLint = rep // for the --json document
		}
		if rep.Errors() == 0 {
			return nil
		}
		if app.JSON {
			// The findings are in the document, not on stderr.
			if allowUnsafe {
				return nil
			}
			return Exit(ExitRefused, ErrUnsafe)
		}
		if allowUnsafe {
			fmt.Fprintf(app.Stderr, "strata: %d unsafe statements, run anyway (--allow-unsafe):\n", rep.Errors())
			_ = lint.WriteText(app.Stderr, rep, lint.TextOptions{})
			return nil
		}
		_ = lint.WriteText(app.Stderr, rep, lint.TextOptions{})
		return Exit(ExitRefused, ErrUnsafe)
	}
}
