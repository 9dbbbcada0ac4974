package migrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/migrate"
)

// TestSingleTransactionStatements: with --single-transaction the statements
// of consecutive migrations may travel together (on PostgreSQL they do), and
// still every migration gets its history row and its events, and a failure
// names the file, line and statement number that failed, with the server's
// error position relative to that statement.
func TestSingleTransactionStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		if !e.Dialect.TransactionalDDL() {
			return
		}
		e.write("1_a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")
		e.write("2_b.sql", "CREATE TABLE c (id int); -- trailing comment\n\n-- a comment\nINSERT INTO c VALUES (1);\nINSERT INTO c VALUES (2);\n")
		e.write("3_c.sql", "INSERT INTO b SELECT id FROM c;\n")
		var mu sync.Mutex
		var events []string
		obs := migrate.WithObserver(migrate.ObserverFunc(func(_ context.Context, ev migrate.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch ev.Kind {
			case migrate.EventMigrationStarted, migrate.EventMigrationFinished:
				events = append(events, string(ev.Kind)+" "+string(ev.Version))
			case migrate.EventStatementFinished:
				events = append(events, string(ev.Kind)+" "+ev.File+":"+itoa(ev.Line))
			}
		}))
		res, err := e.provider(obs).Run(e.ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: true})
		if err != nil || len(res.Done) != 3 {
			t.Fatalf("single: %v, %+v", err, res)
		}
		eqStrings(t, "events", events, []string{
			"migration_started 1", "statement_finished 1_a.sql:1", "statement_finished 1_a.sql:2", "migration_finished 1",
			"migration_started 2", "statement_finished 2_b.sql:1", "statement_finished 2_b.sql:4", "statement_finished 2_b.sql:5", "migration_finished 2",
			"migration_started 3", "statement_finished 3_c.sql:1", "migration_finished 3",
		})
		if got := e.count("SELECT count(*) FROM b"); got != 2 {
			t.Errorf("rows in b = %d, want 2", got)
		}
		if n := len(e.states()); n != 3 {
			t.Errorf("history rows = %d, want 3", n)
		}

		e.write("4_d.sql", "CREATE TABLE d (id int);\n")
		e.write("5_e.sql", "CREATE TABLE e (id int);\nINSERT INTO e VALUES (1);\n\nINSERT INTO nope VALUES (1);\nCREATE TABLE f (id int);\n")
		e.write("6_f.sql", "CREATE TABLE g (id int);\n")
		_, err = e.provider().Run(e.ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: true})
		var se *migrate.StatementError
		if !errors.As(err, &se) || se.File != "5_e.sql" || se.Line != 4 || se.Index != 3 || !strings.HasPrefix(se.Statement, "INSERT INTO nope") {
			t.Fatalf("error = %v (%+v), want 5_e.sql:4, statement 3", err, se)
		}
		var me *migrate.MigrationError
		if !errors.As(err, &me) || me.Version != "5" {
			t.Errorf("migration error = %+v, want version 5", me)
		}
		if e.tableExists("d") || e.tableExists("e") || len(e.states()) != 3 {
			t.Errorf("after the failure: d=%v e=%v history rows=%d, want nothing of 4-6", e.tableExists("d"), e.tableExists("e"), len(e.states()))
		}

		e.write("5_e.sql", "CREATE TABLE e (id int);\nSELECT * FRM e;\n")
		_, err = e.provider().Run(e.ctx, migrate.Request{Direction: migrate.Up, SingleTransaction: true})
		if !errors.As(err, &se) || se.File != "5_e.sql" || se.Line != 2 || se.Index != 2 {
			t.Fatalf("syntax error = %v, want 5_e.sql:2, statement 2", err)
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Position != 10 {
			t.Errorf("server's error position = %d, want 10 (of %q)", pe.Position, se.Statement)
		}
	})
}

func eqStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
