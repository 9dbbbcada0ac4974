package transfer

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Decimal is an exact number kept as its decimal text.
type Decimal string

// Row is one record as a set of named values, the shape every reader
// produces and every writer takes, so that document stores can plug in
// without changing the rules. Values hold nil, int64, uint64, float64,
// bool, string, []byte, [Decimal] or time.Time.
type Row struct {
	Names  []string
	Values []any
}

// Get returns the named value and whether the row has it.
func (r Row) Get(name string) (any, bool) {
	if i := index(r.Names, name); i >= 0 {
		return r.Values[i], true
	}
	return nil, false
}

// errZeroDate marks a MySQL zero date, stored as NULL and counted.
var errZeroDate = fmt.Errorf("zero date")

// canonical turns what a driver scanned into the canonical value of
// column c (one of the types [Row] lists), or says why it cannot.
func canonical(c Column, v any, loc *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	var out any
	ok := false
	var err error
	switch c.Kind {
	case KBool:
		out, ok, err = readBool(c, v)
	case KInt16, KInt32, KInt64:
		out, ok, err = readInt(c, v)
	case KUint64:
		out, ok = readUint(v)
	case KDecimal:
		out, ok = readDecimal(v), true
	case KFloat32, KFloat64:
		out, ok, err = readFloat(c, v)
	case KBytes:
		out, ok = readBytes(v)
	case KDate, KDatetime, KTimestamp, KTimestampTZ:
		out, ok, err = readTime(c, v, loc)
	case KUUID:
		out, ok = readUUID(v)
	case KJSON:
		out, err = readJSON(c, v)
		ok = true
	case KTime:
		if t, isTime := v.(time.Time); isTime {
			out, ok = t.Format("15:04:05.999999"), true
		}
	}
	if ok || err != nil {
		return out, err
	}
	switch x := v.(type) {
	case []byte:
		return string(x), nil
	case time.Time:
		return x, nil
	}
	switch c.Kind {
	case KText, KVarchar, KChar, KEnum, KUUID, KTime:
		return text(v), nil
	}
	return v, nil
}

// The readX functions return ok false for a driver type they do not
// convert, which canonical then takes as it is.

func readBool(c Column, v any) (any, bool, error) {
	switch x := v.(type) {
	case bool:
		return x, true, nil
	case int64:
		return x != 0, true, nil
	case []byte, string:
		s := text(x)
		switch strings.ToLower(s) {
		case "1", "t", "true":
			return true, true, nil
		case "0", "f", "false":
			return false, true, nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n != 0, true, nil
		}
		return nil, true, fmt.Errorf("%s: %q is not a boolean", c.Name, s)
	}
	return nil, false, nil
}

func readInt(c Column, v any) (any, bool, error) {
	switch x := v.(type) {
	case int64:
		return x, true, nil
	case bool:
		return int64(pick(x, 1, 0)), true, nil
	case float64:
		if x == math.Trunc(x) {
			return int64(x), true, nil
		}
	case []byte, string:
		return parsed(c, x, "an integer", func(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) })
	}
	return nil, false, nil
}

// parsed reads a value a driver returned as text, saying what it should
// have been when it is not.
func parsed[T any](c Column, v any, what string, parse func(string) (T, error)) (any, bool, error) {
	out, err := parse(text(v))
	if err != nil {
		return nil, true, fmt.Errorf("%s: %q is not %s", c.Name, text(v), what)
	}
	return out, true, nil
}

func readUint(v any) (any, bool) {
	switch x := v.(type) {
	case uint64, int64:
		return x, true
	case []byte, string:
		return Decimal(text(x)), true
	}
	return nil, false
}

func readDecimal(v any) any {
	switch x := v.(type) {
	case float64:
		return Decimal(strconv.FormatFloat(x, 'f', -1, 64))
	case int64:
		return Decimal(strconv.FormatInt(x, 10))
	}
	return Decimal(text(v))
}

func readFloat(c Column, v any) (any, bool, error) {
	switch x := v.(type) {
	case float64:
		return x, true, nil
	case float32:
		return float64(x), true, nil
	case int64:
		return float64(x), true, nil
	case []byte, string:
		return parsed(c, x, "a number", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	}
	return nil, false, nil
}

func readBytes(v any) (any, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	}
	return nil, false
}

func readTime(c Column, v any, loc *time.Location) (any, bool, error) {
	switch x := v.(type) {
	case time.Time:
		return x, true, nil
	case []byte, string:
		t, err := parseTime(c, text(x), loc)
		return t, true, err
	}
	return nil, false, nil
}

func readUUID(v any) (any, bool) {
	if b, ok := v.([16]byte); ok {
		h := hex.EncodeToString(b[:])
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], true
	}
	return nil, false
}

