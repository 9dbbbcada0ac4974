package check

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Side is one side of a [Compare]: a table or a query on one database.
type Side struct {
	// DB runs the queries. When it is a *sql.DB, several run at once.
	DB Querier
	// Engine is "postgres" or "mysql" (MariaDB counts as mysql).
	Engine string
	// Table (optionally schema.table) or Query (a SELECT) is compared.
	Table string
	Query string
	// Label names the side in messages (default: the table or "query").
	Label string
}

func (s *Side) name() string {
	switch {
	case s.Label != "":
		return s.Label
	case s.Table != "":
		return s.Table
	}
	return "(" + oneLine(s.Query) + ")"
}

func (s *Side) from() string {
	if s.Table != "" {
		return quoteName(s.Engine, s.Table)
	}
	return "(" + strings.TrimRight(strings.TrimSpace(s.Query), ";") + ") " + quoteIdent(s.Engine, "strata_src")
}

func (s *Side) concurrent() bool { _, ok := s.DB.(*sql.DB); return ok }

// CompareOptions tune [Compare]. The zero value uses the defaults.
type CompareOptions struct {
	// Key is the integer column the tables are chunked and joined by.
	Key string
	// Columns are compared besides the key (default: every column of the
	// source but the key).
	Columns []string
	// ChunkRows is the target number of rows of one top-level chunk
	// (default 100,000).
	ChunkRows int64
	// Fanout is how many sub-ranges a chunk hash is split into (default 64).
	Fanout int64
	// LeafWidth is the key width at or below which a mismatching range is
	// read row by row (key and row hash only; default 64).
	LeafWidth int64
	// Parallel is how many chunks are compared at once when both sides are
	// *sql.DB (default 2).
	Parallel int
	// MaxKeys bounds the differing keys listed (0: all). Counts stay exact.
	MaxKeys int
	// Normalize forces the type-normalised text hash even when both sides
	// are PostgreSQL with the same column types.
	Normalize bool
}

// Diff is the outcome of a comparison.
type Diff struct {
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Key     string   `json:"key"`
	Columns []string `json:"columns"`
	// Mode is "native" (PostgreSQL's own per-type hashes, both sides
	// PostgreSQL with the same types) or "normalized" (MD5 of a
	// type-normalised text rendering, identical on PostgreSQL and MySQL).
	Mode       string `json:"mode"`
	SourceRows int64  `json:"source_rows"`
	TargetRows int64  `json:"target_rows"`
	Chunks     int64  `json:"chunks"`
	// Changed, Missing (on target) and Extra (on target) count the
	// differing keys.
	Changed int64 `json:"changed"`
	Missing int64 `json:"missing"`
	Extra   int64 `json:"extra"`
	// Keys lists the differing keys in key order (up to MaxKeys).
	Keys      []KeyDiff `json:"keys"`
	Truncated bool      `json:"truncated,omitempty"`
	// RowsRead counts the rows (a key and a row hash each) read into
	// strata; Hashes counts the range hashes read.
	RowsRead  int64 `json:"rows_read"`
	Hashes    int64 `json:"hashes_read"`
	ElapsedMS int64 `json:"elapsed_ms"`
}

// Equal reports whether no key differs.
func (d *Diff) Equal() bool { return d.Changed+d.Missing+d.Extra == 0 }

// Differing is Changed+Missing+Extra.
func (d *Diff) Differing() int64 { return d.Changed + d.Missing + d.Extra }

// Kinds of difference.
const (
	Changed         = "changed"
	MissingOnTarget = "missing on target"
	ExtraOnTarget   = "extra on target"
)

// KeyDiff is one differing key.
type KeyDiff struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
	k    int64
}

// colClass is how a column's values are rendered for hashing.
type colClass int

const (
	clsOther colClass = iota
	clsInt
	clsDecimal
	clsFloat
	clsText
	clsBool
	clsTimestampTZ // an instant: PostgreSQL timestamptz, MySQL TIMESTAMP
	clsTimestamp   // a wall-clock time, read as UTC: timestamp, DATETIME
	clsDate
	clsBytes
	clsUUID
)

