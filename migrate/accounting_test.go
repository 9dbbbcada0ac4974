package migrate_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/strata-db/strata/migrate"
)

// When the history write that should record a failure fails too (the
// connection is often gone then), the error carries it and the outcome
// does not claim the failure was recorded.
func TestFailedHistoryWriteIsReported(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_a.sql", "-- strata:no-transaction\nCREATE TABLE a (id int);\nDROP TABLE strata_schema_migrations;\nINSERT INTO nope VALUES (1);\n")
		_, err := e.provider().Up(e.ctx)
		var merr *migrate.MigrationError
		if !errors.As(err, &merr) {
			t.Fatalf("err = %v", err)
		}
		if merr.HistoryErr == nil || !merr.Dirty {
			t.Fatalf("history error not carried: %+v", merr)
		}
		if strings.Contains(merr.Outcome, "is recorded as failed") || !strings.Contains(merr.Outcome, "did not work either") {
			t.Fatalf("outcome %q", merr.Outcome)
		}
		if !strings.Contains(err.Error(), "recording this in the history table failed too") {
			t.Fatalf("error %q", err)
		}
	})
}

// The drift error names the file that was edited: the .down.sql of a pair
// when only it changed.
func TestDriftNamesTheEditedFile(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_a.up.sql", "CREATE TABLE a (id int);")
		e.write("1_a.down.sql", "DROP TABLE a;")
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.write("1_a.down.sql", "DROP TABLE IF EXISTS a;")
		_, err := e.provider().Up(e.ctx)
		var de *migrate.DriftError
		if !errors.As(err, &de) || de.File != "1_a.down.sql" {
			t.Fatalf("err = %v", err)
		}
		e.write("1_a.up.sql", "CREATE TABLE a (id bigint);")
		if _, err := e.provider().Up(e.ctx); !errors.As(err, &de) || de.File != "1_a.up.sql" {
			t.Fatalf("err = %v", err)
		}
	})
}

// With strata.sum, an edited applied file is drift before it is a sum
// mismatch: the sum's advice, `strata hash`, would bless the edit.
func TestDriftIsReportedBeforeTheSum(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_a.sql", "CREATE TABLE a (id int);")
		sum, err := migrate.Sum(e.files)
		if err != nil {
			t.Fatal(err)
		}
		e.write(migrate.SumFile, sum)
		if _, err := e.provider().Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.write("1_a.sql", "CREATE TABLE a (id bigint);")
		_, err = e.provider().Up(e.ctx)
		if !errors.Is(err, migrate.ErrDrift) || errors.Is(err, migrate.ErrSumMismatch) {
			t.Fatalf("up: %v", err)
		}
		err = e.provider().Validate(e.ctx)
		if !errors.Is(err, migrate.ErrDrift) || strings.Contains(err.Error(), "strata hash") {
			t.Fatalf("validate: %v", err)
		}
	})
}

// Each statement is logged at debug level, with its place in the file.
func TestStatementsAreLogged(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.write("1_a.sql", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n")
		var buf bytes.Buffer
		l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if _, err := e.provider(migrate.WithLogger(l)).Up(e.ctx); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"msg=statement version=1 file=1_a.sql line=1 statement=1/2", `line=2 statement=2/2`, `sql="INSERT INTO a VALUES (1)"`} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("log has no %q:\n%s", want, buf.String())
			}
		}
	})
}
