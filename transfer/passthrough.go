package transfer

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL to PostgreSQL with no rules and the same column types: each
// chunk moves as COPY text from `COPY (SELECT … ORDER BY key LIMIT n) TO
// STDOUT` into `COPY … FROM STDIN`, with no decoding in between. Rows the
// target refuses are still isolated and quarantined line by line.

// canPassthrough decides whether m can use the COPY text path.
func (r *run) canPassthrough(m *mapping) bool {
	if !r.src.eng.traits().copyText || !sameEngine(r.src.eng, r.dst.eng) || len(m.t.Rules) > 0 || len(m.refs) > 0 ||
		m.t.Explode != nil || len(m.t.Lookups) > 0 || len(m.tgtCols) != len(m.srcCols) {
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

// unescapeCopy decodes one COPY text field: \N is NULL, and backslash
// escapes are those PostgreSQL writes.
func unescapeCopy(f []byte) (string, bool) {
	if string(f) == `\N` {
		return "", false
	}
	return unescapeBackslashes(string(f)), true
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
	q, _, err := r.pageQuery(m, after, true)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = pgConn(ctx, r.src.DB, func(c *pgx.Conn) error {
		_, err := c.PgConn().CopyTo(ctx, &buf, "COPY ("+q+") TO STDOUT")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", m.t.From, err)
	}
	if buf.Len() == 0 {
		return nil, nil
	}
	c := newChunk(after)
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
	c.last = keyJSON(m.lineKey(c.lines[len(c.lines)-1]))
	return c, nil
}
