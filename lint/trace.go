package lint

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os/exec"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// TraceOptions tunes [Trace].
type TraceOptions struct {
	// IncludeDown also traces down parts.
	IncludeDown bool
	// Schema is SQL that builds the scratch schema. Empty: copy the schema
	// of the database at dsn with pg_dump --schema-only when pg_dump is
	// installed, else start from an empty database.
	Schema string
}

// TracedStatement is what PostgreSQL really did for one statement.
type TracedStatement struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Kind string `json:"kind"`
	// Locks are the table locks the statement took (the strongest per
	// relation), read from pg_locks.
	Locks []Lock `json:"locks,omitempty"`
	// Rewrites are relations whose relfilenode changed.
	Rewrites []string `json:"rewrites,omitempty"`
	// Scans are pre-existing tables the statement read sequentially.
	Scans []string `json:"scans,omitempty"`
	// Skipped says why the statement was not run.
	Skipped string `json:"skipped,omitempty"`
	// NonTransactional is set when it was skipped because it cannot run
	// inside a transaction block.
	NonTransactional bool `json:"non_transactional,omitempty"`
	// Err is the server's error; the rest of the file is not traced.
	Err string `json:"error,omitempty"`
}

// TraceResult is the outcome of [Trace].
type TraceResult struct {
	// SchemaFrom says where the scratch schema came from.
	SchemaFrom string            `json:"schema_from"`
	Statements []TracedStatement `json:"statements"`
}

// Trace runs each file's statements inside a transaction on a scratch
// database created on the server at dsn, holding a copy of its schema and no
// data. After each statement it reads pg_locks, pg_class.relfilenode and
// pg_stat_xact_user_tables, then rolls the file back (and applies it for
// real, so the next file sees its schema). The scratch database is dropped
// before Trace returns. Statements that cannot run in a transaction are
// skipped.
func Trace(ctx context.Context, dsn string, files []string, opts TraceOptions) (*TraceResult, error) {
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "strata_lint_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create scratch database: %w", err)
	}
	defer func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}()
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	u.Path = "/" + name
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("connect to scratch database: %w", err)
	}
	defer conn.Close(context.Background())

	res := &TraceResult{SchemaFrom: "empty database"}
	schema := opts.Schema
	if schema != "" {
		res.SchemaFrom = "given schema"
	} else if path, err := exec.LookPath("pg_dump"); err == nil {
		var out, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, path, "--schema-only", "--no-owner", "--no-privileges", "--dbname="+dsn)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("pg_dump --schema-only: %v: %s", err, strings.TrimSpace(stderr.String()))
		}
		var kept []string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(l, `\`) { // psql meta-commands (\restrict)
				continue
			}
			kept = append(kept, l)
		}
		schema = strings.Join(kept, "\n")
		res.SchemaFrom = "pg_dump --schema-only of the database"
	}
	if strings.TrimSpace(schema) != "" {
		if _, err := conn.PgConn().Exec(ctx, schema).ReadAll(); err != nil {
			return nil, fmt.Errorf("load scratch schema: %w", err)
		}
		_, _ = conn.Exec(ctx, "SET search_path TO public")
	}
	l, _ := New(Options{Engine: Postgres})
	for _, f := range files {
		src, conf, err := readFile(f)
		if err != nil {
			return nil, err
		}
		parts, err := l.parseFile(f, src, conf)
		if err != nil {
			return nil, err
		}
		for _, fs := range parts {
			if fs.down && !opts.IncludeDown {
				continue
			}
			sf, p := fs.source()
			sts, err := traceSQL(ctx, conn, l, f, sf, p)
			if err != nil {
				return nil, err
			}
			res.Statements = append(res.Statements, sts...)
			// Apply for real, so that later files see this one's schema.
			_, _ = conn.PgConn().Exec(ctx, sf.text).ReadAll()
		}
	}
	return res, nil
}

type relState struct {
	name     string
	filenode uint32
	seqScan  int64
	table    bool
}

func snapshot(ctx context.Context, conn *pgx.Conn) (map[uint32]relState, error) {
	rows, err := conn.Query(ctx, `SELECT c.oid, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END,
		c.relfilenode, coalesce(s.seq_scan, 0), c.relkind IN ('r', 'p', 'm')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]relState{}
	for rows.Next() {
		var oid uint32
		var s relState
		if err := rows.Scan(&oid, &s.name, &s.filenode, &s.seqScan, &s.table); err != nil {
			return nil, err
		}
		out[oid] = s
	}
	return out, rows.Err()
}

