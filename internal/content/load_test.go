package content_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"ntatlas/internal/content"
	ct "ntatlas/internal/content/contenttest"
)

func base() []ct.T {
	return []ct.T{
		{Slug: "net", Title: "Networking"},
		{Slug: "net/afd", Level: "intermediate", Related: []string{"net/tcp"}, Order: 1},
		{Slug: "net/tcp", Level: "intermediate", Order: 2},
		{Slug: "net/wfp", Level: "expert", Prereqs: []string{"net/tcp"}, Related: []string{"net/tcp"}, Order: 3},
	}
}

func load(t *testing.T, fs fstest.MapFS) (*content.Site, content.Problems) {
	t.Helper()
	s, err := content.Load(fs)
	if err == nil {
		return s, nil
	}
	var ps content.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load returned %T %v, want Problems", err, err)
	}
	return nil, ps
}

func TestLoadValid(t *testing.T) {
	s, ps := load(t, ct.FS(base(), []ct.Path{{ID: "net-path", Steps: []string{"net", "net/afd", "net/tcp"}}}))
	if ps != nil {
		t.Fatalf("unexpected problems:\n%v", ps)
	}
	if got := len(s.Topics); got != 4 {
		t.Fatalf("topics = %d, want 4", got)
	}
	afd := s.BySlug["net/afd"]
	if afd.Parent != s.BySlug["net"] || afd.Depth != 1 || afd.Level != content.Intermediate {
		t.Errorf("net/afd parent/depth/level wrong: %v %d %v", afd.Parent, afd.Depth, afd.Level)
	}
	if len(s.BySlug["net/tcp"].Incoming) != 2 {
		t.Errorf("net/tcp incoming = %d, want 2 (afd, wfp)", len(s.BySlug["net/tcp"].Incoming))
	}
	// Children follow `order`, not file order or title.
	var kids []string
	for _, c := range s.BySlug["net"].Children {
		kids = append(kids, c.Slug)
	}
	if strings.Join(kids, ",") != "net/afd,net/tcp,net/wfp" {
		t.Errorf("children = %v", kids)
	}
	if ps := s.PathsOf(afd); len(ps) != 1 || ps[0].Index != 1 {
		t.Errorf("PathsOf(net/afd) = %+v", ps)
	}
	if s.Coverage.Topics != 4 || s.Coverage.ExpertCount != 1 || s.Coverage.Branches != 1 {
		t.Errorf("coverage = %+v", s.Coverage)
	}
	if len(s.Glossary) != 8 {
		t.Errorf("glossary has %d entries, want 8 (two per topic)", len(s.Glossary))
	}
	sec := afd.Section(content.SecExample)
	if sec == nil || sec.Title != "A concrete case" {
		t.Errorf("example section = %+v", sec)
	}
	if !strings.Contains(string(afd.Section(content.SecHow).HTML), "<ol>") {
		t.Errorf("how it works did not render a list: %s", afd.Section(content.SecHow).HTML)
	}
}