func classify(engine, dbType string) colClass {
	t := strings.ToUpper(dbType)
	t = strings.TrimPrefix(t, "UNSIGNED ")
	switch t {
	case "INT2", "INT4", "INT8", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR":
		return clsInt
	case "NUMERIC", "DECIMAL":
		return clsDecimal
	case "FLOAT4", "FLOAT8", "FLOAT", "DOUBLE", "REAL":
		return clsFloat
	case "TEXT", "VARCHAR", "BPCHAR", "CHAR", "NAME", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET", "CITEXT":
		return clsText
	case "BOOL", "BOOLEAN":
		return clsBool
	case "TIMESTAMPTZ":
		return clsTimestampTZ
	case "TIMESTAMP":
		if engine == MySQL {
			return clsTimestampTZ
		}
		return clsTimestamp
	case "DATETIME":
		return clsTimestamp
	case "DATE":
		return clsDate
	case "BYTEA", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY":
		return clsBytes
	case "UUID":
		return clsUUID
	}
	return clsOther
}

type column struct {
	name   string
	dbType string
	cls    colClass
}

// describe returns the columns of a side, in order.
func describe(ctx context.Context, s *Side) ([]column, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT * FROM "+s.from()+" WHERE 1 = 0")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name(), err)
	}
	out := make([]column, len(cts))
	for i, ct := range cts {
		out[i] = column{name: ct.Name(), dbType: ct.DatabaseTypeName(), cls: classify(s.Engine, ct.DatabaseTypeName())}
	}
	return out, rows.Err()
}

func findColumn(cols []column, name string) (column, bool) {
	for _, c := range cols {
		if c.name == name {
			return c, true
		}
	}
	for _, c := range cols {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return column{}, false
}

// plan is what both sides hash: the key and the columns, each side with
// its own column names and types.
type sidePlan struct {
	s    *Side
	key  string // quoted key expression
	hash string // per-row hash expression, an integer
	div  string // integer division operator
	// keyText renders the key as text both engines agree on (keys that
	// are not integers).
	keyText string
}

// renderNorm renders one column as normalised text (NULL as \N).
func renderNorm(engine string, c column) string {
	q := quoteIdent(engine, c.name)
	var e string
	if engine == Postgres {
		switch c.cls {
		case clsInt, clsText, clsFloat, clsUUID, clsOther:
			e = q + "::text"
		case clsDecimal:
			e = "trim_scale(" + q + ")::text"
		case clsBool:
			e = "CASE WHEN " + q + " THEN '1' ELSE '0' END"
		case clsTimestampTZ, clsTimestamp:
			// Microseconds since the epoch: an instant in UTC for
			// timestamptz, the wall-clock time read as UTC otherwise.
			e = "(extract(epoch FROM " + q + ") * 1000000)::bigint::text"
		case clsDate:
			e = "to_char(" + q + ", 'YYYY-MM-DD')"
		case clsBytes:
			e = "encode(" + q + ", 'hex')"
		}
		return "coalesce(" + e + ", '\\N')"
	}
	switch c.cls {
	case clsText, clsUUID:
		e = "CONVERT(" + q + " USING utf8mb4)"
	case clsDecimal:
		s := "CAST(" + q + " AS CHAR)"
		e = "CASE WHEN INSTR(" + s + ", '.') > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + s + ")) ELSE " + s + " END"
	case clsTimestampTZ:
		e = "CAST(ROUND(UNIX_TIMESTAMP(" + q + ") * 1000000) AS CHAR)"
	case clsTimestamp:
		e = "CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + q + ") AS CHAR)"
	case clsDate:
		e = "DATE_FORMAT(" + q + ", '%Y-%m-%d')"
	case clsBytes:
		e = "LOWER(HEX(" + q + "))"
	default:
		e = "CAST(" + q + " AS CHAR)"
	}
	return "COALESCE(" + e + ", '\\\\N')"
}

// normHash is the 60-bit prefix of the MD5 of the row's normalised text,
// as a non-negative integer: the same number on both engines.
func normHash(engine string, cols []column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = renderNorm(engine, c)
	}
	if engine == Postgres {
		return "('x' || substr(md5(" + strings.Join(parts, " || chr(31) || ") + "), 1, 15))::bit(60)::bigint"
	}
	return "CAST(CONV(SUBSTRING(MD5(CONCAT_WS(CHAR(31 USING utf8mb4), " + strings.Join(parts, ", ") + ")), 1, 15), 16, 10) AS UNSIGNED)"
}

