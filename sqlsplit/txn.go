package sqlsplit

// IsTransactionControl reports whether the statement sql starts, ends or
// rolls back a transaction: BEGIN [WORK | TRANSACTION | ISOLATION LEVEL ...
// | DEFERRED ...], START TRANSACTION, COMMIT [AND [NO] CHAIN], ROLLBACK, and
// in PostgreSQL and SQLite END [TRANSACTION], in PostgreSQL ABORT.
//
// It is false for what only looks like one: BEGIN ATOMIC (a PostgreSQL
// function body), MariaDB's BEGIN NOT ATOMIC block, ROLLBACK TO SAVEPOINT,
// SAVEPOINT and RELEASE (they work inside a transaction) and COMMIT
// PREPARED / ROLLBACK PREPARED (they finish another, prepared transaction;
// see [NoTransaction]). It is false for an unknown dialect.
func IsTransactionControl(sql string, d Dialect) bool {
	if d.check() != nil {
		return false
	}
	kw := keywords(sql, d, 4)
	if len(kw) == 0 {
		return false
	}
	at := func(i int) string {
		if i < len(kw) {
			return kw[i]
		}
		return ""
	}
	switch kw[0] {
	case "BEGIN":
		return at(1) != "ATOMIC" && (at(1) != "NOT" || at(2) != "ATOMIC")
	case "START":
		return at(1) == "TRANSACTION"
	case "COMMIT":
		return at(1) != "PREPARED"
	case "ROLLBACK":
		i := 1
		if at(i) == "WORK" || at(i) == "TRANSACTION" {
			i++
		}
		return at(i) != "TO" && at(i) != "PREPARED"
	case "END":
		return d == Postgres || d == SQLite
	case "ABORT":
		return d == Postgres
	}
	return false
}

// NoTransaction reports whether the statement sql cannot run inside a
// transaction block, with a short reason to show the user, who then needs
// the migration's no-transaction mode.
//
// PostgreSQL: CREATE [UNIQUE] INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY,
// REINDEX ... CONCURRENTLY and REINDEX SCHEMA | DATABASE | SYSTEM, VACUUM,
// CLUSTER without a table, CREATE | DROP DATABASE, ALTER DATABASE ... SET
// TABLESPACE, CREATE | DROP TABLESPACE, ALTER SYSTEM, ALTER TABLE ... DETACH
// PARTITION ... CONCURRENTLY, CREATE | DROP SUBSCRIPTION (they usually
// create or drop a replication slot), DISCARD ALL, COMMIT PREPARED and
// ROLLBACK PREPARED.
//
// SQLite: VACUUM, and setting PRAGMA foreign_keys (a no-op inside a
// transaction, which is worse than an error) or PRAGMA journal_mode.
//
// MySQL has no such statements (DDL commits implicitly instead), so for
// MySQL and unknown dialects ok is false.
func NoTransaction(sql string, d Dialect) (reason string, ok bool) {
	switch d {
	case Postgres:
		return pgNoTransaction(keywords(sql, d, 24))
	case SQLite:
		return sqliteNoTransaction(sql)
	}
	return "", false
}