// Each case breaks one rule and names the file:line the author must look at.
func TestLoadProblems(t *testing.T) {
	type edit func(fs fstest.MapFS)
	set := func(name, data string) edit {
		return func(fs fstest.MapFS) { fs[name] = &fstest.MapFile{Data: []byte(data)} }
	}
	replace := func(name, old, new string) edit {
		return func(fs fstest.MapFS) {
			s := string(fs[name].Data)
			if !strings.Contains(s, old) {
				panic("test setup: " + old + " not in " + name)
			}
			fs[name] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
		}
	}
	const afd = "topics/net/afd.md"
	cases := []struct {
		name string
		edit edit
		want string // substring of one problem line, "file:line: message"
	}{
		{"unknown field", replace(afd, "order: 1\n", "order: 1\ncolour: blue\n"), afd + ":7: field colour not found"},
		{"bad level", replace(afd, "level: intermediate", "level: guru"), afd + ":5: level \"guru\""},
		{"dangling related", replace(afd, "related: [net/tcp]", "related: [net/tpc]"), afd + ":7: related \"net/tpc\": no such topic (did you mean \"net/tcp\"?)"},
		{"self related", replace(afd, "related: [net/tcp]", "related: [net/afd]"), "a topic cannot refer to itself"},
		{"missing section", replace(afd, "## Mental model\n\nA picture.\n\n", ""), afd + ": missing section \"## Mental model\""},
		{"unknown section", replace(afd, "## Mental model", "## Mental modle"), afd + ":25: unknown section \"Mental modle\""},
		{"empty section", replace(afd, "## Mental model\n\nA picture.\n", "## Mental model\n\n"), "section \"Mental model\" is empty"},
		{"example without title", replace(afd, "## Example: A concrete case", "## Example:"), "the example heading must name the situation"},
		{"text before first section", replace(afd, "---\n## Why", "---\nStray text.\n## Why"), afd + ":21: text before the first"},
		{"no front matter", set(afd, "# Title\n"), afd + ":1: missing YAML front matter"},
		{"unterminated front matter", set(afd, "---\nid: x\n"), afd + ":1: missing YAML front matter"},
		{"yaml syntax", replace(afd, "order: 1\n", "order: [1\n"), afd + ":"},
		{"duplicate id", replace(afd, "id: net-afd", "id: net-tcp"), "duplicate id \"net-tcp\""},
		{"bad id", replace(afd, "id: net-afd", "id: Net_AFD"), afd + ":2: id \"Net_AFD\""},
		{"summary too short", replace(afd, "summary: A summary of net/afd that is long enough.", "summary: Short."), afd + ":4: summary is 6 characters"},
		{"missing title", replace(afd, "title: Topic net/afd\n", ""), "missing required field \"title\""},
		{"expert without prerequisites", replace("topics/net/wfp.md", "prerequisites: [net/tcp]\n", ""), "expert topics list their prerequisites"},
		{"prerequisite cycle", replace("topics/net/tcp.md", "order: 2\n", "order: 2\nprerequisites: [net/wfp]\n"), "prerequisite cycle: "},
		{"too few docs", replace(afd, "  - "+ct.Docs[2]+"\n", ""), "pin at least 3 official references"},
		{"doc not in catalog", replace(afd, ct.Docs[2], "https://learn.microsoft.com/en-us/nope"), afd + ":14: doc \"https://learn.microsoft.com/en-us/nope\" is not in the docs catalog"},
		{"non-Microsoft doc", replace("docs/test.yaml", "https://learn.microsoft.com/en-us/windows/win32/test/one", "https://example.com/one"), "docs/test.yaml:2: url \"https://example.com/one\": official references are https URLs on a Microsoft domain"},
		{"duplicate doc", set("docs/more.yaml", "- title: Again\n  url: "+ct.Docs[0]+"\n  about: Same URL.\n"), "is already in the catalog"},
		{"empty key term", replace(afd, "  - term: Term of net/afd\n    definition: What net/afd defines.\n", "  - term: Lonely\n"), afd + ":16: key term needs both a term and a definition"},
		{"conflicting term", replace(afd, "Term of net/afd", "Term of net/tcp"), "key term \"Term of net/tcp\" is already defined differently in"},
		{"too few steps", replace(afd, "1. First.\n2. Second.\n3. Third.\n", "1. First.\n2. Second.\n"), afd + ":29: section \"How it works\" has 2 numbered steps: give 3 to 5"},
		{"too many steps", replace(afd, "3. Third.\n", "3. Third.\n4. Four.\n5. Five.\n6. Six.\n"), "has 6 numbered steps"},
		{"self-check too short", replace("topics/net/_index.md", "- You can draw it.\n- You can test it.\n", ""), "topics/net/_index.md:24: section \"You understand this if\" has 1 bullet points: give 3 to 5"},
		{"one key term", replace(afd, "  - term: Second term of net/afd\n    definition: What else net/afd defines.\n", ""), afd + ":16: 1 key terms: give 2 to 4"},
		{"five key terms", replace(afd, "terms:\n", "terms:\n  - {term: K1, definition: D.}\n  - {term: K2, definition: D.}\n  - {term: K3, definition: D.}\n"), "5 key terms: give 2 to 4"},
		{"zone without topic", replace(afd, "terms:", "schematic:\n  title: S\n  zones:\n    - {id: a, title: A, text: T, topic: net}\n    - {id: b, title: B, text: T, topic: net}\n    - {id: c, title: C, text: T}\nterms:"), afd + ":20: schematic zone \"c\" needs a topic"},
		{"orphan", replace(afd, "related: [net/tcp]\n", ""), afd + ":2: orphan topic"},
		{"missing parent", set("topics/disk/ntfs.md", ct.T{Slug: "disk/ntfs", Related: []string{"net"}}.Source()), "topics/disk/ntfs.md:1: topic \"disk/ntfs\" has no parent topic \"disk\""},
		{"too deep", set("topics/net/afd/x/y/z.md", "---\n---\n"), "at most 2 levels below the branch"},
		{"bad file name", set("topics/net/Bad Name.md", "---\n---\n"), "file name gives slug"},
		{"path step missing", set("paths/p.yaml", "title: P\nsummary: S.\nkind: branch\nsteps:\n  - topic: net\n    why: W.\n  - topic: net/nope\n    why: W.\n"), "paths/p.yaml:7: step \"net/nope\": no such topic"},
		{"path step without why", set("paths/p.yaml", "title: P\nsummary: S.\nkind: branch\nsteps:\n  - topic: net\n    why: W.\n  - topic: net/afd\n"), "paths/p.yaml:7: step \"net/afd\" needs a one-line \"why\""},
		{"path bad kind", set("paths/p.yaml", "title: P\nsummary: S.\nkind: tour\nsteps:\n  - topic: net\n    why: W.\n  - topic: net/afd\n    why: W.\n"), "paths/p.yaml:3: path kind \"tour\""},
		{"path duplicate step", set("paths/p.yaml", "title: P\nsummary: S.\nkind: branch\nsteps:\n  - topic: net\n    why: W.\n  - topic: net\n    why: W.\n"), "paths/p.yaml:7: step \"net\" appears twice"},
		{"schematic zone dangling", replace(afd, "terms:", "schematic:\n  title: S\n  zones:\n    - {id: a, title: A, text: T, topic: net/x}\n    - {id: b, title: B, text: T}\n    - {id: c, title: C, text: T}\nterms:"), afd + ":18: schematic zone \"a\" points to \"net/x\""},
		{"schematic too few zones", replace(afd, "terms:", "schematic:\n  title: S\n  zones:\n    - {id: a, title: A, text: T}\nterms:"), "schematic has 1 zones"},
		{"block kind", replace(afd, "terms:", "blocks:\n  - {kind: dll, name: afd.sys, role: R}\nterms:"), afd + ":16: building block kind \"dll\""},
		{"dangling link in text", replace(afd, "Because.", "See [TCP](/explore/net/tcpx)."), afd + ":23: link to /explore/net/tcpx: no such topic"},
		{"http link", replace(afd, "Because.", "See [x](http://example.com)."), "use https"},
		{"alias shadows topic", replace(afd, "order: 1\n", "order: 1\naliases: [net/tcp]\n"), "alias \"net/tcp\" is the slug of an existing topic"},
		{"lab topic missing", set("labs/x.yaml", "title: X\nsummary: S\nkind: browser\nengine: x\ntopics: [net/nope]\nwindows:\n  steps:\n    - title: T\n      command: C\n"), "labs/x.yaml:5: topic \"net/nope\": no such topic"},
		{"home block dangling", replace("home.yaml", "text: Programs.", "text: Programs.\n        topic: nope"), "home.yaml:9: block \"apps\" points to \"nope\""},
		{"invalid utf8", set(afd, "---\n\xff\xfe\n---\n"), afd + ": not valid UTF-8"},
		{"missing checked", replace(afd, "checked:\n  windows: [Windows 11 24H2]\n  reviewed: 2026-11-25\n", ""), "missing required field \"checked\""},
		{"bad reviewed date", replace(afd, "reviewed: 2026-11-25", "reviewed: 25/11/2026"), afd + ":10: expected a date YYYY-MM-DD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := ct.FS(base(), nil)
			c.edit(fs)
			_, ps := load(t, fs)
			if ps == nil {
				t.Fatalf("Load accepted content that breaks the rule; want a problem containing %q", c.want)
			}
			for _, p := range ps {
				if strings.Contains(p.String(), c.want) {
					return
				}
			}
			t.Fatalf("no problem contains %q; got:\n%v", c.want, ps)
		})
	}
}

