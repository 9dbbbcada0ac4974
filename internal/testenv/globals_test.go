package testenv

import (
	"fmt"
	"strings"
	"testing"
)

// errorTB records Errorf.
type errorTB struct {
	fakeTB
	errors []string
}

func (e *errorTB) Errorf(format string, args ...any) {
	e.errors = append(e.errors, fmt.Sprintf(format, args...))
}

func TestGlobalsGuardReportsAChangedSettingOnce(t *testing.T) {
	var g globalsGuard
	tb := &errorTB{}
	g.check(tb, "MySQL", map[string]string{"sql_mode": "STRICT_TRANS_TABLES", "time_zone": "SYSTEM"})
	g.check(tb, "MySQL", map[string]string{"sql_mode": "STRICT_TRANS_TABLES", "time_zone": "SYSTEM"})
	if len(tb.errors) != 0 {
		t.Fatalf("unchanged settings reported: %v", tb.errors)
	}
	g.check(tb, "MySQL", map[string]string{"sql_mode": "", "time_zone": "SYSTEM"})
	g.check(tb, "MySQL", map[string]string{"sql_mode": "", "time_zone": "SYSTEM"})
	if len(tb.errors) != 1 {
		t.Fatalf("want one report, got %d: %v", len(tb.errors), tb.errors)
	}
	for _, want := range []string{`sql_mode: "STRICT_TRANS_TABLES" → ""`, "SET SESSION", "scripts/services start"} {
		if !strings.Contains(tb.errors[0], want) {
			t.Errorf("report %q lacks %q", tb.errors[0], want)
		}
	}
}

// The servers the suite runs on must be as a fresh install leaves them: a
// test passing only because an earlier run relaxed sql_mode proves nothing.
func TestMySQLServerHasItsPackagedSQLMode(t *testing.T) {
	if envOr(mysqlEnv, "") != "" {
		t.Skipf("%s names a server of the user's own; its settings are its owner's", mysqlEnv)
	}
	MySQL(t)
	v, _ := mysqlServers.Load(envOr(mysqlEnv, mysqlDefault))
	s := v.(*mysqlServer)
	var mode string
	if err := s.db.QueryRow("SELECT @@GLOBAL.sql_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mode, "STRICT_TRANS_TABLES") {
		t.Errorf("global sql_mode is %q, not the packaged default with STRICT_TRANS_TABLES; something ran SET GLOBAL sql_mode. `scripts/services start` restores it", mode)
	}
}