func pgNoTransaction(kw []string) (string, bool) {
	at := func(i int) string {
		if i < len(kw) {
			return kw[i]
		}
		return ""
	}
	const inTx = " cannot run inside a transaction block"
	switch at(0) {
	case "VACUUM":
		return "VACUUM" + inTx, true
	case "CLUSTER":
		// CLUSTER [VERBOSE] with no table reclusters every table, each in
		// its own transaction. With a table it is fine.
		for _, w := range kw[1:] {
			if w != "VERBOSE" {
				return "", false
			}
		}
		return "CLUSTER without a table" + inTx, true
	case "CREATE":
		i := 1
		if at(i) == "UNIQUE" {
			i++
		}
		switch {
		case at(i) == "INDEX" && at(i+1) == "CONCURRENTLY":
			return "CREATE INDEX CONCURRENTLY" + inTx, true
		case at(1) == "DATABASE", at(1) == "TABLESPACE":
			return "CREATE " + at(1) + inTx, true
		case at(1) == "SUBSCRIPTION":
			return "CREATE SUBSCRIPTION" + inTx + " when it creates a replication slot", true
		}
	case "DROP":
		switch at(1) {
		case "INDEX":
			if at(2) == "CONCURRENTLY" {
				return "DROP INDEX CONCURRENTLY" + inTx, true
			}
		case "DATABASE", "TABLESPACE":
			return "DROP " + at(1) + inTx, true
		case "SUBSCRIPTION":
			return "DROP SUBSCRIPTION" + inTx + " when it drops a replication slot", true
		}
	case "REINDEX":
		// REINDEX [(option, ...)] {INDEX | TABLE | SCHEMA | DATABASE |
		// SYSTEM} [CONCURRENTLY] name, where an option may be CONCURRENTLY
		// or TABLESPACE name. Keywords drops the parentheses, so read
		// options up to the object kind; what follows the kind is a name.
		for i := 1; i < len(kw); i++ {
			switch kw[i] {
			case "TABLESPACE":
				i++ // its name could be any word
			case "CONCURRENTLY":
				return "REINDEX CONCURRENTLY" + inTx, true
			case "SCHEMA", "DATABASE", "SYSTEM":
				return "REINDEX " + kw[i] + inTx, true
			case "INDEX", "TABLE":
				if at(i+1) == "CONCURRENTLY" {
					return "REINDEX CONCURRENTLY" + inTx, true
				}
				return "", false
			}
		}
	case "ALTER":
		switch at(1) {
		case "SYSTEM":
			return "ALTER SYSTEM" + inTx, true
		case "DATABASE":
			if at(3) == "SET" && at(4) == "TABLESPACE" {
				return "ALTER DATABASE ... SET TABLESPACE" + inTx, true
			}
		case "TABLE":
			for i := 2; i+1 < len(kw); i++ {
				if kw[i] == "DETACH" && kw[i+1] == "PARTITION" {
					for _, w := range kw[i+2:] {
						if w == "CONCURRENTLY" {
							return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY" + inTx, true
						}
					}
					break
				}
			}
		}
	case "DISCARD":
		if at(1) == "ALL" {
			return "DISCARD ALL" + inTx, true
		}
	case "COMMIT", "ROLLBACK":
		if at(1) == "PREPARED" {
			return at(0) + " PREPARED" + inTx, true
		}
	}
	return "", false
}

func sqliteNoTransaction(sql string) (string, bool) {
	lx := lexer{src: sql, d: SQLite}
	var words []string
	var set bool // saw "=" or "(" after PRAGMA's name
scan:
	for len(words) < 4 && !set {
		t := lx.next()
		switch t.kind {
		case tokEOF, tokError:
			break scan
		case tokWord, tokIdent:
			words = append(words, upperIdent(sql[t.start:t.end]))
		case tokPunct:
			set = sql[t.start] == '=' || sql[t.start] == '('
		}
	}
	if len(words) == 0 {
		return "", false
	}
	switch words[0] {
	case "VACUUM":
		return "VACUUM cannot run inside a transaction", true
	case "PRAGMA":
		if !set {
			return "", false // a query, not a change
		}
		switch words[len(words)-1] {
		case "FOREIGN_KEYS":
			return "PRAGMA foreign_keys has no effect inside a transaction", true
		case "JOURNAL_MODE":
			return "PRAGMA journal_mode cannot change inside a transaction", true
		}
	}
	return "", false
}

// upperIdent upper-cases a word or a quoted identifier without its quotes,
// for comparison with keywords.
func upperIdent(s string) string {
	if len(s) >= 2 {
		switch s[0] {
		case '"', '`', '[':
			s = s[1 : len(s)-1]
		}
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
