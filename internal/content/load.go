package content

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

type topicFM struct {
	ID            str      `yaml:"id"`
	Title         str      `yaml:"title"`
	Summary       str      `yaml:"summary"`
	Level         str      `yaml:"level"`
	Order         int      `yaml:"order"`
	Related       []str    `yaml:"related"`
	Prerequisites []str    `yaml:"prerequisites"`
	Labs          []str    `yaml:"labs"`
	Aliases       []str    `yaml:"aliases"`
	Checked       *checkFM `yaml:"checked"`
	Docs          []str    `yaml:"docs"`
	Terms         []termFM `yaml:"terms"`
	Blocks        []blkFM  `yaml:"blocks"`
	Schematic     *schemFM `yaml:"schematic"`
}

type checkFM struct {
	Windows  []str `yaml:"windows"`
	Reviewed date  `yaml:"reviewed"`
}

type termFM struct {
	Term       str `yaml:"term"`
	Definition str `yaml:"definition"`
}

type blkFM struct {
	Kind str    `yaml:"kind"`
	Name str    `yaml:"name"`
	Path string `yaml:"path"`
	Role str    `yaml:"role"`
}

type schemFM struct {
	Title str      `yaml:"title"`
	Zones []zoneFM `yaml:"zones"`
}

type zoneFM struct {
	ID    str `yaml:"id"`
	Title str `yaml:"title"`
	Text  str `yaml:"text"`
	Topic str `yaml:"topic"`
}

type pathFM struct {
	Title   str      `yaml:"title"`
	Summary str      `yaml:"summary"`
	Kind    str      `yaml:"kind"`
	Steps   []stepFM `yaml:"steps"`
}

type stepFM struct {
	Topic str `yaml:"topic"`
	Why   str `yaml:"why"`
}

type docFM struct {
	Title str   `yaml:"title"`
	URL   str   `yaml:"url"`
	About str   `yaml:"about"`
	Tags  []str `yaml:"tags"`
}

type labFM struct {
	Title   str   `yaml:"title"`
	Summary str   `yaml:"summary"`
	Kind    str   `yaml:"kind"`
	Engine  str   `yaml:"engine"`
	Topics  []str `yaml:"topics"`
	Windows struct {
		Intro string `yaml:"intro"`
		Steps []struct {
			Title    str    `yaml:"title"`
			Command  str    `yaml:"command"`
			Explains string `yaml:"explains"`
		} `yaml:"steps"`
	} `yaml:"windows"`
}

type homeFM struct {
	Promise  str      `yaml:"promise"`
	Lanes    []laneFM `yaml:"lanes"`
	Boundary blockFM  `yaml:"boundary"`
}

type laneFM struct {
	ID     str       `yaml:"id"`
	Title  str       `yaml:"title"`
	Blocks []blockFM `yaml:"blocks"`
}

type blockFM struct {
	ID    str `yaml:"id"`
	Title str `yaml:"title"`
	Text  str `yaml:"text"`
	Topic str `yaml:"topic"`
}

// pending holds what a topic file said, before cross references are resolved.
type pending struct {
	t    *Topic
	fm   topicFM
	fmAt int // line of the first front-matter line
	// links found in the Markdown, checked once every topic is known
	links []link
}

