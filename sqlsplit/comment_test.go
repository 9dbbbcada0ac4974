package sqlsplit

import (
	"fmt"
	"strings"
	"testing"
)

// OnComment sees the comments between and after statements, with their
// places, and not those inside a statement, which are part of its SQL.
func TestOnCommentSeesCommentsOutsideStatements(t *testing.T) {
	const src = "-- lead\nCREATE TABLE a (id int); -- after a\nSELECT /* inside */ 1;\n/* block\n   comment */ SELECT 2;"
	for _, c := range []struct {
		d         Dialect
		src, want string
	}{
		{Postgres, src, "-- lead@3:1 -- after a@4:26 /* block\n   comment */@6:1"},
		{MySQL, src + " # hash\n", "-- lead@3:1 -- after a@4:26 /* block\n   comment */@6:1 # hash@7:25"},
	} {
		src := c.src
		var got []string
		stmts, err := Split(src, Options{Dialect: c.d, FirstLine: 3, OnComment: func(cm Comment) {
			got = append(got, fmt.Sprintf("%s@%d:%d", cm.Text, cm.Line, cm.Col))
			if src[cm.Offset:cm.Offset+len(cm.Text)] != cm.Text {
				t.Errorf("offset %d does not hold %q", cm.Offset, cm.Text)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) != 3 || !strings.Contains(stmts[1].SQL, "/* inside */") {
			t.Fatalf("%s: statements %+v", c.d, stmts)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: comments %q, want %q", c.d, strings.Join(got, " "), c.want)
		}
	}
}
