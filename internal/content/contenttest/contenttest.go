// Package contenttest builds small, valid content trees in memory for tests, so each test
// states only what it is about.
package contenttest

import (
	"fmt"
	"strings"
	"testing/fstest"
)

// T describes one topic; empty fields get valid defaults.
type T struct {
	Slug    string
	Level   string // default beginner
	Title   string // default from slug
	Order   int
	Related []string
	Prereqs []string
	Terms   map[string]string // term -> definition; default two unique terms
	Extra   string            // extra front matter lines
	Body    string            // replaces the default body
}

// Docs are the three catalog URLs every generated topic pins.
var Docs = []string{
	"https://learn.microsoft.com/en-us/windows/win32/test/one",
	"https://learn.microsoft.com/en-us/windows/win32/test/two",
	"https://learn.microsoft.com/en-us/windows/win32/test/three",
}

// Source renders a topic file.
func (t T) Source() string {
	level := t.Level
	if level == "" {
		level = "beginner"
	}
	title := t.Title
	if title == "" {
		title = "Topic " + t.Slug
	}
	id := strings.ReplaceAll(t.Slug, "/", "-")
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\nsummary: A summary of %s that is long enough.\nlevel: %s\norder: %d\n", id, title, t.Slug, level, t.Order)
	if len(t.Related) > 0 {
		fmt.Fprintf(&b, "related: [%s]\n", strings.Join(t.Related, ", "))
	}
	prereqs := t.Prereqs
	if prereqs == nil && level == "expert" {
		prereqs = nil
	}
	if len(prereqs) > 0 {
		fmt.Fprintf(&b, "prerequisites: [%s]\n", strings.Join(prereqs, ", "))
	}
	b.WriteString("checked:\n  windows: [Windows 11 24H2]\n  reviewed: 2026-11-25\n")
	b.WriteString("docs:\n")
	for _, d := range Docs {
		fmt.Fprintf(&b, "  - %s\n", d)
	}
	b.WriteString("terms:\n")
	if t.Terms == nil {
		fmt.Fprintf(&b, "  - term: Term of %s\n    definition: What %s defines.\n", t.Slug, t.Slug)
		fmt.Fprintf(&b, "  - term: Second term of %s\n    definition: What else %s defines.\n", t.Slug, t.Slug)
	}
	for k, v := range t.Terms {
		fmt.Fprintf(&b, "  - term: %s\n    definition: %s\n", k, v)
	}
	b.WriteString(t.Extra)
	b.WriteString("---\n")
	if t.Body != "" {
		b.WriteString(t.Body)
		return b.String()
	}
	if !strings.Contains(t.Slug, "/") {
		b.WriteString("## In 30 seconds\n\nThe gist.\n\n## You understand this if\n\n- You can explain it.\n- You can draw it.\n- You can test it.\n\n")
	}
	b.WriteString("## Why it matters\n\nBecause.\n\n## Mental model\n\nA picture.\n\n## How it works\n\n1. First.\n2. Second.\n3. Third.\n\n## Example: A concrete case\n\nIt happened.\n\n## Common misconception\n\nPeople think otherwise.\n")
	return b.String()
}

// Path is a guided path: id and steps.
type Path struct {
	ID    string
	Kind  string // default branch
	Steps []string
}

// FS builds a complete content tree from topics and paths, with a home map and a catalog.
func FS(topics []T, paths []Path) fstest.MapFS {
	fs := fstest.MapFS{}
	for _, t := range topics {
		name := "topics/" + t.Slug + ".md"
		if isParent(t.Slug, topics) || !strings.Contains(t.Slug, "/") {
			name = "topics/" + t.Slug + "/_index.md"
		}
		fs[name] = &fstest.MapFile{Data: []byte(t.Source())}
	}
	for _, p := range paths {
		kind := p.Kind
		if kind == "" {
			kind = "branch"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "title: Path %s\nsummary: A path for tests.\nkind: %s\nsteps:\n", p.ID, kind)
		for _, s := range p.Steps {
			fmt.Fprintf(&b, "  - topic: %s\n    why: Because %s comes here.\n", s, s)
		}
		fs["paths/"+p.ID+".yaml"] = &fstest.MapFile{Data: []byte(b.String())}
	}
	var cat strings.Builder
	for i, d := range Docs {
		fmt.Fprintf(&cat, "- title: Doc %d\n  url: %s\n  about: Test reference number %d.\n  tags: [test]\n", i, d, i)
	}
	fs["docs/test.yaml"] = &fstest.MapFile{Data: []byte(cat.String())}
	fs["home.yaml"] = &fstest.MapFile{Data: []byte("promise: Test promise.\nlanes:\n  - id: user\n    title: User mode\n    blocks:\n      - id: apps\n        title: Apps\n        text: Programs.\nboundary:\n  id: syscall\n  title: System calls\n  text: The boundary.\n")}
	return fs
}

func isParent(slug string, topics []T) bool {
	for _, t := range topics {
		if strings.HasPrefix(t.Slug, slug+"/") {
			return true
		}
	}
	return false
}
