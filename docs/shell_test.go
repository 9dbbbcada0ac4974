package docs_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/internal/testenv"
)

// The commands of the guide's console blocks run in a small shell of our
// own, so the examples need nothing but the strata binary: strata itself,
// and cat, echo, cp, rm, mkdir, export, unset, sqlite3 FILE SQL,
// psql URL -tAc SQL, mysql URL -e SQL and curl URL, with '' and "" quoting,
// $VAR expansion, > and >> redirection and a trailing & for a server that
// runs until the example ends.

var (
	buildOnce sync.Once
	strataBin string
	buildErr  error
)

// binary builds cmd/strata once per test binary.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the strata binary: skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "strata-docs-bin-")
		if err != nil {
			buildErr = err
			return
		}
		strataBin = filepath.Join(dir, "strata")
		cmd := exec.Command("go", "build", "-o", strataBin, "github.com/strata-db/strata/cmd/strata")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/strata: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return strataBin
}

// session is the directory, environment and databases of one example.
type session struct {
	t   *testing.T
	bin string
	dir string
	env map[string]string
	// dbs maps an engine and database name written in the guide
	// ("postgres/app") to the fresh database the test uses instead.
	dbs   map[string]string
	ports map[string]string
	bg    []*exec.Cmd
}

func newSession(t *testing.T) *session {
	s := &session{t: t, bin: binary(t), dir: t.TempDir(), env: map[string]string{}, dbs: map[string]string{}, ports: map[string]string{}}
	t.Cleanup(s.stop)
	return s
}

// stop ends the servers the example started.
func (s *session) stop() {
	for _, c := range s.bg {
		_ = c.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}
	s.bg = nil
}

var (
	pgURLRe     = regexp.MustCompile(`postgres(?:ql)?://[^\s'"]*?/([A-Za-z_][A-Za-z0-9_]*)(?:\?[^\s'"]*)?(?:$|[\s'"])`)
	mysqlURLRe  = regexp.MustCompile(`mysql://[^\s'"]*?/([A-Za-z_][A-Za-z0-9_]*)(?:\?[^\s'"]*)?(?:$|[\s'"])`)
	localPortRe = regexp.MustCompile(`127\.0\.0\.1:(94\d\d)\b`)
)

// rewrite replaces the database URLs and local ports the guide writes with
// a fresh database per name and a free port per number: the guide's
// postgres://app:secret@127.0.0.1:5432/app becomes a new, empty database
// on the test server.
func (s *session) rewrite(text string) string {
	replace := func(re *regexp.Regexp, engine string, fresh func(testing.TB) string) {
		text = re.ReplaceAllStringFunc(text, func(m string) string {
			if strings.Contains(m, "${") {
				return m // a URL that reads the environment is shown, not used
			}
			trail := ""
			if last := m[len(m)-1]; last == ' ' || last == '\'' || last == '"' || last == '\n' || last == '\t' {
				trail, m = string(last), m[:len(m)-1]
			}
			name := re.FindStringSubmatch(m + " ")[1]
			key := engine + "/" + name
			u, ok := s.dbs[key]
			if !ok {
				u = fresh(s.t)
				s.dbs[key] = u
			}
			return withParams(u, m) + trail
		})
	}
	replace(pgURLRe, "postgres", testenv.Postgres)
	replace(mysqlURLRe, "mysql", testenv.MySQL)
	text = localPortRe.ReplaceAllStringFunc(text, func(m string) string {
		p := localPortRe.FindStringSubmatch(m)[1]
		if _, ok := s.ports[p]; !ok {
			s.ports[p] = freePort(s.t)
		}
		return "127.0.0.1:" + s.ports[p]
	})
	return text
}