func TestRawHTMLIsNotRendered(t *testing.T) {
	topics := base()
	topics[1].Body = "## Why it matters\n\nText <script>alert(1)</script> and <b>bold</b> [x](javascript:alert(1))\n\n## Mental model\n\nM.\n\n## How it works\n\n1. A\n2. B\n3. C\n\n## Example: E\n\nE.\n\n## Common misconception\n\nC.\n"
	fs := ct.FS(topics, nil)
	s, err := content.Load(fs)
	if err == nil {
		t.Fatalf("a javascript: link should be rejected")
	}
	if !strings.Contains(err.Error(), "javascript:alert(1)") {
		t.Fatalf("error does not name the bad link: %v", err)
	}
	_ = s
	topics[1].Body = strings.Replace(topics[1].Body, " [x](javascript:alert(1))", "", 1)
	s, err = content.Load(ct.FS(topics, nil))
	if err != nil {
		t.Fatal(err)
	}
	h := string(s.BySlug["net/afd"].Section(content.SecWhy).HTML)
	if strings.Contains(h, "<script") || strings.Contains(h, "<b>") {
		t.Fatalf("raw HTML passed through: %s", h)
	}
}

func TestClaimLabels(t *testing.T) {
	topics := base()
	topics[1].Body = "## Why it matters\n\n[documented] Microsoft says so.\n\n## Mental model\n\n- [observed] Seen in a debugger.\n- [model] Our picture, and ([observed] mid-sentence) with `[model]` in code.\n\n## How it works\n\n1. A\n2. B\n3. C\n\n## Example: E\n\nE.\n\n## Common misconception\n\nC.\n"
	s, err := content.Load(ct.FS(topics, nil))
	if err != nil {
		t.Fatal(err)
	}
	afd := s.BySlug["net/afd"]
	why, model := string(afd.Section(content.SecWhy).HTML), string(afd.Section(content.SecModel).HTML)
	if !strings.Contains(why, `<p><span class="claim claim-documented"`) {
		t.Errorf("documented label not rendered: %s", why)
	}
	if !strings.Contains(model, `claim-observed`) || !strings.Contains(model, `claim-model`) || strings.Contains(model, "<li>[model]") {
		t.Errorf("list labels not rendered: %s", model)
	}
	if strings.Count(model, "claim-observed") != 2 || !strings.Contains(model, "<code>[model]</code>") {
		t.Errorf("mid-sentence label not rendered, or code touched: %s", model)
	}
	if strings.Contains(afd.Section(content.SecWhy).Text, "[documented]") {
		t.Errorf("plain text keeps the label marker: %q", afd.Section(content.SecWhy).Text)
	}
}

