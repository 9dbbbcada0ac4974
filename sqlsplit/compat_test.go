package sqlsplit

import "testing"

func TestPostgresSemicolonsInsideParentheses(t *testing.T) {
	t.Parallel()
	src := "CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO b VALUES (1); INSERT INTO c VALUES (2));\nSELECT 1;\n"
	st, err := Split(src, Options{Dialect: Postgres})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[1].Line != 2 {
		t.Fatalf("statements = %+v", st)
	}
}

func TestMySQLDashCommentAtLineStart(t *testing.T) {
	t.Parallel()
	src := "--create table x\n-----------------\nCREATE TABLE a (id int); --note\nSELECT 1--1;\n"
	st, err := Split(src, Options{Dialect: MySQL})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].SQL != "CREATE TABLE a (id int)" || st[1].SQL != "SELECT 1--1" {
		t.Fatalf("statements = %+v", st)
	}
}