// withParams adds to the fresh URL the query parameters of the guide's URL
// that are about the session (search_path, application_name…), not about
// reaching the server.
func withParams(fresh, guide string) string {
	_, q, ok := strings.Cut(guide, "?")
	if !ok {
		return fresh
	}
	params, err := url.ParseQuery(q)
	if err != nil {
		return fresh
	}
	for _, k := range []string{"sslmode", "sslrootcert", "sslcert", "sslkey", "password", "tls"} {
		params.Del(k)
	}
	if len(params) == 0 {
		return fresh
	}
	sep := "?"
	if strings.Contains(fresh, "?") {
		sep = "&"
	}
	return fresh + sep + params.Encode()
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// writeFile writes a block with file= into the example's directory.
func (s *session) writeFile(b *block) {
	p := filepath.Join(s.dir, filepath.FromSlash(b.attrs["file"]))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s.rewrite(b.body)), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// step is one "$ command" of a console block and what it must print.
type step struct {
	where string
	cmd   string
	exit  int
	want  []string
}

var exitRe = regexp.MustCompile(`\s+#\s*exit (\d+)\s*$`)

// parseConsole reads a console block: "$ " lines are commands (a trailing
// "# exit N" is the exit status they must end with, 0 otherwise), the lines
// after one are output it must print, in order, with … matching anything.
func parseConsole(b *block) ([]step, error) {
	var out []step
	lines := strings.Split(strings.TrimRight(b.body, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "$ ") {
			if len(out) == 0 {
				if strings.TrimSpace(l) == "" {
					continue
				}
				return nil, fmt.Errorf("%s:%d: output before the first $ command", b.page, b.line+1+i)
			}
			out[len(out)-1].want = append(out[len(out)-1].want, l)
			continue
		}
		st := step{where: fmt.Sprintf("%s:%d", b.page, b.line+1+i), cmd: strings.TrimPrefix(l, "$ ")}
		for strings.HasSuffix(st.cmd, "\\") && i+1 < len(lines) {
			i++
			st.cmd = strings.TrimSuffix(st.cmd, "\\") + " " + strings.TrimSpace(lines[i])
		}
		if m := exitRe.FindStringSubmatch(st.cmd); m != nil {
			st.exit, _ = strconv.Atoi(m[1])
			st.cmd = st.cmd[:len(st.cmd)-len(m[0])]
		}
		out = append(out, st)
	}
	return out, nil
}

// word splitting

type command struct {
	args       []string
	assign     map[string]string // NAME=value before the command
	redirect   string            // > file
	appendTo   bool              // >> rather than >
	background bool
}

var nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseCommand splits a command line as sh would for the forms the guide
// uses; pipes, ; and && are refused so that an example never depends on
// what this shell does not do.
func parseCommand(line string, lookup func(string) string) (*command, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(src string, i int) (string, int) {
		// src[i] == '$'
		if i+1 < len(src) && src[i+1] == '{' {
			end := strings.IndexByte(src[i:], '}')
			if end > 0 {
				return lookup(src[i+2 : i+end]), i + end + 1
			}
		}
		j := i + 1
		for j < len(src) && (src[j] == '_' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= 'a' && src[j] <= 'z' || j > i+1 && src[j] >= '0' && src[j] <= '9') {
			j++
		}
		if j == i+1 {
			return "$", i + 1
		}
		return lookup(src[i+1 : j]), j
	}
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
			i++
		case c == '#' && !inWord:
			i = len(line) // a comment, to the end of the line
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated '")
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case c == '"':
			inWord = true
			i++
			for {
				if i >= len(line) {
					return nil, errors.New(`unterminated "`)
				}
				if line[i] == '"' {
					i++
					break
				}
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					cur.WriteByte(line[i+1])
					i += 2
					continue
				}
				if line[i] == '$' {
					v, n := expand(line, i)
					cur.WriteString(v)
					i = n
					continue
				}
				cur.WriteByte(line[i])
				i++
			}
		case c == '\\' && i+1 < len(line):
			cur.WriteByte(line[i+1])
			inWord = true
			i += 2
		case c == '$':
			v, n := expand(line, i)
			cur.WriteString(v)
			inWord = true
			i = n
		case c == '|' || c == ';' || c == '`' || c == '<' || (c == '&' && i+1 < len(line) && line[i+1] == '&'):
			return nil, fmt.Errorf("%q is not supported by the guide's shell", string(c))
		case c == '>' || c == '&':
			flush()
			tok := string(c)
			if c == '>' && i+1 < len(line) && line[i+1] == '>' {
				tok = ">>"
			}
			words = append(words, "\x00"+tok)
			i += len(tok)
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	flush()
	cmd := &command{assign: map[string]string{}}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch w {
		case "\x00>", "\x00>>":
			if i+1 >= len(words) || strings.HasPrefix(words[i+1], "\x00") {
				return nil, errors.New("redirection without a file")
			}
			cmd.redirect, cmd.appendTo = words[i+1], w == "\x00>>"
			i++
		case "\x00&":
			if i != len(words)-1 {
				return nil, errors.New("& must end the command")
			}
			cmd.background = true
		default:
			if k, v, ok := strings.Cut(w, "="); ok && len(cmd.args) == 0 && nameRe.MatchString(k) {
				cmd.assign[k] = v
				continue
			}
			cmd.args = append(cmd.args, w)
		}
	}
	return cmd, nil
}

// lookup reads a variable of the example's environment.
func (s *session) lookup(name string) string {
	if v, ok := s.env[name]; ok {
		return v
	}
	if name == "PWD" {
		return s.dir
	}
	return ""
}