func TestAliasLookup(t *testing.T) {
	topics := base()
	topics[1].Extra = "aliases: [net/winsock]\n"
	s, err := content.Load(ct.FS(topics, nil))
	if err != nil {
		t.Fatal(err)
	}
	got, moved := s.Lookup("net/winsock")
	if got != s.BySlug["net/afd"] || !moved {
		t.Fatalf("Lookup(alias) = %v, %v", got, moved)
	}
	if got, moved := s.Lookup("net/afd"); got == nil || moved {
		t.Fatalf("Lookup(slug) = %v, %v", got, moved)
	}
}

// FuzzLoadTopic feeds arbitrary bytes as one topic file: Load must return a site or problems,
// never panic or hang.
func FuzzLoadTopic(f *testing.F) {
	f.Add([]byte(ct.T{Slug: "net/afd", Related: []string{"net/tcp"}}.Source()))
	f.Add([]byte("---\nid: x\n---\n## Why it matters\n\n```\n## not a heading\n```\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nterms: [{term: a}]\nschematic: {zones: [{}]}\n---\n## Example:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := ct.FS(base(), nil)
		fs["topics/net/afd.md"] = &fstest.MapFile{Data: data}
		s, err := content.Load(fs)
		if err == nil && s.BySlug["net/afd"] == nil {
			t.Fatalf("valid load without the fuzzed topic")
		}
		if err != nil {
			var ps content.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error is not a list of problems: %v", err)
			}
		}
	})
}

// A lab named by a topic serves that topic too, even when the lab file does not list it.
func TestLabLinksBothWays(t *testing.T) {
	topics := base()
	topics[1].Extra = "labs: [x]\n"
	topics[1].Body = strings.Replace(ct.T{Slug: "net/afd"}.Source()[strings.Index(ct.T{Slug: "net/afd"}.Source(), "## Why"):], "## Common misconception", "## Guided exercise\n\n1. Open the lab.\n\n## Common misconception", 1)
	fs := ct.FS(topics, nil)
	fs["labs/x.yaml"] = &fstest.MapFile{Data: []byte("title: X\nsummary: S\nkind: browser\nengine: x\ntopics: [net/tcp]\nwindows:\n  steps:\n    - title: T\n      command: C\n")}
	s, err := content.Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	l := s.LabBySlug["x"]
	var got []string
	for _, tp := range l.Topics {
		got = append(got, tp.Slug)
	}
	if strings.Join(got, ",") != "net/tcp,net/afd" {
		t.Errorf("lab topics = %v, want net/tcp (from the lab) and net/afd (from the topic)", got)
	}
	if tcp := s.BySlug["net/tcp"]; len(tcp.Labs) != 1 || tcp.Labs[0] != l {
		t.Errorf("net/tcp does not list the lab that names it")
	}
	// A topic with a lab must carry a guided exercise.
	topics[1].Body = ""
	if _, err := content.Load(ct.FS(topics, nil)); err == nil || !strings.Contains(err.Error(), "lab") {
		t.Errorf("topic with a lab but no exercise (and no such lab) accepted: %v", err)
	}
}
