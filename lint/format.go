package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Format names an output format.
type Format string

// Output formats.
const (
	FormatText   Format = "text"
	FormatJSON   Format = "json"
	FormatSARIF  Format = "sarif"
	FormatGitHub Format = "github"
)

// Write writes rep in format f.
func Write(w io.Writer, rep *Report, f Format, opts TextOptions) error {
	switch f {
	case FormatText, "":
		return WriteText(w, rep, opts)
	case FormatJSON:
		return WriteJSON(w, rep)
	case FormatSARIF:
		return WriteSARIF(w, rep, opts.ToolVersion)
	case FormatGitHub:
		return WriteGitHub(w, rep)
	}
	return fmt.Errorf("unknown format %q: want text, json, sarif or github", f)
}

// TextOptions tunes [WriteText].
type TextOptions struct {
	// Statements also lists every statement with its locks.
	Statements bool
	// Color adds ANSI colours.
	Color bool
	// ToolVersion is strata's version, for SARIF.
	ToolVersion string
}

// WriteText writes findings for people: file:line:col, the rule, the lock,
// the source line underlined, and the fix.
func WriteText(w io.Writer, rep *Report, opts TextOptions) error {
	ew := &errWriter{w: w}
	red, yellow, bold, dim, reset := "", "", "", "", ""
	if opts.Color {
		red, yellow, bold, dim, reset = "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[0m"
	}
	lines := map[string][]string{}
	srcLine := func(file string, n int) string {
		ls, ok := lines[file]
		if !ok {
			ls = strings.Split(rep.Sources[file], "\n")
			lines[file] = ls
		}
		if n-1 >= 0 && n-1 < len(ls) {
			return strings.TrimRight(ls[n-1], "\r")
		}
		return ""
	}
	for _, f := range rep.Findings {
		color := yellow
		if f.Severity == Error {
			color = red
		}
		ew.printf("%s%s:%d:%d: %s%s[%s]%s %s\n", bold, f.File, f.Line, f.Col, color, f.Severity, f.Rule, reset, f.Message)
		if src := srcLine(f.File, f.Line); src != "" {
			width := utf8.RuneCountInString(strings.TrimRight(src, " \t"))
			start := f.Col
			if start < 1 {
				start = 1
			}
			n := width - start + 1
			if n < 1 {
				n = 1
			}
			pad := strings.Map(func(r rune) rune {
				if r == '\t' {
					return '\t'
				}
				return ' '
			}, string([]rune(src)[:min(start-1, utf8.RuneCountInString(src))]))
			ew.printf("  %4d | %s\n       | %s%s%s%s\n", f.Line, src, pad, color, "^"+strings.Repeat("~", n-1), reset)
		}
		var facts []string
		if f.Lock != "" {
			obj := ""
			if f.Object != "" {
				obj = " on " + f.Object
			}
			facts = append(facts, "lock: "+f.Lock+obj)
		}
		if f.Rewrites {
			facts = append(facts, "rewrites the table")
		} else if f.Scans {
			facts = append(facts, "scans the table")
		}
		if len(facts) > 0 {
			ew.printf("       %s%s%s\n", dim, strings.Join(facts, "; "), reset)
		}
		if f.Fix != "" {
			ew.printf("       fix:\n")
			for _, l := range strings.Split(f.Fix, "\n") {
				ew.printf("         %s\n", l)
			}
		}
		if f.Online != "" {
			ew.printf("       or as an online migration (a .yaml file):\n")
			for _, l := range strings.Split(f.Online, "\n") {
				ew.printf("         %s\n", l)
			}
		}
		ew.printf("\n")
	}
	if opts.Statements {
		for _, s := range rep.Statements {
			var locks []string
			for _, l := range s.Locks {
				locks = append(locks, l.Mode+" on "+l.Object)
			}
			extra := ""
			if len(s.Rewrites) > 0 {
				extra += " rewrites " + strings.Join(s.Rewrites, ",")
			} else if len(s.Scans) > 0 {
				extra += " scans " + strings.Join(s.Scans, ",")
			}
			if !s.Transactional {
				extra += " (cannot run in a transaction)"
			}
			what := orDefault(strings.Join(locks, ", "), "no table lock")
			if s.Traced && s.Note != "" {
				what = s.Note // it failed or did not run: no lock was seen
			}
			ew.printf("%s:%d:%d: %s: %s%s\n", s.File, s.Line, s.Col, s.Kind, what, extra)
		}
	}
	ew.printf("%s, %s: %s, %s", count(len(rep.Files), "file"), count(len(rep.Statements), "statement"), count(rep.Errors(), "error"), count(rep.Warnings(), "warning"))
	if rep.Ignored > 0 {
		ew.printf(", %d ignored", rep.Ignored)
	}
	ew.printf("\n")
	return ew.err
}