// result is what a command did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs one command line of an example.
func (s *session) run(line string) result {
	s.t.Helper()
	cmd, err := parseCommand(s.rewrite(line), s.lookup)
	if err != nil {
		s.t.Fatalf("%s: %v", line, err)
	}
	if len(cmd.args) == 0 {
		for k, v := range cmd.assign {
			s.env[k] = v
		}
		return result{}
	}
	var res result
	switch cmd.args[0] {
	case "strata":
		if cmd.background {
			s.start(cmd)
			return result{}
		}
		res = s.strata(cmd)
	case "export":
		for _, a := range cmd.args[1:] {
			k, v, ok := strings.Cut(a, "=")
			if !ok {
				s.t.Fatalf("%s: export NAME=value", line)
			}
			s.env[k] = v
		}
	case "unset":
		for _, a := range cmd.args[1:] {
			delete(s.env, a)
		}
	case "cat":
		var b strings.Builder
		for _, f := range cmd.args[1:] {
			data, err := os.ReadFile(s.path(f))
			if err != nil {
				res.code, res.stderr = 1, err.Error()+"\n"
				break
			}
			b.Write(data)
		}
		res.stdout = b.String()
	case "echo":
		res.stdout = strings.Join(cmd.args[1:], " ") + "\n"
	case "cp":
		if len(cmd.args) != 3 {
			s.t.Fatalf("%s: cp SRC DST", line)
		}
		data, err := os.ReadFile(s.path(cmd.args[1]))
		if err == nil {
			err = os.WriteFile(s.path(cmd.args[2]), data, 0o644)
		}
		if err != nil {
			res.code, res.stderr = 1, err.Error()+"\n"
		}
	case "rm":
		for _, f := range cmd.args[1:] {
			if f == "-f" {
				continue
			}
			if err := os.Remove(s.path(f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				res.code, res.stderr = 1, err.Error()+"\n"
			}
		}
	case "mkdir":
		for _, f := range cmd.args[1:] {
			if f == "-p" {
				continue
			}
			if err := os.MkdirAll(s.path(f), 0o755); err != nil {
				res.code, res.stderr = 1, err.Error()+"\n"
			}
		}
	case "sqlite3":
		if len(cmd.args) != 3 {
			s.t.Fatalf("%s: sqlite3 FILE SQL", line)
		}
		res = s.query("sqlite:"+s.path(cmd.args[1]), cmd.args[2])
	case "psql", "mysql":
		var target, sqlText string
		for i := 1; i < len(cmd.args); i++ {
			a := cmd.args[i]
			switch {
			case a == "-c" || a == "-tAc" || a == "-e" || a == "-Nse":
				i++
				if i < len(cmd.args) {
					sqlText = cmd.args[i]
				}
			case strings.HasPrefix(a, "-"):
			default:
				target = a
			}
		}
		if target == "" || sqlText == "" {
			s.t.Fatalf("%s: %s URL -tAc SQL", line, cmd.args[0])
		}
		res = s.query(target, sqlText)
	case "curl":
		res = s.curl(cmd.args[1:])
	default:
		s.t.Fatalf("%s: %q is not a command the guide's shell knows", line, cmd.args[0])
	}
	if cmd.redirect != "" {
		flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if cmd.appendTo {
			flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		f, err := os.OpenFile(s.path(cmd.redirect), flags, 0o644)
		if err != nil {
			s.t.Fatal(err)
		}
		_, _ = f.WriteString(res.stdout)
		f.Close()
		res.stdout = ""
	}
	return res
}

func (s *session) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, filepath.FromSlash(p))
}

// environ is the environment of a strata process: this process's without
// STRATA_* variables, then the example's.
func (s *session) environ(assign map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STRATA_") {
			env = append(env, kv)
		}
	}
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	for k, v := range assign {
		env = append(env, k+"="+v)
	}
	return env
}

func (s *session) strata(cmd *command) result {
	c := exec.Command(s.bin, cmd.args[1:]...)
	c.Dir, c.Env = s.dir, s.environ(cmd.assign)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := c.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() { done <- c.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = c.Process.Kill()
		<-done
		s.t.Fatalf("strata %s did not finish in 2 minutes\n%s%s", strings.Join(cmd.args[1:], " "), stdout.String(), stderr.String())
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		s.t.Fatal(err)
	}
	return res
}

// start runs a strata server until the example ends.
func (s *session) start(cmd *command) {
	c := exec.Command(s.bin, cmd.args[1:]...)
	c.Dir, c.Env = s.dir, s.environ(cmd.assign)
	c.Stdout, c.Stderr = io.Discard, io.Discard
	if err := c.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.bg = append(s.bg, c)
}

