package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// chunk is a page of source rows on its way to the target.
type chunk struct {
	after, last string // JSON of the keys around the chunk
	rows        [][]any
	lines       [][]byte // COPY text, on the PostgreSQL to PostgreSQL path
	read        int64
	t0          time.Time
}

// readChunk reads the next page after the key in after (JSON; "null" for
// the start). It returns nil at the end of the table.
func (r *run) readChunk(ctx context.Context, m *mapping, after string) (*chunk, error) {
	q, args, err := r.pageQuery(m, after, false)
	if err != nil {
		return nil, err
	}
	rows, err := r.src.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", m.t.From, err)
	}
	defer rows.Close()
	c := newChunk(after)
	n := len(m.srcCols)
	for rows.Next() {
		vals := make([]any, n, n+len(m.prog.out)-n+1)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", m.t.From, err)
		}
		c.rows = append(c.rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", m.t.From, err)
	}
	if len(c.rows) == 0 {
		return nil, nil
	}
	c.read = int64(len(c.rows))
	c.last = r.lastKey(m, c.rows[len(c.rows)-1])
	return c, nil
}

// pageQuery selects the chunk_rows rows after the key in after, in key
// order (keyset pagination: each page is an index range scan). With
// inline, the key's values are written into the query as literals, for
// COPY (SELECT …), which takes no parameters.
func (r *run) pageQuery(m *mapping, after string, inline bool) (string, []any, error) {
	var sel []string
	for _, c := range m.srcCols {
		sel = append(sel, r.src.eng.selectColumn(r.src.Dialect.Quote(c.Name), c))
	}
	keys := r.quotedKeys(m)
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + m.from
	var args []any
	if after == "null" {
		q += whereClause(m.t, false)
	} else {
		vals, err := decodeKey(after)
		if err != nil {
			return "", nil, err
		}
		bind := func(v any) string {
			args = append(args, v)
			return r.src.ph(len(args))
		}
		if inline {
			bind = r.literal
		}
		q += whereClause(m.t, true) + r.seek(keys, vals, bind)
	}
	return q + " ORDER BY " + strings.Join(keys, ", ") + fmt.Sprintf(" LIMIT %d", r.chunk), args, nil
}

// literal writes a key value into SQL.
func (r *run) literal(v any) string {
	if n, ok := v.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	return r.src.Dialect.QuoteLiteral(text(v))
}

func (r *run) quotedKeys(m *mapping) []string {
	keys := make([]string, len(m.t.Key))
	for i, k := range m.t.Key {
		keys[i] = r.src.Dialect.Quote(k)
	}
	return keys
}

// seek is the condition for keys after vals, each value written by bind:
// a row comparison where the engine uses the index for one, else
// k1 > a OR (k1 = a AND k2 > b) ..., which every planner reads as index
// ranges.
func (r *run) seek(keys []string, vals []any, bind func(any) string) string {
	if len(keys) > 1 && r.src.eng.traits().rowSeek {
		phs := make([]string, len(vals))
		for i, v := range vals {
			phs[i] = bind(v)
		}
		return "(" + strings.Join(keys, ", ") + ") > (" + strings.Join(phs, ", ") + ")"
	}
	var ors []string
	for i := range keys {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, keys[j]+" = "+bind(vals[j]))
		}
		ands = append(ands, keys[i]+" > "+bind(vals[i]))
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// decodeKey reads a checkpoint's key: whole numbers as int64, others as
// text.
func decodeKey(after string) ([]any, error) {
	var vals []any
	dec := json.NewDecoder(strings.NewReader(after))
	dec.UseNumber()
	if err := dec.Decode(&vals); err != nil {
		return nil, fmt.Errorf("checkpoint key %s: %w", after, err)
	}
	for i, v := range vals {
		if n, ok := v.(json.Number); ok {
			if iv, err := n.Int64(); err == nil {
				vals[i] = iv
			} else {
				vals[i] = n.String()
			}
		}
	}
	return vals, nil
}

// lastKey is the JSON of a row's key, the checkpoint the next chunk
// starts after.
func (r *run) lastKey(m *mapping, row []any) string {
	var kv []any
	for _, i := range m.keyIdx {
		v, err := canonical(m.srcCols[i], row[i], r.loc)
		if err != nil {
			v = text(row[i])
		}
		switch x := v.(type) {
		case time.Time:
			v = x.Format("2006-01-02 15:04:05.999999")
		case Decimal:
			v = string(x)
		case []byte:
			v = string(x)
		}
		kv = append(kv, v)
	}
	return keyJSON(kv)
}

// keyJSON writes key values as a checkpoint keeps them.
func keyJSON(kv []any) string {
	b, _ := json.Marshal(kv)
	return string(b)
}

// newChunk starts the chunk after the key in after.
func newChunk(after string) *chunk { return &chunk{after: after, t0: time.Now()} }

func whereClause(t *Table, and bool) string {
	switch {
	case t.Where == "" && and:
		return " WHERE "
	case t.Where == "":
		return ""
	case and:
		return " WHERE (" + t.Where + ") AND "
	}
	return " WHERE (" + t.Where + ")"
}

func (m *mapping) keyText(vals []any) string {
	var parts []string
	for _, i := range m.keyIdx {
		parts = append(parts, m.srcCols[i].Name+"="+text(vals[i]))
	}
	return strings.Join(parts, ",")
}

// rowJSON renders a row for the quarantine table.
func rowJSON(names []string, vals []any) string {
	o := make(map[string]any, len(names))
	for i, n := range names {
		if i < len(vals) && !strings.HasPrefix(n, "\x00") {
			v := vals[i]
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case Decimal:
				v = string(x)
			}
			o[n] = v
		}
	}
	b, _ := json.Marshal(o)
	return string(b)
}
