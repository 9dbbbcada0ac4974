package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL to PostgreSQL with no rules and the same column types: each
// chunk moves as COPY text from `COPY (SELECT … ORDER BY key LIMIT n) TO
// STDOUT` into `COPY … FROM STDIN`, with no decoding in between. Rows the
// target refuses are still isolated and quarantined line by line.

// canPassthrough decides whether m can use the COPY text path.
func (r *run) canPassthrough(m *mapping) bool {
	if r.se != "postgres" || r.te != "postgres" || len(m.t.Rules) > 0 || len(m.refs) > 0 || m.t.Explode != nil || len(m.t.Lookups) > 0 || len(m.tgtCols) != len(m.srcCols) {
		return false
	}
	for i, tc := range m.tgtCols {
		if m.outIdx[i] != i || !strings.EqualFold(tc.Raw, m.srcCols[i].Raw) {
			return false
		}
	}
	for _, i := range m.keyIdx {
		switch m.srcCols[i].Kind {
		case KInt16, KInt32, KInt64, KText, KVarchar:
		default:
			return false
		}
	}
	return true
}

// pgLiteral renders a key value as a SQL literal.
func pgLiteral(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
}

// unescapeCopy decodes one COPY text field.
func unescapeCopy(f []byte) (string, bool) {
	if string(f) == `\N` {
		return "", false
	}
	if bytes.IndexByte(f, '\\') < 0 {
		return string(f), true
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '\\' && i+1 < len(f) {
			i++
			switch f[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(f[i])
			}
			continue
		}
		b.WriteByte(f[i])
	}
	return b.String(), true
}

// lineKey returns the key values of a COPY text line.
func (m *mapping) lineKey(line []byte) []any {
	fields := bytes.Split(bytes.TrimSuffix(line, []byte("\n")), []byte("\t"))
	var out []any
	for _, i := range m.keyIdx {
		if i >= len(fields) {
			out = append(out, nil)
			continue
		}
		s, _ := unescapeCopy(fields[i])
		if isIntKind(m.srcCols[i].Kind) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err == nil {
				out = append(out, n)
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

func (m *mapping) lineKeyText(line []byte) string {
	vals := m.lineKey(line)
	var parts []string
	for j, i := range m.keyIdx {
		parts = append(parts, m.srcCols[i].Name+"="+text(vals[j]))
	}
	return strings.Join(parts, ",")
}

// readLines reads the next chunk as COPY text lines.
func (r *run) readLines(ctx context.Context, m *mapping, after string) (*chunk, error) {
	sq := r.src.Dialect.Quote
	var sel, keys []string
	for _, c := range m.srcCols {
		sel = append(sel, sq(c.Name))
	}
	for _, k := range m.t.Key {
		keys = append(keys, sq(k))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + m.from
	if after == "null" {
		q += r.whereClause(m.t, false)
	} else {
		var vals []any
		dec := json.NewDecoder(strings.NewReader(after))
		dec.UseNumber()
		if err := dec.Decode(&vals); err != nil {
			return nil, fmt.Errorf("checkpoint key %s: %w", after, err)
		}
		lits := make([]string, len(vals))
		for i, v := range vals {
			if n, ok := v.(json.Number); ok {
				if iv, err := n.Int64(); err == nil {
					v = iv
				} else {
					v = n.String()
				}
			}
			lits[i] = pgLiteral(v)
		}
		q += r.whereClause(m.t, true) + "(" + strings.Join(keys, ", ") + ") > (" + strings.Join(lits, ", ") + ")"
	}
	q += " ORDER BY " + strings.Join(keys, ", ") + fmt.Sprintf(" LIMIT %d", r.chunk)
	conn, err := r.src.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var buf bytes.Buffer
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected PostgreSQL driver %T", dc)
		}
		_, err := sc.Conn().PgConn().CopyTo(ctx, &buf, "COPY ("+q+") TO STDOUT")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", m.t.From, err)
	}
	if buf.Len() == 0 {
		return nil, nil
	}
	c := &chunk{after: after, t0: time.Now()}
	data := buf.Bytes()
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data) - 1
		}
		c.lines = append(c.lines, data[:i+1])
		data = data[i+1:]
	}
	c.read = int64(len(c.lines))
	kb, _ := json.Marshal(m.lineKey(c.lines[len(c.lines)-1]))
	c.last = string(kb)
	return c, nil
}
