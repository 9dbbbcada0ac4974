// Package docs_test runs the user guide: every console example of docs/*.md
// against the strata binary and real databases, every file the guide shows
// from examples/ against that file, and every YAML snippet through the
// parser it is written for, so that the guide cannot drift from the code.
package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/observe"
	"github.com/strata-db/strata/online"
	"github.com/strata-db/strata/transfer"
	"gopkg.in/yaml.v3"
)

func loadGuide(t *testing.T) []*page {
	t.Helper()
	pages, err := guidePages(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// TestGuideExamples runs the example of every section that has one.
func TestGuideExamples(t *testing.T) {
	for _, p := range loadGuide(t) {
		for _, sec := range p.sections {
			runnable := false
			for _, b := range sec.blocks {
				runnable = runnable || b.runnable()
			}
			if !runnable {
				continue
			}
			t.Run(p.path+"/"+sec.title, func(t *testing.T) {
				runSection(t, sec)
			})
		}
	}
}

func runSection(t *testing.T, sec *section) {
	s := newSession(t)
	for _, b := range sec.blocks {
		switch {
		case b.attrs["file"] != "":
			s.writeFile(b)
		case b.lang == "console":
			if from := b.attrs["copy"]; from != "" {
				copyDir(t, filepath.Join(repoRoot(), filepath.FromSlash(from)), filepath.Join(s.dir, filepath.FromSlash(from)))
			}
			steps, err := parseConsole(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range steps {
				res := s.run(st.cmd)
				if res.code != st.exit {
					t.Fatalf("%s: $ %s\nwant exit %d, got %s", st.where, st.cmd, st.exit, res)
				}
				if err := match(st.want, res); err != nil {
					t.Fatalf("%s: $ %s\n%v\n%s", st.where, st.cmd, err, res)
				}
			}
		}
	}
}

// TestGuideFilesMatchExamples checks that a block shown from a file of the
// repository (from=PATH) is that file, word for word.
func TestGuideFilesMatchExamples(t *testing.T) {
	root := repoRoot()
	n := 0
	for _, p := range loadGuide(t) {
		for _, b := range p.blocks {
			from := b.attrs["from"]
			if from == "" {
				continue
			}
			n++
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(from)))
			if err != nil {
				t.Errorf("%s: %v", b.where(), err)
				continue
			}
			if string(data) != b.body {
				t.Errorf("%s: the block differs from %s; copy the file into the page again", b.where(), from)
			}
		}
	}
	if n == 0 {
		t.Fatal("no block shows a file of examples/")
	}
}

// TestGuideSnippetsParse runs every validate= block through its parser.
func TestGuideSnippetsParse(t *testing.T) {
	n := 0
	for _, p := range loadGuide(t) {
		for _, b := range p.blocks {
			kind := b.attrs["validate"]
			if kind == "" {
				continue
			}
			n++
			if err := validate(kind, b); err != nil {
				t.Errorf("%s: %s snippet: %v", b.where(), kind, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no validate= block in the guide")
	}
}

func validate(kind string, b *block) error {
	data := []byte(b.body)
	switch kind {
	case "online":
		_, err := online.Parse(b.where(), data)
		return err
	case "checks":
		_, err := check.Parse(b.where(), data)
		return err
	case "transfer":
		_, err := transfer.Parse(b.where(), data)
		return err
	case "observe":
		_, err := observe.ParseConfig(data)
		return err
	case "lint":
		var doc struct {
			Lint lint.Config `yaml:"lint"`
		}
		dec := yaml.NewDecoder(strings.NewReader(b.body))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			return err
		}
		_, err := lint.New(lint.Options{Engine: lint.Postgres, Config: doc.Lint})
		return err
	}
	return fmt.Errorf("unknown validate=%s", kind)
}

var linkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestGuideLinks checks that every relative link of the guide and the README
// leads to a file that exists, and every #anchor to a heading of its page.
func TestGuideLinks(t *testing.T) {
	root := repoRoot()
	pages := loadGuide(t)
	anchors := map[string]map[string]bool{}
	for _, p := range pages {
		anchors[p.path] = headingAnchors(p.text)
	}
	for _, p := range pages {
		for _, m := range linkRe.FindAllStringSubmatch(stripCode(p.text), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(link, "#")
			target := p.path
			if file != "" {
				target = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(p.path), file)))
				if _, err := os.Stat(filepath.Join(root, target)); err != nil {
					t.Errorf("%s: link %s: %v", p.path, link, err)
					continue
				}
			}
			if frag != "" {
				a, ok := anchors[target]
				if ok && !a[frag] {
					t.Errorf("%s: link %s: %s has no heading #%s", p.path, link, target, frag)
				}
			}
		}
	}
}

// headingAnchors returns GitHub's anchors of a page's headings.
func headingAnchors(text string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(stripFences(text), "\n") {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(l, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

var inlineCodeRe = regexp.MustCompile("`[^`]*`")

// stripCode removes fenced blocks and inline code, where brackets are not
// links.
func stripCode(text string) string {
	return inlineCodeRe.ReplaceAllString(stripFences(text), "")
}

// stripFences removes fenced blocks, where # lines are not headings.
func stripFences(text string) string {
	var out []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			continue
		}
		if !in {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