var (
	idRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*){0,3}$`)
)

// MaxDepth is how deep topics may nest below a branch root (/explore/a/b/c).
const MaxDepth = 2

// Load reads and validates all content in fsys. On any problem it returns Problems, each as
// file:line: message; the Site is only returned when the content is entirely valid.
func Load(fsys fs.FS) (*Site, error) {
	r := &report{}
	s := newSite()

	var files []string
	_ = fs.WalkDir(fsys, "topics", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			r.add(p, 0, "cannot read: %v", err)
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	pend := loadTopics(r, fsys, files)
	if len(pend) == 0 {
		r.add("topics", 0, "no topics found")
	}

	// Index by slug and id.
	for _, pe := range pend {
		t := pe.t
		if prev, ok := s.BySlug[t.Slug]; ok {
			r.add(t.File, 1, "duplicate slug %q (also %s)", t.Slug, prev.File)
			continue
		}
		if prev, ok := s.ByID[t.ID]; ok && t.ID != "" {
			r.add(t.File, pe.fm.ID.Line, "duplicate id %q (also %s)", t.ID, prev.File)
		}
		s.BySlug[t.Slug] = t
		if t.ID != "" {
			s.ByID[t.ID] = t
		}
	}

	loadDocs(r, fsys, s)
	loadLabsFiles(r, fsys, s)

	// Parents and children.
	for _, pe := range pend {
		t := pe.t
		if s.BySlug[t.Slug] != t {
			continue
		}
		if i := strings.LastIndexByte(t.Slug, '/'); i >= 0 {
			parent := s.BySlug[t.Slug[:i]]
			if parent == nil {
				r.add(t.File, 1, "topic %q has no parent topic %q (add %s/_index.md)", t.Slug, t.Slug[:i], t.Slug[:i])
				continue
			}
			t.Parent = parent
			parent.Children = append(parent.Children, t)
		} else {
			s.Branches = append(s.Branches, t)
		}
	}
	for _, pe := range pend {
		t := pe.t
		for p := t.Parent; p != nil; p = p.Parent {
			t.Depth++
		}
	}
	sortTopics(s.Branches)
	for _, t := range s.BySlug {
		sortTopics(t.Children)
	}
	var walk func(ts []*Topic)
	walk = func(ts []*Topic) {
		for _, t := range ts {
			s.Topics = append(s.Topics, t)
			walk(t.Children)
		}
	}
	walk(s.Branches)

	for _, pe := range pend {
		if s.BySlug[pe.t.Slug] == pe.t {
			resolveTopic(r, s, pe)
		}
	}
	loadPaths(r, fsys, s)
	loadHome(r, fsys, s)
	validateGraph(r, s, pend)

	if len(r.list) > 0 {
		return nil, r.list.sorted()
	}
	s.finish()
	return s, nil
}

// loadTopics parses topic files on every core: each file is independent until cross
// references are resolved. Results and problems keep file order, so output is deterministic.
func loadTopics(r *report, fsys fs.FS, files []string) []*pending {
	type result struct {
		pe   *pending
		list Problems
	}
	results := make([]result, len(files))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			md := newMarkdown()
			for i := range next {
				fr := &report{}
				results[i] = result{pe: loadTopic(fr, md, fsys, files[i]), list: fr.list}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	var pend []*pending
	for _, res := range results {
		r.list = append(r.list, res.list...)
		if res.pe != nil {
			pend = append(pend, res.pe)
		}
	}
	return pend
}

func sortTopics(ts []*Topic) {
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Order != ts[j].Order {
			return ts[i].Order < ts[j].Order
		}
		if ts[i].Title != ts[j].Title {
			return ts[i].Title < ts[j].Title
		}
		return ts[i].Slug < ts[j].Slug
	})
}

// slugFor maps topics/a/b.md and topics/a/b/_index.md to a/b.
func slugFor(p string) string {
	s := strings.TrimPrefix(p, "topics/")
	s = strings.TrimSuffix(s, ".md")
	s = strings.TrimSuffix(s, "/_index")
	return s
}

// splitFrontMatter returns the YAML between the leading --- lines, the line the YAML starts on,
// the body, and the line the body starts on.
func splitFrontMatter(data []byte) (fm []byte, fmLine int, body []byte, bodyLine int, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !bytes.HasPrefix(data, []byte("---\n")) && !bytes.HasPrefix(data, []byte("---\r\n")) {
		return nil, 0, nil, 0, false
	}
	rest := data[bytes.IndexByte(data, '\n')+1:]
	line := 2
	off := 0
	for off < len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var ln []byte
		if end < 0 {
			ln = rest[off:]
		} else {
			ln = rest[off : off+end]
		}
		if string(bytes.TrimRight(ln, "\r ")) == "---" {
			fm = rest[:off]
			if end < 0 {
				return fm, 2, nil, line + 1, true
			}
			return fm, 2, rest[off+end+1:], line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, 0, nil, 0, false
}

func loadTopic(r *report, md *markdown, fsys fs.FS, p string) *pending {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		r.add(p, 0, "cannot read: %v", err)
		return nil
	}
	if !utf8.Valid(data) {
		r.add(p, 0, "not valid UTF-8")
		return nil
	}
	slug := slugFor(p)
	if !slugRe.MatchString(slug) {
		r.add(p, 0, "file name gives slug %q: use lowercase letters, digits and hyphens, at most %d levels below the branch", slug, MaxDepth)
		return nil
	}
	fmData, fmLine, body, bodyLine, ok := splitFrontMatter(data)
	if !ok {
		r.add(p, 1, "missing YAML front matter: the file must start with a line \"---\" and the front matter must end with another")
		return nil
	}
	pe := &pending{fmAt: fmLine}
	// Pad with blank lines so YAML line numbers are file line numbers.
	padded := append([]byte(strings.Repeat("\n", fmLine-1)), fmData...)
	if !decodeYAML(r, p, padded, 0, &pe.fm) {
		return nil
	}
	fm := &pe.fm
	t := &Topic{
		ID: fm.ID.V, Slug: slug, Title: strings.TrimSpace(fm.Title.V), Summary: strings.TrimSpace(fm.Summary.V),
		Order: fm.Order, File: p, Sections: map[string]*Section{},
	}
	pe.t = t
	need := func(v str, field string) {
		if strings.TrimSpace(v.V) == "" {
			r.add(p, fmLine, "missing required field %q", field)
		}
	}
	need(fm.ID, "id")
	need(fm.Title, "title")
	need(fm.Summary, "summary")
	need(fm.Level, "level")
	if fm.ID.V != "" && !idRe.MatchString(fm.ID.V) {
		r.add(p, fm.ID.Line, "id %q: use lowercase letters, digits and hyphens", fm.ID.V)
	}
	if fm.Level.V != "" {
		if l, ok := levelNames[fm.Level.V]; ok {
			t.Level = l
		} else {
			r.add(p, fm.Level.Line, "level %q: want beginner, intermediate or expert", fm.Level.V)
		}
	}
	if n := utf8.RuneCountInString(t.Summary); t.Summary != "" && (n < 20 || n > 200) {
		r.add(p, fm.Summary.Line, "summary is %d characters: keep it between 20 and 200", n)
	}
	if fm.Checked == nil {
		r.add(p, fmLine, "missing required field \"checked\" (windows versions and reviewed date)")
	} else {
		if len(fm.Checked.Windows) == 0 {
			r.add(p, fmLine, "checked.windows: list the Windows versions the text was checked against")
		}
		for _, w := range fm.Checked.Windows {
			t.Checked.Windows = append(t.Checked.Windows, w.V)
		}
		if fm.Checked.Reviewed.T.IsZero() {
			r.add(p, fmLine, "checked.reviewed: give the date of the last review (YYYY-MM-DD)")
		}
		t.Checked.Reviewed = fm.Checked.Reviewed.T
	}
	for _, a := range fm.Aliases {
		if !slugRe.MatchString(a.V) {
			r.add(p, a.Line, "alias %q is not a valid slug", a.V)
		}
		t.Aliases = append(t.Aliases, a.V)
	}
	for _, tm := range fm.Terms {
		if strings.TrimSpace(tm.Term.V) == "" || strings.TrimSpace(tm.Definition.V) == "" {
			line := tm.Term.Line
			if line == 0 {
				line = tm.Definition.Line
			}
			r.add(p, line, "key term needs both a term and a definition")
			continue
		}
		t.Terms = append(t.Terms, Term{Term: strings.TrimSpace(tm.Term.V), Definition: strings.TrimSpace(tm.Definition.V), Line: tm.Term.Line})
	}
	if n := len(fm.Terms); n > 0 && (n < MinTerms || n > MaxTerms) {
		r.add(p, fm.Terms[0].Term.Line, "%d key terms: give %d to %d, the ones a reader must know for this topic", n, MinTerms, MaxTerms)
	}
	for _, b := range fm.Blocks {
		switch b.Kind.V {
		case "file", "process", "service", "component", "registry":
		default:
			r.add(p, b.Kind.Line, "building block kind %q: want file, process, service, component or registry", b.Kind.V)
		}
		if strings.TrimSpace(b.Name.V) == "" || strings.TrimSpace(b.Role.V) == "" {
			r.add(p, b.Kind.Line, "building block needs a name and a role")
		}
		t.Blocks = append(t.Blocks, Block{Kind: b.Kind.V, Name: b.Name.V, Path: b.Path, Role: b.Role.V})
	}

	// Body sections.
	pre, raws := splitSections(body, bodyLine)
	if pre > 0 {
		r.add(p, pre, "text before the first \"## \" section heading")
	}
	var words int
	for _, rs := range raws {
		key, title := sectionKey(rs.Heading)
		if key == "" {
			r.add(p, rs.Line, "unknown section %q: use one of In 30 seconds, You understand this if, Why it matters, Mental model, Go one level deeper, How it works, Example: <situation>, Common misconception, Guided exercise", rs.Heading)
			continue
		}
		if _, dup := t.Sections[key]; dup {
			r.add(p, rs.Line, "section %q appears twice", rs.Heading)
			continue
		}
		if key == SecExample && strings.TrimSpace(title) == "" {
			r.add(p, rs.Line, "the example heading must name the situation: \"## Example: ...\"")
		}
		if strings.TrimSpace(string(rs.Body)) == "" {
			r.add(p, rs.Line, "section %q is empty", rs.Heading)
			continue
		}
		for _, ln := range strings.Split(string(rs.Body), "\n") {
			if strings.HasPrefix(ln, "# ") {
				r.add(p, rs.Line, "level-1 heading inside section %q: topics get their title from the front matter", rs.Heading)
				break
			}
		}
		if lim, ok := listLimits[key]; ok {
			if n := countItems(rs.Body, lim.ordered); n < lim.min || n > lim.max {
				r.add(p, rs.Line, "section %q has %d %s: give %d to %d", rs.Heading, n, lim.what, lim.min, lim.max)
			}
		}
		html, plain, links, err := md.render(rs.Body, rs.Line+1)
		if err != nil {
			r.add(p, rs.Line, "cannot render Markdown: %v", err)
			continue
		}
		pe.links = append(pe.links, links...)
		t.Sections[key] = &Section{Title: strings.TrimSpace(title), HTML: html, Text: plain, Line: rs.Line}
		words += len(strings.Fields(plain))
	}
	t.Words = words + len(strings.Fields(t.Summary))
	for _, tm := range t.Terms {
		t.Words += len(strings.Fields(tm.Definition)) + 1
	}
	t.ReadingMinutes = (t.Words + 199) / 200
	if t.ReadingMinutes < 1 {
		t.ReadingMinutes = 1
	}
	return pe
}

func sectionKey(h string) (key, title string) {
	if k, ok := sectionHeadings[h]; ok {
		return k, ""
	}
	if rest, ok := strings.CutPrefix(h, "Example:"); ok {
		return SecExample, rest
	}
	return "", ""
}

// resolveTopic turns slugs and URLs in a topic's front matter into pointers.
func resolveTopic(r *report, s *Site, pe *pending) {
	t, fm, p := pe.t, &pe.fm, pe.t.File
	ref := func(v str, what string) *Topic {
		u := s.BySlug[v.V]
		if u == nil {
			r.add(p, v.Line, "%s %q: no such topic%s", what, v.V, suggest(s, v.V))
			return nil
		}
		if u == t {
			r.add(p, v.Line, "%s %q: a topic cannot refer to itself", what, v.V)
			return nil
		}
		return u
	}
	seen := map[*Topic]bool{}
	for _, v := range fm.Related {
		if u := ref(v, "related"); u != nil {
			if seen[u] {
				r.add(p, v.Line, "related %q listed twice", v.V)
				continue
			}
			seen[u] = true
			t.Related = append(t.Related, u)
			u.Incoming = append(u.Incoming, t)
		}
	}
	for _, v := range fm.Prerequisites {
		if u := ref(v, "prerequisite"); u != nil {
			t.Prerequisites = append(t.Prerequisites, u)
		}
	}
	for _, v := range fm.Labs {
		l := s.LabBySlug[v.V]
		if l == nil {
			r.add(p, v.Line, "lab %q: no such lab in labs/", v.V)
			continue
		}
		t.Labs = append(t.Labs, l)
	}
	for _, v := range fm.Docs {
		d := s.DocByURL[v.V]
		if d == nil {
			r.add(p, v.Line, "doc %q is not in the docs catalog (add it to a file in docs/)", v.V)
			continue
		}
		t.Docs = append(t.Docs, d)
	}
	if fm.Schematic != nil {
		sc := &Schematic{Title: fm.Schematic.Title.V}
		if sc.Title == "" {
			r.add(p, pe.fmAt, "schematic needs a title")
		}
		if n := len(fm.Schematic.Zones); n < 3 || n > 5 {
			r.add(p, fm.Schematic.Title.Line, "schematic has %d zones: give it 3 to 5", n)
		}
		ids := map[string]bool{}
		for _, z := range fm.Schematic.Zones {
			if !idRe.MatchString(z.ID.V) {
				r.add(p, z.ID.Line, "schematic zone id %q: use lowercase letters, digits and hyphens", z.ID.V)
			}
			if ids[z.ID.V] {
				r.add(p, z.ID.Line, "schematic zone id %q used twice", z.ID.V)
			}
			ids[z.ID.V] = true
			if strings.TrimSpace(z.Title.V) == "" || strings.TrimSpace(z.Text.V) == "" {
				r.add(p, z.ID.Line, "schematic zone %q needs a title and a text", z.ID.V)
			}
			zone := Zone{ID: z.ID.V, Title: z.Title.V, Text: z.Text.V}
			if z.Topic.V == "" {
				// A zone is a way into the curriculum: it must say where to read more.
				r.add(p, z.ID.Line, "schematic zone %q needs a topic: (the slug where the reader learns more)", z.ID.V)
			} else {
				zone.Topic = s.BySlug[z.Topic.V]
				if zone.Topic == nil {
					r.add(p, z.Topic.Line, "schematic zone %q points to %q: no such topic%s", z.ID.V, z.Topic.V, suggest(s, z.Topic.V))
				}
			}
			sc.Zones = append(sc.Zones, zone)
		}
		t.Schematic = sc
	}
	for _, l := range pe.links {
		checkLink(r, s, p, l)
	}
}

func checkLink(r *report, s *Site, file string, l link) {
	u, err := url.Parse(l.Dest)
	if err != nil {
		r.add(file, l.Line, "link %q is not a valid URL", l.Dest)
		return
	}
	switch {
	case u.Scheme == "" && strings.HasPrefix(u.Path, "/explore/"):
		slug := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/explore/"), "/")
		if s.BySlug[slug] == nil {
			r.add(file, l.Line, "link to %s: no such topic%s", u.Path, suggest(s, slug))
		}
	case u.Scheme == "" && strings.HasPrefix(u.Path, "/tools/"):
		if s.LabBySlug[strings.TrimPrefix(u.Path, "/tools/")] == nil {
			r.add(file, l.Line, "link to %s: no such lab", u.Path)
		}
	case u.Scheme == "http":
		r.add(file, l.Line, "link %q: use https", l.Dest)
	case u.Scheme == "https" || u.Scheme == "mailto":
	case u.Scheme == "" && (u.Path == "/" || strings.HasPrefix(u.Path, "/paths/") || u.Path == "/glossary" || u.Path == "/explore" || u.Path == "/tools" || (u.Path == "" && u.Fragment != "")):
	default:
		r.add(file, l.Line, "link %q: link to a topic as /explore/<slug>, or to an https URL", l.Dest)
	}
}

// suggest returns ", did you mean x?" for a near miss.
func suggest(s *Site, slug string) string {
	best, bestD := "", 4
	for k := range s.BySlug {
		if d := editDistance(k, slug); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" {
		base := path.Base(slug)
		for k := range s.BySlug {
			if path.Base(k) == base {
				return fmt.Sprintf(" (did you mean %q?)", k)
			}
		}
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if a == b {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Key terms per topic: enough to anchor the topic, few enough to stay key.
const (
	MinTerms = 2
	MaxTerms = 4
)

// listLimits are the shapes of the list sections: How it works is 3-5 numbered steps, the
// self-check 3-5 statements.
var listLimits = map[string]struct {
	ordered  bool
	min, max int
	what     string
}{
	SecHow:       {true, 3, 5, "numbered steps"},
	SecSelfCheck: {false, 3, 5, "bullet points"},
}

var (
	orderedItem   = regexp.MustCompile(`(?m)^\d{1,3}[.)] `)
	unorderedItem = regexp.MustCompile(`(?m)^[-*+] `)
)

// countItems counts top-level list items (at column 0), outside fenced code.
func countItems(body []byte, ordered bool) int {
	re := unorderedItem
	if ordered {
		re = orderedItem
	}
	n, fence := 0, ""
	for _, ln := range strings.Split(string(body), "\n") {
		if f := fenceMarker(ln); f != "" {
			if fence == "" {
				fence = f
			} else if strings.HasPrefix(strings.TrimSpace(ln), fence) {
				fence = ""
			}
			continue
		}
		if fence == "" && re.MatchString(ln) {
			n++
		}
	}
	return n
}