func readJSON(c Column, v any) (any, error) {
	switch x := v.(type) {
	case []byte:
		return string(x), nil
	case string:
		return x, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", c.Name, err)
	}
	return string(b), nil
}

// parseTime reads a date or timestamp written as text. A MySQL zero date
// (a zero year, month or day) returns errZeroDate.
func parseTime(c Column, s string, loc *time.Location) (any, error) {
	s = strings.TrimSpace(s)
	if isZeroDate(s) {
		return nil, errZeroDate
	}
	if loc == nil || c.Kind == KTimestamp {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999-07", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s: %q is not a date", c.Name, s)
}

// coerce turns a canonical value into what the target column t holds, or
// says why it cannot.
func coerce(t Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t.Kind {
	case KBool:
		return toBool(v)
	case KInt16, KInt32, KInt64:
		return toInt(t, v)
	case KUint64:
		return toUint(t, v)
	case KDecimal:
		return toDecimal(v)
	case KFloat32, KFloat64:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
		return convert(v, "float")
	case KText, KVarchar, KChar, KEnum, KJSON, KUUID, KTime:
		return toText(t, v)
	case KBytes:
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case KDate, KDatetime, KTimestamp, KTimestampTZ:
		if x, ok := v.(time.Time); ok {
			return x, nil
		}
		return convert(v, "timestamp")
	}
	return v, nil
}

func toBool(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x != 0, nil
	case string:
		return convert(x, "bool")
	}
	return v, nil
}

func toInt(t Column, v any) (any, error) {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case bool:
		n = int64(pick(x, 1, 0))
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("%d does not fit %s", x, t.Raw)
		}
		n = int64(x)
	default:
		r, err := convert(v, "int")
		if err != nil {
			return nil, err
		}
		n = r.(int64)
	}
	if t.Kind == KInt16 && (n < math.MinInt16 || n > math.MaxInt16) || t.Kind == KInt32 && (n < math.MinInt32 || n > math.MaxInt32) {
		return nil, fmt.Errorf("%d does not fit %s", n, t.Raw)
	}
	return n, nil
}

func toUint(t Column, v any) (any, error) {
	switch x := v.(type) {
	case uint64:
		return x, nil
	case int64:
		if x < 0 {
			return nil, fmt.Errorf("%d does not fit %s", x, t.Raw)
		}
		return uint64(x), nil
	}
	return strconv.ParseUint(text(v), 10, 64)
}

func toDecimal(v any) (any, error) {
	switch x := v.(type) {
	case Decimal:
		return x, nil
	case int64, uint64, float64:
		return Decimal(text(x)), nil
	case bool:
		return Decimal(pick(x, "1", "0")), nil
	}
	return convert(v, "decimal")
}

func toText(t Column, v any) (any, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.999999")
	default:
		s = text(x)
	}
	if t.Kind == KEnum && len(t.Enum) > 0 && index(t.Enum, s) < 0 {
		return nil, fmt.Errorf("%q is not one of the values of %s", s, t.Raw)
	}
	if t.Kind == KVarchar && t.Length > 0 && utf8.RuneCountInString(s) > t.Length {
		return nil, fmt.Errorf("%d characters do not fit %s", utf8.RuneCountInString(s), t.Raw)
	}
	return s, nil
}

// appendCopyText appends v to a PostgreSQL COPY text-format line.
func appendCopyText(b []byte, t Column, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, `\N`...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			if math.IsNaN(x) {
				return append(b, "NaN"...), nil
			} else if x > 0 {
				return append(b, "Infinity"...), nil
			}
			return append(b, "-Infinity"...), nil
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case bool:
		if x {
			return append(b, 't'), nil
		}
		return append(b, 'f'), nil
	case Decimal:
		return append(b, x...), nil
	case time.Time:
		switch t.Kind {
		case KDate:
			return x.AppendFormat(b, "2006-01-02"), nil
		case KTimestamp:
			return x.AppendFormat(b, "2006-01-02 15:04:05.999999"), nil
		}
		return x.AppendFormat(b, "2006-01-02 15:04:05.999999Z07:00"), nil
	case []byte:
		if t.Kind == KBytes {
			b = append(b, `\\x`...)
			return hex.AppendEncode(b, x), nil
		}
		return appendCopyString(b, string(x))
	case string:
		return appendCopyString(b, x)
	}
	return appendCopyString(b, text(v))
}

func appendCopyString(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return b, fmt.Errorf("text is not valid UTF-8")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			return b, fmt.Errorf("text holds a NUL byte, which PostgreSQL cannot store")
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, c)
		}
	}
	return b, nil
}