func nativeHashable(c colClass) bool { return c != clsOther }

// nativeHash combines PostgreSQL's own extended hash of each column (the
// functions of the types' hash operator classes, seeded by position) with
// XOR; a NULL counts as a constant per position. Both sides must have the
// same column types. It costs a fraction of rendering text and MD5.
func nativeHash(cols []column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		q := quoteIdent(Postgres, c.name)
		seed := strconv.Itoa(i + 1)
		var h string
		switch strings.ToUpper(c.dbType) {
		case "INT2":
			h = "hashint2extended(" + q + ", " + seed + ")"
		case "INT4":
			h = "hashint4extended(" + q + ", " + seed + ")"
		case "INT8":
			h = "hashint8extended(" + q + ", " + seed + ")"
		case "NUMERIC":
			h = "hash_numeric_extended(" + q + ", " + seed + ")"
		case "TEXT", "VARCHAR", "NAME":
			h = "hashtextextended(" + q + ", " + seed + ")"
		case "BPCHAR":
			h = "hashbpcharextended(" + q + ", " + seed + ")"
		case "FLOAT4":
			h = "hashfloat4extended(" + q + ", " + seed + ")"
		case "FLOAT8":
			h = "hashfloat8extended(" + q + ", " + seed + ")"
		case "UUID":
			h = "uuid_hash_extended(" + q + ", " + seed + ")"
		case "TIMESTAMP":
			h = "timestamp_hash_extended(" + q + ", " + seed + ")"
		case "TIMESTAMPTZ":
			// In UTC, so that servers in different time zones agree.
			h = "timestamp_hash_extended(" + q + " AT TIME ZONE 'UTC', " + seed + ")"
		default:
			h = "hashtextextended(" + q + "::text, " + seed + ")"
		}
		parts[i] = "coalesce(" + h + ", -" + seed + ")"
	}
	return strings.Join(parts, " # ")
}

