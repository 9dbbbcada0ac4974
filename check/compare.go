package check

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

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

func (o CompareOptions) withDefaults() CompareOptions {
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
	return o
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
	o = o.withDefaults()
	c, intKey, err := newComparer(ctx, &src, &tgt, o)
	if err != nil {
		return nil, err
	}
	if intKey {
		err = c.run(ctx)
	} else {
		err = c.runKeyed(ctx)
	}
	d := c.d
	d.RowsRead, d.Hashes = c.rowsRead.Load(), c.hashes.Load()
	sort.Slice(d.Keys, func(i, j int) bool { return d.Keys[i].k < d.Keys[j].k })
	if o.MaxKeys > 0 && len(d.Keys) > o.MaxKeys {
		d.Keys, d.Truncated = d.Keys[:o.MaxKeys], true
	}
	d.ElapsedMS = time.Since(t0).Milliseconds()
	return d, err
}

// newComparer reads both sides' columns and plans what each hashes; it
// reports whether the key is an integer (cut by arithmetic) or not (cut at
// keys read from the source).
func newComparer(ctx context.Context, src, tgt *Side, o CompareOptions) (*comparer, bool, error) {
	var rs [2]rowSQL
	var cols [2][]column
	for i, s := range []*Side{src, tgt} {
		err := s.resolve()
		if err == nil {
			rs[i], err = rowSQLOf(ctx, s)
		}
		if err == nil {
			cols[i], err = columns(ctx, s, rs[i])
		}
		if err != nil {
			return nil, false, err
		}
	}
	sc, tc, names, err := pairColumns(src, tgt, cols[0], cols[1], o)
	if err != nil {
		return nil, false, err
	}
	intKey := sc[0].cls == clsInt && tc[0].cls == clsInt
	if !intKey && (!cuttable(sc[0].cls) || !cuttable(tc[0].cls)) {
		return nil, false, fmt.Errorf("compare: key %s must be an integer, text, uuid, date or timestamp column (source %s, target %s): ranges are cut on it", o.Key, sc[0].dbType, tc[0].dbType)
	}
	d := &Diff{Source: src.name(), Target: tgt.name(), Key: o.Key, Columns: names, Mode: "normalized", Keys: []KeyDiff{}}
	sp, tp := newSidePlan(src, rs[0], sc), newSidePlan(tgt, rs[1], tc)
	if !o.Normalize && sameTypes(sc, tc) {
		sh, sok := rs[0].nativeHash(src.Dialect, sc)
		th, tok := rs[1].nativeHash(tgt.Dialect, tc)
		if sok && tok {
			sp.hash, tp.hash, d.Mode = sh, th, "native"
		}
	}
	c := &comparer{o: o, d: d, src: sp, tgt: tp, par: src.concurrent() && tgt.concurrent()}
	return c, intKey, nil
}

// pairColumns finds the key and the compared columns on both sides: the
// key first, then the columns in the order compared.
func pairColumns(src, tgt *Side, scols, tcols []column, o CompareOptions) (sc, tc []column, names []string, err error) {
	skey, ok := findColumn(scols, o.Key)
	if !ok {
		return nil, nil, nil, fmt.Errorf("compare: source %s has no key column %q", src.name(), o.Key)
	}
	tkey, ok := findColumn(tcols, o.Key)
	if !ok {
		return nil, nil, nil, fmt.Errorf("compare: target %s has no key column %q", tgt.name(), o.Key)
	}
	names = o.Columns
	if len(names) == 0 {
		for _, c := range scols {
			if c.name != skey.name {
				names = append(names, c.name)
			}
		}
	}
	sc, tc = []column{skey}, []column{tkey}
	for _, n := range names {
		a, ok := findColumn(scols, n)
		if !ok {
			return nil, nil, nil, fmt.Errorf("compare: source %s has no column %q", src.name(), n)
		}
		b, ok := findColumn(tcols, n)
		if !ok {
			return nil, nil, nil, fmt.Errorf("compare: target %s has no column %q", tgt.name(), n)
		}
		sc, tc = append(sc, a), append(tc, b)
	}
	return sc, tc, names, nil
}

// cuttable reports whether a key of this class orders alike on every
// engine, so that ranges can be cut on it.
func cuttable(c colClass) bool { return c != clsOther && c != clsFloat }

// sameTypes reports whether the compared columns (the key aside) have the
// same types on both sides, which a native hash needs.
func sameTypes(sc, tc []column) bool {
	for i := 1; i < len(sc); i++ {
		if sc[i].dbType != tc[i].dbType {
			return false
		}
	}
	return true
}

// sidePlan is what one side hashes: the key and the columns, with its own
// column names and types.
type sidePlan struct {
	s    *Side
	rs   rowSQL
	key  string // quoted key column
	hash string // per-row hash expression, an integer
	// keyText renders the key as text both engines agree on (keys that
	// are not integers).
	keyText string
}

func newSidePlan(s *Side, rs rowSQL, cols []column) *sidePlan {
	return &sidePlan{
		s:       s,
		rs:      rs,
		key:     s.Dialect.Quote(cols[0].name),
		hash:    rowHash(rs, s.Dialect, cols),
		keyText: rs.text(s.Dialect.Quote(cols[0].name), cols[0].cls),
	}
}
