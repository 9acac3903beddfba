package search

import (
	"sort"
	"strings"
	"unicode/utf8"

	"ntatlas/internal/content"
)

// Kind says what a result points at.
type Kind string

const (
	KindTopic Kind = "topic"
	KindTerm  Kind = "term"
	KindLab   Kind = "lab"
	KindPath  Kind = "path"
)

// Result is one search result, ready to show.
type Result struct {
	Kind    Kind      `json:"kind"`
	Title   string    `json:"title"`
	URL     string    `json:"url"`
	Level   string    `json:"level,omitempty"`
	Summary string    `json:"summary"`
	Snippet []Segment `json:"snippet"`
	Score   float64   `json:"score"`
}

// Segment is a piece of a snippet; Match marks the words the query found, so templates can
// highlight them without building HTML by hand.
type Segment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

type item struct {
	kind    Kind
	title   string
	url     string
	level   string
	summary string
	body    string
	words   [][2]int // word spans of body, computed once at index time
}

// SiteIndex searches topics, key terms, building blocks, labs and paths.
type SiteIndex struct {
	items []item
	ix    *Index
}

// NewSite indexes the whole site.
func NewSite(s *content.Site) *SiteIndex {
	var items []item
	var docs []Doc
	for _, t := range s.Topics {
		var body, terms, blocks strings.Builder
		for _, k := range []string{content.SecIn30, content.SecWhy, content.SecModel, content.SecDeeper, content.SecHow, content.SecExample, content.SecMisconcept} {
			if sec := t.Section(k); sec != nil {
				body.WriteString(sec.Title + " " + sec.Text + " ")
			}
		}
		for _, tm := range t.Terms {
			terms.WriteString(tm.Term + " " + tm.Definition + " ")
		}
		for _, b := range t.Blocks {
			blocks.WriteString(b.Name + " " + b.Path + " " + b.Role + " ")
		}
		if t.Schematic != nil {
			for _, z := range t.Schematic.Zones {
				blocks.WriteString(z.Title + " " + z.Text + " ")
			}
		}
		items = append(items, item{kind: KindTopic, title: t.Title, url: t.URL(), level: t.Level.String(), summary: t.Summary,
			body: t.Summary + " " + body.String() + terms.String() + blocks.String()})
		docs = append(docs, Doc{Fields: []Field{
			{Text: t.Title, Weight: 8}, {Text: t.Summary, Weight: 4}, {Text: terms.String(), Weight: 3},
			{Text: blocks.String(), Weight: 2}, {Text: body.String(), Weight: 1},
		}})
	}
	for _, g := range s.Glossary {
		url := "/glossary#" + Anchor(g.Term)
		items = append(items, item{kind: KindTerm, title: g.Term, url: url, summary: g.Definition, body: g.Definition})
		docs = append(docs, Doc{Fields: []Field{{Text: g.Term, Weight: 6}, {Text: g.Definition, Weight: 1}}})
	}
	for _, l := range s.Labs {
		items = append(items, item{kind: KindLab, title: l.Title, url: l.URL(), summary: l.Summary, body: l.Summary})
		docs = append(docs, Doc{Fields: []Field{{Text: l.Title, Weight: 6}, {Text: l.Summary, Weight: 2}}})
	}
	for _, p := range s.Paths {
		items = append(items, item{kind: KindPath, title: p.Title, url: p.URL(), summary: p.Summary, body: p.Summary})
		docs = append(docs, Doc{Fields: []Field{{Text: p.Title, Weight: 5}, {Text: p.Summary, Weight: 2}}})
	}
	for i := range items {
		items[i].words = wordSpans(items[i].body)
	}
	return &SiteIndex{items: items, ix: New(docs)}
}

var kindBoost = map[Kind]float64{KindTopic: 1.25, KindLab: 1.1, KindPath: 1.0, KindTerm: 1.0}

// MaxQuery bounds the query length we look at; longer input is cut, not rejected.
const MaxQuery = 200

// Search returns up to limit results with snippets.
func (si *SiteIndex) Search(q string, limit int) []Result {
	if len(q) > MaxQuery {
		q = q[:MaxQuery]
		for !utf8.ValidString(q) && len(q) > 0 {
			q = q[:len(q)-1]
		}
	}
	toks := Tokenize(q)
	hits := si.ix.Search(q, 0)
	// A topic is the fuller answer to a query that also names a glossary term or a lab.
	for i := range hits {
		hits[i].Score *= kindBoost[si.items[hits[i].Doc].kind]
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].All != hits[j].All {
			return hits[i].All
		}
		return hits[i].Score > hits[j].Score
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Result, 0, len(hits))
	for _, h := range hits {
		it := si.items[h.Doc]
		out = append(out, Result{Kind: it.kind, Title: it.title, URL: it.url, Level: it.level, Summary: it.summary,
			Snippet: snippet(it.body, it.words, toks, 180), Score: h.Score})
	}
	return out
}

// Anchor makes a fragment id from a glossary term.
func Anchor(term string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(term) {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return "term-" + strings.TrimSuffix(b.String(), "-")
}

// Snippet cuts about width bytes of text around the first query word it holds and marks
// every occurrence of the query words.
func Snippet(text string, toks []string, width int) []Segment {
	return snippet(text, wordSpans(text), toks, width)
}

func snippet(text string, words [][2]int, toks []string, width int) []Segment {
	if text == "" {
		return nil
	}
	first := -1
	for i, w := range words {
		if matchesAny(text[w[0]:w[1]], toks) {
			first = i
			break
		}
	}
	start, end := 0, len(text)
	if first >= 0 {
		start = words[first][0] - width/3
	}
	if start < 0 {
		start = 0
	}
	for start > 0 && !utf8.RuneStart(text[start]) {
		start++
	}
	// begin at a word boundary
	if start > 0 {
		if i := strings.IndexByte(text[start:], ' '); i >= 0 && i < 30 {
			start += i + 1
		}
	}
	if end > start+width {
		end = start + width
		if i := strings.LastIndexByte(text[start:end], ' '); i > width/2 {
			end = start + i
		}
	}
	var segs []Segment
	if start > 0 {
		segs = append(segs, Segment{Text: "…"})
	}
	pos := start
	for _, w := range words {
		if w[0] < start || w[1] > end {
			continue
		}
		if matchesAny(text[w[0]:w[1]], toks) {
			if w[0] > pos {
				segs = append(segs, Segment{Text: text[pos:w[0]]})
			}
			segs = append(segs, Segment{Text: text[w[0]:w[1]], Match: true})
			pos = w[1]
		}
	}
	if pos < end {
		segs = append(segs, Segment{Text: text[pos:end]})
	}
	if end < len(text) {
		segs = append(segs, Segment{Text: "…"})
	}
	return segs
}

// matchesAny reports whether a word of the text starts with one of the query tokens,
// comparing case-insensitively without allocating (this runs for every word of a snippet).
func matchesAny(word string, toks []string) bool {
	for _, t := range toks {
		if len(word) >= len(t) && strings.EqualFold(word[:len(t)], t) {
			return true
		}
	}
	return false
}

func wordSpans(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		isWord := r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80
		if isWord && start < 0 {
			start = i
		} else if !isWord && start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}