// Compare compares two tables (or queries), on one database or two, by key
// ranges: each side hashes a range on the server, only ranges whose hashes
// differ are split further, and only ranges of at most LeafWidth keys are
// read row by row (key and hash), so identical tables cost one hash per
// range and a differing row costs a few dozen rows read.
func Compare(ctx context.Context, src, tgt Side, o CompareOptions) (*Diff, error) {
	t0 := time.Now()
	if o.Key == "" {
		return nil, errors.New("compare: no key column")
	}
	for _, s := range []*Side{&src, &tgt} {
		if s.Engine != Postgres && s.Engine != MySQL {
			return nil, fmt.Errorf("compare %s: checksums run on PostgreSQL and MySQL/MariaDB, not %q", s.name(), s.Engine)
		}
		if (s.Table == "") == (s.Query == "") {
			return nil, fmt.Errorf("compare: a side needs a table or a query")
		}
	}
	if o.ChunkRows <= 0 {
		o.ChunkRows = 100_000
	}
	if o.Fanout < 2 {
		o.Fanout = 64
	}
	if o.LeafWidth <= 0 {
		o.LeafWidth = 64
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	scols, err := describe(ctx, &src)
	if err != nil {
		return nil, err
	}
	tcols, err := describe(ctx, &tgt)
	if err != nil {
		return nil, err
	}
	skey, ok := findColumn(scols, o.Key)
	if !ok {
		return nil, fmt.Errorf("compare: source %s has no key column %q", src.name(), o.Key)
	}
	tkey, ok := findColumn(tcols, o.Key)
	if !ok {
		return nil, fmt.Errorf("compare: target %s has no key column %q", tgt.name(), o.Key)
	}
	intKey := skey.cls == clsInt && tkey.cls == clsInt
	if !intKey && (skey.cls == clsOther || tkey.cls == clsOther || skey.cls == clsFloat || tkey.cls == clsFloat) {
		return nil, fmt.Errorf("compare: key %s must be an integer, text, uuid, date or timestamp column (source %s, target %s): ranges are cut on it", o.Key, skey.dbType, tkey.dbType)
	}
	names := o.Columns
	if len(names) == 0 {
		for _, c := range scols {
			if c.name != skey.name {
				names = append(names, c.name)
			}
		}
	}
	sc, tc := []column{skey}, []column{tkey}
	native := src.Engine == Postgres && tgt.Engine == Postgres && !o.Normalize
	for _, n := range names {
		a, ok := findColumn(scols, n)
		if !ok {
			return nil, fmt.Errorf("compare: source %s has no column %q", src.name(), n)
		}
		b, ok := findColumn(tcols, n)
		if !ok {
			return nil, fmt.Errorf("compare: target %s has no column %q", tgt.name(), n)
		}
		sc, tc = append(sc, a), append(tc, b)
		if a.dbType != b.dbType || !nativeHashable(a.cls) {
			native = false
		}
	}
	d := &Diff{Source: src.name(), Target: tgt.name(), Key: o.Key, Columns: names, Mode: "normalized", Keys: []KeyDiff{}}
	mk := func(s *Side, cols []column) *sidePlan {
		p := &sidePlan{s: s, key: quoteIdent(s.Engine, cols[0].name), div: " / ", keyText: renderNorm(s.Engine, cols[0])}
		if s.Engine == MySQL {
			p.div = " DIV "
		}
		if native {
			p.hash = nativeHash(cols)
		} else {
			p.hash = normHash(s.Engine, cols)
		}
		return p
	}
	if native {
		d.Mode = "native"
	}
	c := &comparer{o: o, d: d, src: mk(&src, sc), tgt: mk(&tgt, tc)}
	c.par = src.concurrent() && tgt.concurrent()
	if intKey {
		err = c.run(ctx)
	} else {
		err = c.runKeyed(ctx)
	}
	d.RowsRead, d.Hashes = c.rowsRead.Load(), c.hashes.Load()
	sort.Slice(d.Keys, func(i, j int) bool { return d.Keys[i].k < d.Keys[j].k })
	if o.MaxKeys > 0 && len(d.Keys) > o.MaxKeys {
		d.Keys, d.Truncated = d.Keys[:o.MaxKeys], true
	}
	d.ElapsedMS = time.Since(t0).Milliseconds()
	return d, err
}

type comparer struct {
	o        CompareOptions
	d        *Diff
	src, tgt *sidePlan
	par      bool // the sides and chunks may be queried concurrently

	mu       sync.Mutex
	rowsRead atomic.Int64
	hashes   atomic.Int64
}

// both runs f on the source and the target, at once when allowed.
func (c *comparer) both(f func(p *sidePlan) error) error {
	if !c.par {
		if err := f(c.src); err != nil {
			return err
		}
		return f(c.tgt)
	}
	var wg sync.WaitGroup
	var errT error
	wg.Add(1)
	go func() { defer wg.Done(); errT = f(c.tgt) }()
	errS := f(c.src)
	wg.Wait()
	return errors.Join(errS, errT)
}

type bounds struct {
	n        int64
	min, max sql.NullInt64
}

func (c *comparer) run(ctx context.Context) error {
	var sb, tb bounds
	err := c.both(func(p *sidePlan) error {
		b := &sb
		if p == c.tgt {
			b = &tb
		}
		q := "SELECT min(" + p.key + "), max(" + p.key + ") FROM " + p.s.from()
		if err := p.s.DB.QueryRowContext(ctx, q).Scan(&b.min, &b.max); err != nil {
			return fmt.Errorf("%s: %w", p.s.name(), err)
		}
		var err error
		b.n, err = estimateRows(ctx, p.s)
		return err
	})
	if err != nil {
		return err
	}
	if !sb.min.Valid && !tb.min.Valid {
		return nil
	}
	lo, hi := minValid(sb.min, tb.min), maxValid(sb.max, tb.max)
	rows := max(sb.n, tb.n, 1)
	span := float64(hi) - float64(lo) + 1
	width := int64(span * float64(c.o.ChunkRows) / float64(rows))
	if width < 1 {
		width = 1
	}
	if span/float64(width) > 1e7 {
		return fmt.Errorf("compare: key %s spans %.0f values over %d rows; too sparse for key ranges", c.o.Key, span, rows)
	}
	type chunk struct{ lo, hi int64 }
	var chunks []chunk
	for a := lo; ; a += width {
		b := a + width
		if b > hi || b < a { // last chunk, or overflow
			chunks = append(chunks, chunk{a, hi + 1})
			if hi == 1<<63-1 {
				return fmt.Errorf("compare: key %s reaches the largest bigint; not supported", c.o.Key)
			}
			break
		}
		chunks = append(chunks, chunk{a, b})
	}
	c.d.Chunks = int64(len(chunks))
	workers := 1
	if c.par {
		workers = c.o.Parallel
	}
	ch := make(chan chunk)
	errs := make(chan error, workers)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				if err := c.compareRange(cctx, k.lo, k.hi, true); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for _, k := range chunks {
		select {
		case ch <- k:
		case <-cctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

func minValid(a, b sql.NullInt64) int64 {
	switch {
	case !a.Valid:
		return b.Int64
	case !b.Valid:
		return a.Int64
	}
	return min(a.Int64, b.Int64)
}

func maxValid(a, b sql.NullInt64) int64 {
	switch {
	case !a.Valid:
		return b.Int64
	case !b.Valid:
		return a.Int64
	}
	return max(a.Int64, b.Int64)
}

type agg struct {
	n   int64
	sum string
}

// compareRange compares keys in [lo, hi): one hash per sub-range on each
// side, then recursion into the sub-ranges that differ. A top-level chunk
// is always hashed first, however narrow, so identical tables read no rows.
func (c *comparer) compareRange(ctx context.Context, lo, hi int64, top bool) error {
	if top {
		// One aggregate per chunk: no grouping, so the server streams the
		// key range through an index scan without sorting it.
		var sa, ta map[int64]agg
		err := c.both(func(p *sidePlan) error {
			m, err := c.hashRanges(ctx, p, lo, hi, 0)
			if p == c.src {
				sa = m
			} else {
				ta = m
			}
			return err
		})
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.d.SourceRows += sa[0].n
		c.d.TargetRows += ta[0].n
		c.mu.Unlock()
		if sa[0] == ta[0] {
			return nil
		}
	}
	if hi-lo <= c.o.LeafWidth {
		return c.compareRows(ctx, lo, hi)
	}
	bw := (hi - lo + c.o.Fanout - 1) / c.o.Fanout
	if bw < 1 {
		bw = 1
	}
	var sa, ta map[int64]agg
	err := c.both(func(p *sidePlan) error {
		m, err := c.hashRanges(ctx, p, lo, hi, bw)
		if p == c.src {
			sa = m
		} else {
			ta = m
		}
		return err
	})
	if err != nil {
		return err
	}
	var bad []int64
	for b, x := range sa {
		if y, ok := ta[b]; !ok || x != y {
			bad = append(bad, b)
		}
	}
	for b := range ta {
		if _, ok := sa[b]; !ok {
			bad = append(bad, b)
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i] < bad[j] })
	for _, b := range bad {
		a := lo + b*bw
		z := min(a+bw, hi)
		if err := c.compareRange(ctx, a, z, false); err != nil {
			return err
		}
	}
	return nil
}

func (c *comparer) hashRanges(ctx context.Context, p *sidePlan, lo, hi, bw int64) (map[int64]agg, error) {
	q := fmt.Sprintf("SELECT 0, count(*), sum(%s) FROM %s WHERE %s >= %d AND %s < %d", p.hash, p.s.from(), p.key, lo, p.key, hi)
	if bw > 0 {
		q = fmt.Sprintf("SELECT (%s - %d)%s%d AS b, count(*), sum(%s) FROM %s WHERE %s >= %d AND %s < %d GROUP BY (%s - %d)%s%d",
			p.key, lo, p.div, bw, p.hash, p.s.from(), p.key, lo, p.key, hi, p.key, lo, p.div, bw)
	}
	rows, err := p.s.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("hash %s keys %d to %d: %w", p.s.name(), lo, hi-1, err)
	}
	defer rows.Close()
	m := map[int64]agg{}
	for rows.Next() {
		var b int64
		var a agg
		var sum sql.NullString
		if err := rows.Scan(&b, &a.n, &sum); err != nil {
			return nil, err
		}
		a.sum = sum.String
		m[b] = a
	}
	c.hashes.Add(int64(len(m)))
	return m, rows.Err()
}

// compareRows reads the keys and row hashes of [lo, hi) from both sides
// and records every key that differs.
func (c *comparer) compareRows(ctx context.Context, lo, hi int64) error {
	var sr, tr map[int64]string
	err := c.both(func(p *sidePlan) error {
		q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s >= %d AND %s < %d", p.key, p.hash, p.s.from(), p.key, lo, p.key, hi)
		rows, err := p.s.DB.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("read %s keys %d to %d: %w", p.s.name(), lo, hi-1, err)
		}
		defer rows.Close()
		m := map[int64]string{}
		for rows.Next() {
			var k int64
			var h string
			if err := rows.Scan(&k, &h); err != nil {
				return err
			}
			m[k] = h
		}
		c.rowsRead.Add(int64(len(m)))
		if p == c.src {
			sr = m
		} else {
			tr = m
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	found := diffRowHashes(sr, tr, func(k int64, kind string) KeyDiff { return KeyDiff{k: k, Kind: kind} })
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range found {
		f.Key = c.o.Key + "=" + strconv.FormatInt(f.k, 10)
		switch f.Kind {
		case Changed:
			c.d.Changed++
		case MissingOnTarget:
			c.d.Missing++
		default:
			c.d.Extra++
		}
		c.d.Keys = append(c.d.Keys, f)
	}
	return nil
}

// checksum runs a checksum check on the migration's own database.
func (r *runner) checksum(ctx context.Context, s *Spec, res *Result) error {
	if r.e == SQLite {
		return errors.New("checksum runs on PostgreSQL and MySQL/MariaDB, not SQLite")
	}
	if len(s.Key) != 1 {
		return errors.New("checksum: key must be one column")
	}
	src := Side{DB: r.q, Engine: r.e, Table: s.Source.Table, Query: s.Source.Query}
	tgt := Side{DB: r.q, Engine: r.e, Table: s.Target.Table, Query: s.Target.Query}
	d, err := Compare(ctx, src, tgt, CompareOptions{Key: s.Key[0], Columns: s.Columns, MaxKeys: r.max})
	if err != nil {
		return err
	}
	res.Diff = d
	res.Count, res.Passed = d.Differing(), d.Equal()
	for _, k := range d.Keys {
		res.Keys = append(res.Keys, k.Key+" ("+k.Kind+")")
	}
	if res.Passed {
		res.Detail = fmt.Sprintf("%d rows identical", d.SourceRows)
	} else {
		res.Detail = fmt.Sprintf("%d keys differ: %d changed, %d missing on target, %d extra on target", d.Differing(), d.Changed, d.Missing, d.Extra)
	}
	return nil
}

// estimateRows returns the planner's row count of a table (the exact
// count is the sum of the chunks' counts, known at the end), or counts a
// query's rows.
func estimateRows(ctx context.Context, s *Side) (int64, error) {
	var n sql.NullFloat64
	if s.Table != "" {
		var err error
		if s.Engine == Postgres {
			err = s.DB.QueryRowContext(ctx, "SELECT reltuples FROM pg_class WHERE oid = $1::regclass", quoteName(Postgres, s.Table)).Scan(&n)
		} else {
			schema, name, ok := strings.Cut(s.Table, ".")
			if !ok {
				schema, name = "", s.Table
			}
			err = s.DB.QueryRowContext(ctx, "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ?", schema, name).Scan(&n)
		}
		if err == nil && n.Valid && n.Float64 > 0 {
			return int64(n.Float64), nil
		}
	}
	var c int64
	if err := s.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+s.from()).Scan(&c); err != nil {
		return 0, fmt.Errorf("%s: %w", s.name(), err)
	}
	return c, nil
}

// diffRowHashes compares the row hashes of one key range on both sides:
// keys only on the source are missing on the target, keys only on the
// target are extra, keys on both with different hashes changed.
func diffRowHashes[K comparable](sr, tr map[K]string, diff func(k K, kind string) KeyDiff) []KeyDiff {
	var found []KeyDiff
	for k, h := range sr {
		if th, ok := tr[k]; !ok {
			found = append(found, diff(k, MissingOnTarget))
		} else if th != h {
			found = append(found, diff(k, Changed))
		}
	}
	for k := range tr {
		if _, ok := sr[k]; !ok {
			found = append(found, diff(k, ExtraOnTarget))
		}
	}
	return found
}
