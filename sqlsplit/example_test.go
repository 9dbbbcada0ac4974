package sqlsplit_test

import (
	"fmt"

	"github.com/strata-db/strata/sqlsplit"
)

func ExampleSplit() {
	src := `-- 0002_touch.up.sql
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE INDEX CONCURRENTLY users_email ON users (email);
`
	stmts, err := sqlsplit.Split(src, sqlsplit.Options{Dialect: sqlsplit.Postgres})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range stmts {
		kw := sqlsplit.Keywords(st.SQL, 3)
		fmt.Printf("lines %d-%d: %v\n", st.Line, st.EndLine, kw)
		if reason, ok := sqlsplit.NoTransaction(st.SQL, sqlsplit.Postgres); ok {
			fmt.Println("  needs no-transaction mode:", reason)
		}
	}
	// Output:
	// lines 2-7: [CREATE FUNCTION TOUCH]
	// lines 9-9: [CREATE INDEX CONCURRENTLY]
	//   needs no-transaction mode: CREATE INDEX CONCURRENTLY cannot run inside a transaction block
}

func ExampleSplit_delimiter() {
	src := `DELIMITER //
CREATE PROCEDURE hello()
BEGIN
  SELECT 'hello; world';
END //
DELIMITER ;
CALL hello();
`
	stmts, _ := sqlsplit.Split(src, sqlsplit.Options{Dialect: sqlsplit.MySQL})
	for _, st := range stmts {
		fmt.Printf("line %d: %q\n", st.Line, st.SQL)
	}
	// Output:
	// line 2: "CREATE PROCEDURE hello()\nBEGIN\n  SELECT 'hello; world';\nEND"
	// line 7: "CALL hello()"
}

func ExampleSplit_error() {
	src := "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $fn$\n  SELECT 1;\n"
	_, err := sqlsplit.Split(src, sqlsplit.Options{Dialect: sqlsplit.Postgres, FirstLine: 3})
	fmt.Println("0003_f.sql:" + err.Error())
	// Output:
	// 0003_f.sql:line 4:36: unterminated dollar-quoted string $fn$ (opened here)
}

func ExampleEnvsub() {
	vars := map[string]string{"SCHEMA": "billing"}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	out, err := sqlsplit.Envsub("CREATE TABLE ${SCHEMA}.t (note text DEFAULT '${SCHEMA}'); -- ${SCHEMA}\nGRANT ALL ON ${SCHEMA}.t TO ${ROLE:-app};", sqlsplit.Postgres, lookup)
	fmt.Println(out, err)
	_, err = sqlsplit.Envsub("\nSELECT * FROM ${TABLE};", sqlsplit.Postgres, lookup)
	fmt.Println(err)
	// Output:
	// CREATE TABLE billing.t (note text DEFAULT '${SCHEMA}'); -- ${SCHEMA}
	// GRANT ALL ON billing.t TO app; <nil>
	// line 2:15: ${TABLE} is not set (set it in strata.yaml vars or the environment)
}

func ExampleIsTransactionControl() {
	for _, sql := range []string{"BEGIN", "BEGIN ATOMIC SELECT 1; END", "ROLLBACK TO SAVEPOINT a", "END"} {
		fmt.Println(sql, "=>", sqlsplit.IsTransactionControl(sql, sqlsplit.Postgres))
	}
	// Output:
	// BEGIN => true
	// BEGIN ATOMIC SELECT 1; END => false
	// ROLLBACK TO SAVEPOINT a => false
	// END => true
}