// query runs SQL as the sqlite3, psql -tA and mysql -N clients print it:
// one row per line, columns separated by |, NULL as nothing.
func (s *session) query(target, sqlText string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tg, err := connect.Open(ctx, target)
	if err != nil {
		return result{code: 2, stderr: err.Error() + "\n"}
	}
	defer tg.Close()
	rows, err := tg.DB.QueryContext(ctx, sqlText)
	if err != nil {
		return result{code: 1, stderr: "ERROR: " + err.Error() + "\n"}
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return result{code: 1, stderr: err.Error() + "\n"}
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		b.WriteString(strings.Join(parts, "|") + "\n")
	}
	if err := rows.Err(); err != nil {
		return result{code: 1, stdout: b.String(), stderr: "ERROR: " + err.Error() + "\n"}
	}
	return result{stdout: b.String()}
}

// curl fetches a URL, waiting up to 20s for a server started with & to
// listen. -i prints the status line; -H adds a header; -X sets the method.
func (s *session) curl(args []string) result {
	method, target, status := http.MethodGet, "", false
	header := http.Header{}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-H":
			i++
			k, v, _ := strings.Cut(args[i], ":")
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-X":
			i++
			method = args[i]
		default:
			if strings.HasPrefix(a, "-") { // -s, -i, -si, -fsS...
				status = status || strings.Contains(a, "i")
				continue
			}
			target = a
		}
	}
	if _, err := url.Parse(target); err != nil || target == "" {
		s.t.Fatalf("curl: bad URL %q", target)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequest(method, target, nil)
		req.Header = header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if time.Now().After(deadline) {
				return result{code: 7, stderr: err.Error() + "\n"}
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out := string(body)
		if status {
			out = fmt.Sprintf("HTTP/1.1 %s\n", resp.Status) + out
		}
		return result{stdout: out}
	}
}

// match checks that every expected line appears in the output, in order
// within stdout and within stderr. Runs of spaces count as one, and …
// matches any text.
func match(want []string, res result) error {
	outs := [][]string{lines(res.stdout), lines(res.stderr)}
	pos := []int{0, 0}
next:
	for _, w := range want {
		w = squash(w)
		if w == "" {
			continue
		}
		re := wantRe(w)
		for k := range outs {
			for i := pos[k]; i < len(outs[k]); i++ {
				if re.MatchString(squash(outs[k][i])) {
					pos[k] = i + 1
					continue next
				}
			}
		}
		return fmt.Errorf("output has no line %q (after the lines matched before it)", w)
	}
	return nil
}

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

var spaceRe = regexp.MustCompile(`\s+`)

func squash(s string) string { return strings.TrimSpace(spaceRe.ReplaceAllString(s, " ")) }

func wantRe(w string) *regexp.Regexp {
	parts := strings.Split(w, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// TestShellReadsTheGuidesForms checks the small shell on the forms the
// guide uses, so that an example fails for what strata did, not for how a
// line was split.
func TestShellReadsTheGuidesForms(t *testing.T) {
	env := map[string]string{"DB": "sqlite:app.db", "N": "2"}
	lookup := func(k string) string { return env[k] }
	for _, tc := range []struct {
		line string
		args []string
		out  string
		bg   bool
	}{
		{`strata --database $DB up $N`, []string{"strata", "--database", "sqlite:app.db", "up", "2"}, "", false},
		{`strata down   # exit 3`, []string{"strata", "down"}, "", false},
		{`psql 'postgres://x/app?a=1&b=2' -tAc "SELECT '$N'"`, []string{"psql", "postgres://x/app?a=1&b=2", "-tAc", "SELECT '2'"}, "", false},
		{`strata lint --format sarif migrations > strata.sarif`, []string{"strata", "lint", "--format", "sarif", "migrations"}, "strata.sarif", false},
		{`strata serve --addr 127.0.0.1:9465 &`, []string{"strata", "serve", "--addr", "127.0.0.1:9465"}, "", true},
		{`echo "a \"b\"" ${DB}`, []string{"echo", `a "b"`, "sqlite:app.db"}, "", false},
	} {
		c, err := parseCommand(tc.line, lookup)
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		if strings.Join(c.args, "\x00") != strings.Join(tc.args, "\x00") || c.redirect != tc.out || c.background != tc.bg {
			t.Errorf("%s: got %q > %q bg=%v, want %q > %q bg=%v", tc.line, c.args, c.redirect, c.background, tc.args, tc.out, tc.bg)
		}
	}
	for _, bad := range []string{`strata up | tee log`, `strata up && strata down`, `strata up; strata down`, `echo 'open`} {
		if _, err := parseCommand(bad, lookup); err == nil {
			t.Errorf("%s: accepted; the guide's shell must refuse what it cannot run", bad)
		}
	}
	if err := match([]string{"applied  1_users (…)", "1 migration applied in …"}, result{stdout: "applied  1_users (1.2ms)\n1 migration applied in 9ms; database is at version 1\n"}); err != nil {
		t.Error(err)
	}
	if err := match([]string{"undone 1_users (…)"}, result{stdout: "applied  1_users (1.2ms)\n"}); err == nil {
		t.Error("a missing line matched")
	}
}
