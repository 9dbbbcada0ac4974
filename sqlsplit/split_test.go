package sqlsplit

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// want is one expected statement: its text and where it starts and ends.
type want struct {
	sql       string
	line, col int
	endLine   int
}

// splitCase is one Split input and the statements it must produce.
type splitCase struct {
	name      string
	d         Dialect
	firstLine int
	src       string
	want      []want
}

// checkSplit runs one case and compares every field of every statement.
func checkSplit(t *testing.T, c splitCase) {
	t.Helper()
	got, err := Split(c.src, Options{Dialect: c.d, FirstLine: c.firstLine})
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	if len(got) != len(c.want) {
		for i, s := range got {
			t.Logf("got[%d] = line %d:%d-%d %q", i, s.Line, s.Col, s.EndLine, s.SQL)
		}
		t.Fatalf("got %d statements, want %d", len(got), len(c.want))
	}
	for i, w := range c.want {
		s := got[i]
		if s.SQL != w.sql {
			t.Errorf("statement %d SQL:\n got %q\nwant %q", i+1, s.SQL, w.sql)
		}
		if s.Line != w.line || s.Col != w.col || s.EndLine != w.endLine {
			t.Errorf("statement %d at %d:%d-%d, want %d:%d-%d", i+1, s.Line, s.Col, s.EndLine, w.line, w.col, w.endLine)
		}
		if s.Offset+len(s.SQL) > len(c.src) || c.src[s.Offset:s.Offset+len(s.SQL)] != s.SQL {
			t.Errorf("statement %d: src[Offset:] does not hold SQL (Offset %d)", i+1, s.Offset)
		}
	}
}

func TestSplitPostgres(t *testing.T) {
	t.Parallel()
	cases := postgresCases
	for _, c := range cases {
		c.d = Postgres
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkSplit(t, c)
		})
	}
}

func TestSplitMySQL(t *testing.T) {
	t.Parallel()
	cases := mysqlCases
	for _, c := range cases {
		c.d = MySQL
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.want[0].sql == "" {
				// The whole statement: everything before its final ";".
				end := strings.LastIndex(c.src, "END;\n") + len("END")
				c.want = slices.Clone(c.want)
				c.want[0].sql = c.src[:end]
			}
			checkSplit(t, c)
		})
	}
}

func TestSplitMySQLDelimiter(t *testing.T) {
	t.Parallel()
	cases := delimiterCases
	for _, c := range cases {
		c.d = MySQL
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkSplit(t, c)
		})
	}
}

func TestSplitSQLite(t *testing.T) {
	t.Parallel()
	cases := sqliteCases
	for _, c := range cases {
		c.d = SQLite
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkSplit(t, c)
		})
	}
}

// TestSplitEveryDialect covers what all dialects share: positions, empty
// input, trailing statements and line endings.
func TestSplitEveryDialect(t *testing.T) {
	t.Parallel()
	cases := everyDialectCases
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		for _, c := range cases {
			c.d = d
			t.Run(d.String()+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				checkSplit(t, c)
			})
		}
	}
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	cases := errorCases
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Split(c.src, Options{Dialect: c.d, FirstLine: c.firstLine})
			if err == nil {
				t.Fatalf("Split returned %d statements and no error, want %q", len(got), c.want)
			}
			if got != nil {
				t.Errorf("Split returned statements with its error")
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if err.Error() != c.want {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), c.want)
			}
			if se.Offset < 0 || se.Offset > len(c.src) {
				t.Errorf("Offset %d outside the source", se.Offset)
			}
		})
	}
}

func TestSplitRejectsAMissingDialect(t *testing.T) {
	t.Parallel()
	for _, d := range []Dialect{0, 9} {
		if _, err := Split("SELECT 1", Options{Dialect: d}); err == nil {
			t.Errorf("Split with Dialect(%d) succeeded", int(d))
		}
	}
}