// count writes n and noun, plural unless n is 1: "1 warning", "2 warnings".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

// jsonReport is the stable JSON document.
type jsonReport struct {
	Files      []string    `json:"files"`
	Errors     int         `json:"errors"`
	Warnings   int         `json:"warnings"`
	Ignored    int         `json:"ignored"`
	Findings   []Finding   `json:"findings"`
	Statements []Statement `json:"statements"`
}

// WriteJSON writes rep as one JSON document.
func WriteJSON(w io.Writer, rep *Report) error {
	doc := jsonReport{Files: rep.Files, Errors: rep.Errors(), Warnings: rep.Warnings(), Ignored: rep.Ignored,
		Findings: rep.Findings, Statements: rep.Statements}
	if doc.Files == nil {
		doc.Files = []string{}
	}
	if doc.Findings == nil {
		doc.Findings = []Finding{}
	}
	if doc.Statements == nil {
		doc.Statements = []Statement{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteSARIF writes rep as a SARIF 2.1.0 log for code-scanning UIs.
func WriteSARIF(w io.Writer, rep *Report, version string) error {
	if version == "" {
		version = "dev"
	}
	used := map[string]bool{}
	for _, f := range rep.Findings {
		used[f.Rule] = true
	}
	var ids []string
	for id := range used {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string         `json:"id"`
		ShortDescription msg            `json:"shortDescription"`
		DefaultConfig    map[string]any `json:"defaultConfiguration"`
		HelpURI          string         `json:"helpUri,omitempty"`
	}
	var sr []rule
	for i, id := range ids {
		index[id] = i
		r := ruleByID[id]
		lv := "warning"
		if r.Severity == Error {
			lv = "error"
		}
		sr = append(sr, rule{ID: id, ShortDescription: msg{r.Summary}, DefaultConfig: map[string]any{"level": lv}})
	}
	type result struct {
		RuleID     string           `json:"ruleId"`
		RuleIndex  int              `json:"ruleIndex"`
		Level      string           `json:"level"`
		Message    msg              `json:"message"`
		Locations  []map[string]any `json:"locations"`
		Properties map[string]any   `json:"properties,omitempty"`
	}
	results := []result{}
	for _, f := range rep.Findings {
		text := f.Message
		if f.Fix != "" {
			text += "\nSafe rewrite:\n" + f.Fix
		}
		props := map[string]any{}
		if f.Lock != "" {
			props["lock"] = f.Lock
		}
		if f.Object != "" {
			props["object"] = f.Object
		}
		if f.Rewrites {
			props["rewrites"] = true
		}
		if f.Scans {
			props["scans"] = true
		}
		region := map[string]any{"startLine": f.Line, "startColumn": max(f.Col, 1)}
		if f.EndCol > f.Col {
			region["endColumn"] = f.EndCol
		}
		results = append(results, result{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: string(f.Severity), Message: msg{text},
			Locations: []map[string]any{{"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": filepath.ToSlash(f.File)},
				"region":           region,
			}}},
			Properties: props,
		})
	}
	if sr == nil {
		sr = []rule{}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "strata lint", "informationUri": "https://github.com/strata-db/strata",
				"version": version, "rules": sr,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteGitHub writes findings as GitHub Actions workflow annotations.
func WriteGitHub(w io.Writer, rep *Report) error {
	ew := &errWriter{w: w}
	esc := func(s string) string {
		s = strings.ReplaceAll(s, "%", "%25")
		s = strings.ReplaceAll(s, "\r", "%0D")
		return strings.ReplaceAll(s, "\n", "%0A")
	}
	prop := func(s string) string {
		s = esc(s)
		s = strings.ReplaceAll(s, ":", "%3A")
		return strings.ReplaceAll(s, ",", "%2C")
	}
	for _, f := range rep.Findings {
		level := "warning"
		if f.Severity == Error {
			level = "error"
		}
		text := f.Message
		if f.Lock != "" {
			text += " (lock: " + f.Lock
			if f.Object != "" {
				text += " on " + f.Object
			}
			text += ")"
		}
		if f.Fix != "" {
			text += "\nSafe rewrite:\n" + f.Fix
		}
		ew.printf("::%s file=%s,line=%d,col=%d,title=%s::%s\n", level, prop(filepath.ToSlash(f.File)), f.Line, max(f.Col, 1), prop("strata lint "+f.Rule), esc(text))
	}
	return ew.err
}
