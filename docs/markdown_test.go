package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// The guide's pages are plain Markdown. What the tests run is marked in the
// info string of a fenced block, after the language, which GitHub ignores
// when it renders the page:
//
//	```sql file=migrations/0001_users.sql     written into the example's directory
//	```yaml from=examples/kubernetes/job.yaml the block must equal that file
//	```yaml validate=online                   parsed as an online migration
//	                                          (also: checks, transfer, observe, lint)
//	```console                                commands to run, each "$ ..." line
//	                                          followed by the output it must print
//	```console copy=examples/migrations       the same, after copying that
//	                                          directory of the repository in
//
// A command ending in "# exit N" must exit with N (0 otherwise). Expected
// output lines must appear in order, within stdout or stderr; runs of
// spaces count as one and … matches any text (timings, dates).
//
// Every "## " heading starts an example of its own: a new directory and new
// databases. Blocks without a marker are not run. Database URLs of the
// guide (postgres://…/app, mysql://…/legacy) become a fresh database per
// name on the test servers, and 127.0.0.1:94xx a free port.

// page is one Markdown file of the guide.
type page struct {
	path     string // relative to the repository root, for messages
	sections []*section
	blocks   []*block // every fenced block, in order
	text     string
}

// section is what a "## " heading holds.
type section struct {
	title  string
	line   int
	blocks []*block
}

// block is one fenced code block.
type block struct {
	page  string
	line  int // line of the opening fence
	lang  string
	attrs map[string]string
	body  string
}

func (b *block) where() string { return fmt.Sprintf("%s:%d", b.page, b.line) }

// runnable reports whether the block takes part in its section's example.
func (b *block) runnable() bool {
	return b.attrs["file"] != "" || b.lang == "console"
}

var fenceRe = regexp.MustCompile("^(`{3,})\\s*(.*)$")

// readPage parses a Markdown file.
func readPage(root, rel string) (*page, error) {
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	p := &page{path: rel, text: string(data)}
	cur := &section{title: "(top)", line: 1}
	p.sections = append(p.sections, cur)
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := fenceRe.FindStringSubmatch(line); m != nil {
			b := &block{page: rel, line: i + 1, attrs: map[string]string{}}
			fields := strings.Fields(m[2])
			if len(fields) > 0 {
				b.lang = fields[0]
				for _, f := range fields[1:] {
					k, v, ok := strings.Cut(f, "=")
					if !ok {
						return nil, fmt.Errorf("%s:%d: info string word %q is not key=value", rel, i+1, f)
					}
					b.attrs[k] = v
				}
			}
			var body []string
			closed := false
			for i++; i < len(lines); i++ {
				if strings.HasPrefix(lines[i], m[1]) && strings.TrimSpace(strings.TrimLeft(lines[i], "`")) == "" {
					closed = true
					break
				}
				body = append(body, lines[i])
			}
			if !closed {
				return nil, fmt.Errorf("%s:%d: code block is never closed", rel, b.line)
			}
			b.body = strings.Join(body, "\n")
			if len(body) > 0 {
				b.body += "\n"
			}
			for k := range b.attrs {
				switch k {
				case "file", "from", "validate", "copy":
				default:
					return nil, fmt.Errorf("%s:%d: unknown block attribute %q (want file, from, validate or copy)", rel, b.line, k)
				}
			}
			cur.blocks = append(cur.blocks, b)
			p.blocks = append(p.blocks, b)
			continue
		}
		if strings.HasPrefix(line, "## ") {
			cur = &section{title: strings.TrimSpace(line[3:]), line: i + 1}
			p.sections = append(p.sections, cur)
		}
	}
	return p, nil
}

// guidePages returns the Markdown files of docs/ and the README, relative to
// the repository root.
func guidePages(root string) ([]*page, error) {
	names, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	rels := []string{"README.md"}
	for _, n := range names {
		rel, err := filepath.Rel(root, n)
		if err != nil {
			return nil, err
		}
		rels = append(rels, filepath.ToSlash(rel))
	}
	var out []*page
	for _, r := range rels {
		p, err := readPage(root, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// repoRoot is the repository root: the test runs in docs/.
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(wd)
}