func TestParseDialect(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]Dialect{
		"postgres": Postgres, "PostgreSQL": Postgres, "pgx": Postgres,
		"mysql": MySQL, "mariadb": MySQL, "sqlite": SQLite, "sqlite3": SQLite,
	} {
		got, err := ParseDialect(name)
		if err != nil || got != want {
			t.Errorf("ParseDialect(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseDialect("oracle"); err == nil {
		t.Error("ParseDialect(oracle) succeeded")
	}
}

var postgresCases = []splitCase{
	{
		name: "a PL/pgSQL trigger function in $$ keeps its semicolons",
		src: `-- 0001_audit.up.sql
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    note text NOT NULL DEFAULT ';'
);

CREATE OR REPLACE FUNCTION audit_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_touch BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_touch();
`,
		want: []want{
			{"CREATE TABLE audit_log (\n    id bigserial PRIMARY KEY,\n    note text NOT NULL DEFAULT ';'\n)", 2, 1, 5},
			{"CREATE OR REPLACE FUNCTION audit_touch() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$", 7, 1, 13},
			{"CREATE TRIGGER audit_touch BEFORE UPDATE ON audit_log\n    FOR EACH ROW EXECUTE FUNCTION audit_touch()", 15, 1, 16},
		},
	},
	{
		name: "a $body$ quote closes only at its own tag, not at an inner $$ or $q$",
		src: `CREATE FUNCTION make_fn() RETURNS void AS $body$
BEGIN
  EXECUTE $q$CREATE FUNCTION inner() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql$q$;
  RAISE NOTICE 'done; really';
END
$body$ LANGUAGE plpgsql;
SELECT make_fn();`,
		want: []want{
			{"CREATE FUNCTION make_fn() RETURNS void AS $body$\nBEGIN\n  EXECUTE $q$CREATE FUNCTION inner() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql$q$;\n  RAISE NOTICE 'done; really';\nEND\n$body$ LANGUAGE plpgsql", 1, 1, 6},
			{"SELECT make_fn()", 7, 1, 7},
		},
	},
	{
		name: "dollar tags are case-sensitive, so $Fn$ does not close $fn$",
		src:  "SELECT $fn$ a; $Fn$ b; $fn$; SELECT 2;",
		want: []want{
			{"SELECT $fn$ a; $Fn$ b; $fn$", 1, 1, 1},
			{"SELECT 2", 1, 30, 1},
		},
	},
	{
		name: "$1 is a parameter, not the start of a dollar quote",
		src:  "PREPARE find(int) AS SELECT * FROM users WHERE id = $1;\nEXECUTE find(1);",
		want: []want{
			{"PREPARE find(int) AS SELECT * FROM users WHERE id = $1", 1, 1, 1},
			{"EXECUTE find(1)", 2, 1, 2},
		},
	},
	{
		name: "a $ inside an identifier does not open a dollar quote",
		src:  "CREATE TABLE price$$usd (a int); SELECT 2;",
		want: []want{
			{"CREATE TABLE price$$usd (a int)", 1, 1, 1},
			{"SELECT 2", 1, 34, 1},
		},
	},
	{
		name: "E'' strings honour backslash escapes",
		src:  "INSERT INTO notes VALUES (E'it\\'s; fine', e'tab\\t;');\nSELECT 2;",
		want: []want{
			{"INSERT INTO notes VALUES (E'it\\'s; fine', e'tab\\t;')", 1, 1, 1},
			{"SELECT 2", 2, 1, 2},
		},
	},
	{
		name: "standard strings end at the quote even after a backslash",
		src:  `SELECT 'C:\'; SELECT 'it''s; one';`,
		want: []want{
			{`SELECT 'C:\'`, 1, 1, 1},
			{`SELECT 'it''s; one'`, 1, 15, 1},
		},
	},
	{
		name: "a word ending in E before a quote is not an escape string",
		src:  `SELECT type'x\'; SELECT 2;`,
		want: []want{
			{`SELECT type'x\'`, 1, 1, 1},
			{"SELECT 2", 1, 18, 1},
		},
	},
	{
		name: "block comments nest",
		src:  "/* outer /* inner; */ still a comment; */ SELECT 1; SELECT 2;",
		want: []want{
			{"SELECT 1", 1, 43, 1},
			{"SELECT 2", 1, 53, 1},
		},
	},
	{
		name: "double-quoted identifiers may hold semicolons and doubled quotes",
		src:  `CREATE TABLE "semi;colon" ("a""b;" int); SELECT 2;`,
		want: []want{
			{`CREATE TABLE "semi;colon" ("a""b;" int)`, 1, 1, 1},
			{"SELECT 2", 1, 42, 1},
		},
	},
	{
		name: "-- starts a comment even without a space, and # is an operator",
		src:  "SELECT 5--1; SELECT 9;\nSELECT 1 # 2; SELECT 3;",
		want: []want{
			{"SELECT 5--1; SELECT 9;\nSELECT 1 # 2", 1, 1, 2},
			{"SELECT 3", 2, 15, 2},
		},
	},
	{
		name: "BEGIN ATOMIC bodies nest and count CASE ... END",
		src: `CREATE FUNCTION add_one(i integer) RETURNS integer
    LANGUAGE SQL
    IMMUTABLE
BEGIN ATOMIC
    SELECT CASE WHEN i IS NULL THEN 0 ELSE i + 1 END;
END;

CREATE OR REPLACE PROCEDURE insert_pair(a integer, b integer)
LANGUAGE SQL
BEGIN ATOMIC
  INSERT INTO tbl VALUES (a);
  INSERT INTO tbl VALUES (b);
END;
CALL insert_pair(1, 2);`,
		want: []want{
			{"CREATE FUNCTION add_one(i integer) RETURNS integer\n    LANGUAGE SQL\n    IMMUTABLE\nBEGIN ATOMIC\n    SELECT CASE WHEN i IS NULL THEN 0 ELSE i + 1 END;\nEND", 1, 1, 6},
			{"CREATE OR REPLACE PROCEDURE insert_pair(a integer, b integer)\nLANGUAGE SQL\nBEGIN ATOMIC\n  INSERT INTO tbl VALUES (a);\n  INSERT INTO tbl VALUES (b);\nEND", 8, 1, 13},
			{"CALL insert_pair(1, 2)", 14, 1, 14},
		},
	},
	{
		name: "a parameter named begin does not open a body",
		src:  "CREATE FUNCTION span(begin int, finish int) RETURNS int RETURN finish - begin;\nSELECT 2;",
		want: []want{
			{"CREATE FUNCTION span(begin int, finish int) RETURNS int RETURN finish - begin", 1, 1, 1},
			{"SELECT 2", 2, 1, 2},
		},
	},
	{
		name: "BEGIN; ... COMMIT; is three statements",
		src:  "BEGIN;\nCREATE TABLE users (id int);\nCOMMIT;\n",
		want: []want{
			{"BEGIN", 1, 1, 1},
			{"CREATE TABLE users (id int)", 2, 1, 2},
			{"COMMIT", 3, 1, 3},
		},
	},
	{
		name: "CASE outside a BEGIN ATOMIC body does not hold back the semicolon",
		src:  "SELECT CASE WHEN true THEN 1 END; SELECT 2;",
		want: []want{
			{"SELECT CASE WHEN true THEN 1 END", 1, 1, 1},
			{"SELECT 2", 1, 35, 1},
		},
	},
	{
		name: "DELIMITER means nothing outside MySQL",
		src:  "DELIMITER //\nSELECT 1;",
		want: []want{
			{"DELIMITER //\nSELECT 1", 1, 1, 2},
		},
	},
}

var mysqlCases = []splitCase{
	{
		name: "a procedure with nested IF, CASE, LOOP, WHILE, REPEAT and labels is one statement",
		src: `CREATE PROCEDURE transfer(IN from_id INT, IN to_id INT, IN amount DECIMAL(10,2))
BEGIN
  DECLARE bal DECIMAL(10,2);
  DECLARE done INT DEFAULT 0;
  SELECT balance INTO bal FROM accounts WHERE id = from_id FOR UPDATE;
  IF bal < amount THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'insufficient funds; aborting';
  ELSEIF amount = 0 THEN
    SET done = 1;
  ELSE
    UPDATE accounts SET balance = balance - amount WHERE id = from_id;
    UPDATE accounts SET balance = balance + amount WHERE id = to_id;
  END IF;
  CASE done
    WHEN 1 THEN SELECT 'noop';
    ELSE SELECT IF(amount > 100, 'big', 'small');
  END CASE;
  counter: LOOP
    SET done = done + 1;
    IF done > 3 THEN LEAVE counter; END IF;
  END LOOP counter;
  WHILE done > 0 DO
    SET done = done - 1;
  END WHILE;
  REPEAT
    SET done = done + 1;
  UNTIL done >= 2 END REPEAT;
  SELECT REPEAT('-', 10), CASE WHEN done THEN IF(done, 1, 2) ELSE IF(bal, 3, 4) END;
  SET @pad := REPEAT('x', 3);
  DROP TEMPORARY TABLE IF EXISTS tmp_x;
  CREATE TEMPORARY TABLE IF NOT EXISTS tmp_x (a INT);
  IF NOT EXISTS (SELECT 1 FROM accounts) THEN
    INSERT INTO accounts VALUES (1);
  END IF;
  IF (amount > 0) THEN
    SET done = 0;
  ELSE IF amount < 0 THEN
    SET done = 2;
  END IF;
  END IF;
  inner_blk: BEGIN
    DECLARE x INT;
    SET x = 1;
  END inner_blk;
END;
SELECT 1;`,
		want: []want{
			{"", 1, 1, 45},
			{"SELECT 1", 46, 1, 46},
		},
	},
	{
		name: "a trigger with a BEGIN ... END body is one statement",
		src: `CREATE TRIGGER trg_orders_bi BEFORE INSERT ON orders
FOR EACH ROW
BEGIN
  IF NEW.qty < 0 THEN
    SET NEW.qty = 0;
  END IF;
END;
INSERT INTO orders (qty) VALUES (-1);`,
		want: []want{
			{"", 1, 1, 7},
			{"INSERT INTO orders (qty) VALUES (-1)", 8, 1, 8},
		},
	},
	{
		name: "a trigger without BEGIN ends at its first semicolon",
		src:  "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1; SELECT 2;",
		want: []want{
			{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1", 1, 1, 1},
			{"SELECT 2", 1, 65, 1},
		},
	},
	{
		name: "a trigger whose body is a bare IF runs to END IF",
		src:  "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF NEW.a IS NULL THEN SET NEW.a = 0; END IF; SELECT 2;",
		want: []want{
			{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF NEW.a IS NULL THEN SET NEW.a = 0; END IF", 1, 1, 1},
			{"SELECT 2", 1, 95, 1},
		},
	},
	{
		name: "DEFINER and SQL SECURITY clauses before PROCEDURE or FUNCTION are skipped",
		src: "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;\n" +
			"CREATE OR REPLACE DEFINER = 'admin'@'%' SQL SECURITY INVOKER FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END;\n" +
			"CREATE DEFINER=CURRENT_USER() EVENT e ON SCHEDULE EVERY 1 HOUR DO BEGIN DELETE FROM s; DELETE FROM t; END;\n" +
			"CREATE DEFINER=admin@localhost SQL SECURITY DEFINER VIEW v AS SELECT 1;\n",
		want: []want{
			{"CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", 1, 1, 1},
			{"CREATE OR REPLACE DEFINER = 'admin'@'%' SQL SECURITY INVOKER FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END", 2, 1, 2},
			{"CREATE DEFINER=CURRENT_USER() EVENT e ON SCHEDULE EVERY 1 HOUR DO BEGIN DELETE FROM s; DELETE FROM t; END", 3, 1, 3},
			{"CREATE DEFINER=admin@localhost SQL SECURITY DEFINER VIEW v AS SELECT 1", 4, 1, 4},
		},
	},
	{
		name: "a function whose body is a CASE expression ends after its END",
		src:  "CREATE FUNCTION sign3(x INT) RETURNS INT DETERMINISTIC RETURN CASE WHEN x > 0 THEN 1 WHEN x < 0 THEN -1 ELSE 0 END; SELECT 1;",
		want: []want{
			{"CREATE FUNCTION sign3(x INT) RETURNS INT DETERMINISTIC RETURN CASE WHEN x > 0 THEN 1 WHEN x < 0 THEN -1 ELSE 0 END", 1, 1, 1},
			{"SELECT 1", 1, 117, 1},
		},
	},
	{
		name: "MariaDB IF NOT EXISTS after PROCEDURE does not open a block",
		src:  "CREATE PROCEDURE IF NOT EXISTS p() BEGIN SELECT 1; END; SELECT 2;",
		want: []want{
			{"CREATE PROCEDURE IF NOT EXISTS p() BEGIN SELECT 1; END", 1, 1, 1},
			{"SELECT 2", 1, 57, 1},
		},
	},
	{
		name: "MariaDB BEGIN NOT ATOMIC is one statement",
		src:  "BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 0;\n  IF x = 0 THEN SELECT 'zero'; END IF;\nEND;\nSELECT 2;",
		want: []want{
			{"BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 0;\n  IF x = 0 THEN SELECT 'zero'; END IF;\nEND", 1, 1, 4},
			{"SELECT 2", 5, 1, 5},
		},
	},
	{
		name: "BEGIN and BEGIN WORK are transaction statements",
		src:  "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nBEGIN WORK;\nSTART TRANSACTION;\nROLLBACK;",
		want: []want{
			{"BEGIN", 1, 1, 1},
			{"INSERT INTO t VALUES (1)", 2, 1, 2},
			{"COMMIT", 3, 1, 3},
			{"BEGIN WORK", 4, 1, 4},
			{"START TRANSACTION", 5, 1, 5},
			{"ROLLBACK", 6, 1, 6},
		},
	},
	{
		name: "CASE and IF outside a routine do not hold back the semicolon",
		src:  "SELECT CASE WHEN a THEN 1 END, IF(b, 1, 2) FROM t; UPDATE t SET c = 1;",
		want: []want{
			{"SELECT CASE WHEN a THEN 1 END, IF(b, 1, 2) FROM t", 1, 1, 1},
			{"UPDATE t SET c = 1", 1, 52, 1},
		},
	},
	{
		name: "strings honour backslash escapes in both quote styles",
		src:  `INSERT INTO t VALUES ('it\'s; ok', "say \"hi\"; bye", 'a''b;'); SELECT 2;`,
		want: []want{
			{`INSERT INTO t VALUES ('it\'s; ok', "say \"hi\"; bye", 'a''b;')`, 1, 1, 1},
			{"SELECT 2", 1, 65, 1},
		},
	},
	{
		name: "backquoted identifiers may hold semicolons and doubled backquotes",
		src:  "CREATE TABLE `semi;colon` (`a``b;` INT); SELECT 2;",
		want: []want{
			{"CREATE TABLE `semi;colon` (`a``b;` INT)", 1, 1, 1},
			{"SELECT 2", 1, 42, 1},
		},
	},
	{
		name: "-- needs a blank after it, and # is a comment",
		src:  "SELECT 5--1; SELECT 6 -- six; really\n;# a comment; still\nSELECT 7 --\n;",
		want: []want{
			{"SELECT 5--1", 1, 1, 1},
			{"SELECT 6", 1, 14, 1},
			{"SELECT 7", 3, 1, 3},
		},
	},
	{
		name: "block comments do not nest",
		src:  "/* a /* b */ SELECT 1; SELECT 2;",
		want: []want{
			{"SELECT 1", 1, 14, 1},
			{"SELECT 2", 1, 24, 1},
		},
	},
	{
		name: "executable comments are statement text and are not split",
		src:  "/*!40101 SET @OLD_CS=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET a=1; SET b=2 */;\nSELECT /*+ MAX_EXECUTION_TIME(1000) */ 1;",
		want: []want{
			{"/*!40101 SET @OLD_CS=@@CHARACTER_SET_CLIENT */", 1, 1, 1},
			{"/*!40101 SET a=1; SET b=2 */", 2, 1, 2},
			{"SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1", 3, 1, 3},
		},
	},
	{
		name: "$$ is ordinary text",
		src:  "SELECT '$$'; SELECT $$a; SELECT 3;",
		want: []want{
			{"SELECT '$$'", 1, 1, 1},
			{"SELECT $$a", 1, 14, 1},
			{"SELECT 3", 1, 26, 1},
		},
	},
}

var delimiterCases = []splitCase{
	{
		name: "mysqldump routines between DELIMITER ;; and DELIMITER ;",
		src: `--
-- Dumping routines for database 'shop'
--
/*!50003 DROP PROCEDURE IF EXISTS ` + "`add_item`" + ` */;
/*!50003 SET @saved_cs_client      = @@character_set_client */ ;
DELIMITER ;;
CREATE DEFINER=` + "`root`@`localhost`" + ` PROCEDURE ` + "`add_item`" + `(IN p_name VARCHAR(64))
BEGIN
  INSERT INTO items (name) VALUES (p_name);
  SELECT LAST_INSERT_ID();
END ;;
DELIMITER ;
/*!50003 SET character_set_client  = @saved_cs_client */ ;
`,
		want: []want{
			{"/*!50003 DROP PROCEDURE IF EXISTS `add_item` */", 4, 1, 4},
			{"/*!50003 SET @saved_cs_client      = @@character_set_client */", 5, 1, 5},
			{"CREATE DEFINER=`root`@`localhost` PROCEDURE `add_item`(IN p_name VARCHAR(64))\nBEGIN\n  INSERT INTO items (name) VALUES (p_name);\n  SELECT LAST_INSERT_ID();\nEND", 7, 1, 11},
			{"/*!50003 SET character_set_client  = @saved_cs_client */", 13, 1, 13},
		},
	},
	{
		name: "mysqldump triggers in executable comments",
		src: "DELIMITER ;;\n" +
			"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `items_bi` BEFORE INSERT ON `items` FOR EACH ROW BEGIN\n" +
			"  SET NEW.created_at = NOW();\n" +
			"END */;;\n" +
			"DELIMITER ;\n",
		want: []want{
			{"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `items_bi` BEFORE INSERT ON `items` FOR EACH ROW BEGIN\n  SET NEW.created_at = NOW();\nEND */", 2, 1, 4},
		},
	},
	{
		name: "DELIMITER // with the delimiter on its own line after END",
		src: `DELIMITER //
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
  IF 1 THEN SELECT 2; END IF;
END
//
DELIMITER ;
CALL p();`,
		want: []want{
			{"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF 1 THEN SELECT 2; END IF;\nEND", 2, 1, 6},
			{"CALL p()", 9, 1, 9},
		},
	},
	{
		name: "DELIMITER $$ with the delimiter glued to END",
		src: `delimiter $$
CREATE FUNCTION f() RETURNS INT DETERMINISTIC
BEGIN
  RETURN 1;
END$$
CREATE FUNCTION g() RETURNS INT DETERMINISTIC RETURN 2$$
delimiter ;
SELECT f(), g();`,
		want: []want{
			{"CREATE FUNCTION f() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND", 2, 1, 5},
			{"CREATE FUNCTION g() RETURNS INT DETERMINISTIC RETURN 2", 6, 1, 6},
			{"SELECT f(), g()", 8, 1, 8},
		},
	},
	{
		name: "a custom delimiter inside a string or comment does not end the statement",
		src:  "DELIMITER //\nSELECT '//', \"//\" -- //\n/* // */ FROM t //\nDELIMITER ;",
		want: []want{
			{"SELECT '//', \"//\" -- //\n/* // */ FROM t", 2, 1, 3},
		},
	},
	{
		name: "a quoted DELIMITER argument and a trailing comment on the line",
		src:  "DELIMITER '//' # switch\nSELECT 1; SELECT 2//\nDELIMITER ; # back\nSELECT 3;",
		want: []want{
			{"SELECT 1; SELECT 2", 2, 1, 2},
			{"SELECT 3", 4, 1, 4},
		},
	},
	{
		name: "a DELIMITER line ends a statement left open before it",
		src:  "CREATE TABLE t (a INT)\nDELIMITER //\nSELECT 1//",
		want: []want{
			{"CREATE TABLE t (a INT)", 1, 1, 1},
			{"SELECT 1", 3, 1, 3},
		},
	},
	{
		name: "DELIMITER not first on its line is not a command",
		src:  "SELECT 1 AS delimiter; SELECT 2;",
		want: []want{
			{"SELECT 1 AS delimiter", 1, 1, 1},
			{"SELECT 2", 1, 24, 1},
		},
	},
	{
		name: "the last statement may end without the custom delimiter",
		src:  "DELIMITER ;;\nSELECT 1;;\nSELECT 2; SELECT 3\n",
		want: []want{
			{"SELECT 1", 2, 1, 2},
			{"SELECT 2; SELECT 3", 3, 1, 3},
		},
	},
}

var sqliteCases = []splitCase{
	{
		name: "a trigger body with CASE ... END inside is one statement",
		src: `CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER, sign TEXT);
CREATE TRIGGER t_sign AFTER UPDATE OF qty ON t
BEGIN
  UPDATE t SET sign = CASE WHEN NEW.qty > 0 THEN 'pos' ELSE 'neg' END WHERE id = NEW.id;
  INSERT INTO log VALUES ('t; updated');
END;
CREATE TEMP TRIGGER IF NOT EXISTS t_guard BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no; never'); END;
DELETE FROM t;`,
		want: []want{
			{"CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER, sign TEXT)", 1, 1, 1},
			{"CREATE TRIGGER t_sign AFTER UPDATE OF qty ON t\nBEGIN\n  UPDATE t SET sign = CASE WHEN NEW.qty > 0 THEN 'pos' ELSE 'neg' END WHERE id = NEW.id;\n  INSERT INTO log VALUES ('t; updated');\nEND", 2, 1, 6},
			{"CREATE TEMP TRIGGER IF NOT EXISTS t_guard BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no; never'); END", 7, 1, 7},
			{"DELETE FROM t", 8, 1, 8},
		},
	},
	{
		name: "a trigger with a WHEN clause holding CASE ... END",
		src:  "CREATE TRIGGER w AFTER INSERT ON t WHEN CASE NEW.a WHEN 1 THEN 1 END BEGIN DELETE FROM u; END; SELECT 2;",
		want: []want{
			{"CREATE TRIGGER w AFTER INSERT ON t WHEN CASE NEW.a WHEN 1 THEN 1 END BEGIN DELETE FROM u; END", 1, 1, 1},
			{"SELECT 2", 1, 96, 1},
		},
	},
	{
		name: "identifiers quoted with double quotes, backquotes and brackets",
		src:  "CREATE TABLE [my;table] (\"a;b\" INT, `c;d` INT); SELECT 2;",
		want: []want{
			{"CREATE TABLE [my;table] (\"a;b\" INT, `c;d` INT)", 1, 1, 1},
			{"SELECT 2", 1, 49, 1},
		},
	},
	{
		name: "BEGIN TRANSACTION ... COMMIT is three statements",
		src:  "BEGIN TRANSACTION;\nCREATE TABLE a (x);\nEND TRANSACTION;",
		want: []want{
			{"BEGIN TRANSACTION", 1, 1, 1},
			{"CREATE TABLE a (x)", 2, 1, 2},
			{"END TRANSACTION", 3, 1, 3},
		},
	},
	{
		name: "backslashes are ordinary in strings",
		src:  `SELECT 'a\'; SELECT 2;`,
		want: []want{
			{`SELECT 'a\'`, 1, 1, 1},
			{"SELECT 2", 1, 14, 1},
		},
	},
}

var everyDialectCases = []splitCase{
	{
		name: "a trailing statement needs no semicolon",
		src:  "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1)\n",
		want: []want{
			{"CREATE TABLE a (x int)", 1, 1, 1},
			{"INSERT INTO a VALUES (1)", 2, 1, 2},
		},
	},
	{
		name: "trailing comments are not part of the statement",
		src:  "SELECT 1 -- one\n;\nSELECT 2 /* two */\n-- the end\n",
		want: []want{
			{"SELECT 1", 1, 1, 1},
			{"SELECT 2", 3, 1, 3},
		},
	},
	{
		name: "leading comments are skipped and inner comments kept",
		src:  "-- create the table\n/* v2 */ CREATE TABLE a ( -- the key\n  id int\n);",
		want: []want{
			{"CREATE TABLE a ( -- the key\n  id int\n)", 2, 10, 4},
		},
	},
	{
		name: "a file of only comments and blanks has no statements",
		src:  "-- nothing here\n\n/* nor; here */\n   \n",
	},
	{
		name: "an empty file has no statements",
		src:  "",
	},
	{
		name: "empty statements are dropped",
		src:  ";;\n; SELECT 1;;;",
		want: []want{
			{"SELECT 1", 2, 3, 2},
		},
	},
	{
		name: "columns count bytes from 1",
		src:  "  SELECT 1; SELECT 2;\n\tSELECT 3;",
		want: []want{
			{"SELECT 1", 1, 3, 1},
			{"SELECT 2", 1, 13, 1},
			{"SELECT 3", 2, 2, 2},
		},
	},
	{
		name: "CRLF line endings keep line numbers right",
		src:  "CREATE TABLE a (\r\n  id int\r\n);\r\n\r\nSELECT 1;\r\n-- done\r\n",
		want: []want{
			{"CREATE TABLE a (\r\n  id int\r\n)", 1, 1, 3},
			{"SELECT 1", 5, 1, 5},
		},
	},
	{
		name:      "FirstLine offsets every line",
		firstLine: 10,
		src:       "CREATE TABLE a (\n  id int\n);\n\nSELECT 1;",
		want: []want{
			{"CREATE TABLE a (\n  id int\n)", 10, 1, 12},
			{"SELECT 1", 14, 1, 14},
		},
	},
	{
		name: "a UTF-8 byte order mark is skipped",
		src:  bom + "SELECT 1;",
		want: []want{
			{"SELECT 1", 1, 4, 1},
		},
	},
	{
		name: "non-ASCII identifiers and strings pass through",
		src:  "INSERT INTO café VALUES ('naïve; ok'); SELECT 'ü';",
		want: []want{
			{"INSERT INTO café VALUES ('naïve; ok')", 1, 1, 1},
			{"SELECT 'ü'", 1, 42, 1},
		},
	},
}

// errorCase is a Split input that must fail.
type errorCase struct {
	name      string
	d         Dialect
	firstLine int
	src       string
	want      string // the whole Error() text
}

var errorCases = []errorCase{
	{
		name: "an unterminated string points at its opening quote",
		d:    Postgres,
		src:  "SELECT 1;\nINSERT INTO t VALUES ('abc);\nSELECT 2;\n",
		want: "line 2:23: unterminated string literal (opened here)",
	},
	{
		name: "an unterminated dollar quote names its tag",
		d:    Postgres,
		src:  "CREATE FUNCTION f() RETURNS int AS $fn$\nSELECT 1;\n$$ LANGUAGE sql;",
		want: "line 1:36: unterminated dollar-quoted string $fn$ (opened here)",
	},
	{
		name: "an unterminated escape string",
		d:    Postgres,
		src:  `SELECT E'it\'s;`,
		want: "line 1:8: unterminated escape string E'...' (opened here)",
	},
	{
		name: "a nested block comment missing one close points at the outer opener",
		d:    Postgres,
		src:  "SELECT 1;\n  /* a /* b */ SELECT 2;",
		want: "line 2:3: unterminated block comment /* (opened here)",
	},
	{
		name: "an unterminated quoted identifier",
		d:    SQLite,
		src:  `SELECT "abc FROM t;`,
		want: `line 1:8: unterminated quoted identifier "..." (opened here)`,
	},
	{
		name: "an unterminated bracket identifier",
		d:    SQLite,
		src:  "SELECT 1;\nSELECT [abc FROM t;",
		want: "line 2:8: unterminated quoted identifier [...] (opened here)",
	},
	{
		name: "an unterminated backquoted identifier",
		d:    MySQL,
		src:  "CREATE TABLE `t (a INT);",
		want: "line 1:14: unterminated quoted identifier `...` (opened here)",
	},
	{
		name: "a MySQL double-quoted string ending in a backslash",
		d:    MySQL,
		src:  `SELECT "abc\";`,
		want: `line 1:8: unterminated string literal "..." (opened here)`,
	},
	{
		name: "a procedure missing its END points at BEGIN",
		d:    MySQL,
		src:  "CREATE PROCEDURE p()\nBEGIN\n  IF x THEN\n    SELECT 1;\n  END IF;\n",
		want: "line 2:1: unterminated BEGIN ... END block (opened here)",
	},
	{
		name: "a procedure missing END WHILE points at the loop",
		d:    MySQL,
		src:  "CREATE PROCEDURE p()\nBEGIN\n  WHILE x DO\n    SELECT 1;\nEND;\nSELECT 2;",
		want: "line 2:1: unterminated BEGIN ... END block (opened here)",
	},
	{
		name: "an IF block left open in a trigger without BEGIN",
		d:    MySQL,
		src:  "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW\n  IF NEW.a THEN SET NEW.b = 1;",
		want: "line 2:3: unterminated IF ... END IF block (opened here)",
	},
	{
		name: "a SQLite trigger missing END",
		d:    SQLite,
		src:  "CREATE TRIGGER t AFTER INSERT ON x\nBEGIN\n  DELETE FROM y;\n",
		want: "line 2:1: unterminated BEGIN ... END block (opened here)",
	},
	{
		name: "a BEGIN ATOMIC body missing END",
		d:    Postgres,
		src:  "CREATE FUNCTION f() RETURNS int LANGUAGE SQL\n  BEGIN ATOMIC\n  SELECT 1;\n",
		want: "line 2:3: unterminated BEGIN ... END block (opened here)",
	},
	{
		name:      "FirstLine offsets error lines",
		d:         Postgres,
		firstLine: 20,
		src:       "SELECT 1;\nSELECT 'x",
		want:      "line 21:8: unterminated string literal (opened here)",
	},
	{
		name: "CRLF line endings keep error lines right",
		d:    MySQL,
		src:  "SELECT 1;\r\n\r\nSELECT `x;\r\n",
		want: "line 3:8: unterminated quoted identifier `...` (opened here)",
	},
	{
		name: "DELIMITER without an argument",
		d:    MySQL,
		src:  "SELECT 1;\nDELIMITER\nSELECT 2;",
		want: "line 2:1: DELIMITER needs an argument, such as DELIMITER // (and DELIMITER ; to go back)",
	},
	{
		name: "DELIMITER with a backslash",
		d:    MySQL,
		src:  "DELIMITER \\\\\n",
		want: "line 1:1: DELIMITER cannot contain a backslash",
	},
}