func heldLocks(ctx context.Context, conn *pgx.Conn) (map[string]lockMode, error) {
	rows, err := conn.Query(ctx, `SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END, l.mode
		FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
		AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p', 'm')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]lockMode{}
	for rows.Next() {
		var rel, mode string
		if err := rows.Scan(&rel, &mode); err != nil {
			return nil, err
		}
		m := lockFromPG(mode)
		if m > out[rel] {
			out[rel] = m
		}
	}
	return out, rows.Err()
}

func lockFromPG(mode string) lockMode {
	// pg_locks says AccessExclusiveLock.
	switch mode {
	case "AccessShareLock":
		return lockAccessShare
	case "RowShareLock":
		return lockRowShare
	case "RowExclusiveLock":
		return lockRowExclusive
	case "ShareUpdateExclusiveLock":
		return lockShareUpdateExclusive
	case "ShareLock":
		return lockShare
	case "ShareRowExclusiveLock":
		return lockShareRowExclusive
	case "ExclusiveLock":
		return lockExclusive
	case "AccessExclusiveLock":
		return lockAccessExclusive
	}
	return lockNone
}

func traceSQL(ctx context.Context, conn *pgx.Conn, l *Linter, file string, sf *sourceFile, p part) ([]TracedStatement, error) {
	text := sf.masked(p)
	parsed, err := pgParse(text)
	if err != nil {
		return nil, pgParseError(file, text, sf, err)
	}
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.Exec(context.Background(), "ROLLBACK") }()
	base, err := snapshot(ctx, conn)
	if err != nil {
		return nil, err
	}
	run := &pgRun{l: l}
	var out []TracedStatement
	failed := false
	for _, rs := range parsed.Stmts {
		loc := int(rs.StmtLocation)
		end := len(text)
		if rs.StmtLen > 0 {
			end = loc + int(rs.StmtLen)
		}
		first, _ := skipLeading(text, loc, end, false)
		sql := text[first:end]
		ts := TracedStatement{File: file, Kind: kindOf(sql)}
		ts.Line, ts.Col = position(text, sf.lines, first)
		switch {
		case failed:
			ts.Skipped = "an earlier statement failed"
		case rs.Stmt.GetTransactionStmt() != nil:
			ts.Skipped = "transaction control: the trace runs the file in one transaction"
		default:
			if why, ok := run.nonTransactional(rs.Stmt); ok {
				ts.Skipped = why + " cannot run inside the trace's transaction"
				ts.NonTransactional = true
			}
		}
		if ts.Skipped != "" {
			out = append(out, ts)
			continue
		}
		before, err := heldLocks(ctx, conn)
		if err != nil {
			return nil, err
		}
		prev, err := snapshot(ctx, conn)
		if err != nil {
			return nil, err
		}
		if _, err := conn.Exec(ctx, "SAVEPOINT strata_trace"); err != nil {
			return nil, err
		}
		if _, err := conn.PgConn().Exec(ctx, sql).ReadAll(); err != nil {
			ts.Err = err.Error()
			failed = true
			_, _ = conn.Exec(ctx, "ROLLBACK TO SAVEPOINT strata_trace")
			out = append(out, ts)
			continue
		}
		after, err := heldLocks(ctx, conn)
		if err != nil {
			return nil, err
		}
		now, err := snapshot(ctx, conn)
		if err != nil {
			return nil, err
		}
		var rels []string
		for rel := range after {
			rels = append(rels, rel)
		}
		sort.Strings(rels)
		for _, rel := range rels {
			if m := after[rel]; m > before[rel] {
				ts.Locks = append(ts.Locks, Lock{Mode: m.String(), Object: rel})
			}
		}
		for oid, s := range now {
			o, ok := prev[oid]
			if !ok || !s.table {
				continue
			}
			if _, existed := base[oid]; !existed {
				continue
			}
			if s.filenode != o.filenode {
				ts.Rewrites = append(ts.Rewrites, s.name)
			} else if s.seqScan > o.seqScan {
				ts.Scans = append(ts.Scans, s.name)
			}
		}
		sort.Strings(ts.Rewrites)
		sort.Strings(ts.Scans)
		out = append(out, ts)
	}
	return out, nil
}

// Report turns the trace into statements and findings for what the static
// rules in static (may be nil) did not already report: a rewrite, or a
// full scan under a lock that blocks writes, of a table that existed
// before the file.
func (t *TraceResult) Report(static *Report) *Report {
	rep := &Report{}
	flagged := map[string]bool{}
	if static != nil {
		for _, f := range static.Findings {
			if f.Severity == Error {
				flagged[fmt.Sprintf("%s:%d", f.File, f.Line)] = true
			}
		}
	}
	for _, ts := range t.Statements {
		// A statement that failed or did not run took no lock the trace
		// could see: its note says so instead.
		note := ""
		switch {
		case ts.Err != "":
			note = "failed: " + ts.Err
		case ts.Skipped != "":
			note = "not run: " + ts.Skipped
		}
		st := Statement{File: ts.File, Line: ts.Line, Col: ts.Col, Kind: "TRACE " + ts.Kind, Locks: ts.Locks,
			Rewrites: ts.Rewrites, Scans: ts.Scans, Transactional: !ts.NonTransactional, InTransaction: true, Traced: true,
			Note: note}
		rep.Statements = append(rep.Statements, st)
		if flagged[fmt.Sprintf("%s:%d", ts.File, ts.Line)] {
			continue
		}
		strongest, on := lockNone, ""
		for _, l := range ts.Locks {
			if m := lockModeOf(l.Mode); m > strongest {
				strongest, on = m, l.Object
			}
		}
		switch {
		case len(ts.Rewrites) > 0:
			rep.Findings = append(rep.Findings, Finding{File: ts.File, Line: ts.Line, Col: ts.Col, Rule: "trace-rewrite", Severity: Error,
				Lock: strongest.String(), Object: on, Rewrites: true, Scans: true,
				Message: fmt.Sprintf("the trace saw %s rewrite %s (relfilenode changed) while holding %s", ts.Kind, strings.Join(ts.Rewrites, ", "), strongest),
				Fix:     "-- rewrite it as an expand/contract change (strata online ops) so no table is copied under a lock"})
		case len(ts.Scans) > 0 && strongest >= lockShare:
			rep.Findings = append(rep.Findings, Finding{File: ts.File, Line: ts.Line, Col: ts.Col, Rule: "trace-blocking-scan", Severity: Error,
				Lock: strongest.String(), Object: on, Scans: true,
				Message: fmt.Sprintf("the trace saw %s read all of %s while holding %s, which %s", ts.Kind, strings.Join(ts.Scans, ", "), strongest, strongest.blocks()),
				Fix:     "-- split the change so the scan runs under SHARE UPDATE EXCLUSIVE (NOT VALID + VALIDATE, CONCURRENTLY)"})
		}
		if ts.Err != "" {
			rep.Findings = append(rep.Findings, Finding{File: ts.File, Line: ts.Line, Col: ts.Col, Rule: "trace-failed", Severity: Warning,
				Message: "the statement failed on a copy of the database's schema (without its rows), so the trace cannot say what it locks or rewrites, " +
					"and the statements after it in the file were not traced: " + ts.Err})
		}
	}
	return rep
}
