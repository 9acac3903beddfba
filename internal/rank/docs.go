package rank

import (
	"strings"

	"ntatlas/internal/content"
	"ntatlas/internal/search"
)

// DocIndex finds the official references closest to a topic's text.
type DocIndex struct {
	docs []*content.Doc
	ix   *search.Index
}

// NewDocIndex indexes the catalog: title and tags weigh more than the description.
func NewDocIndex(s *content.Site) *DocIndex {
	sd := make([]search.Doc, len(s.Docs))
	for i, d := range s.Docs {
		sd[i] = search.Doc{Fields: []search.Field{
			{Text: d.Title, Weight: 3},
			{Text: strings.ReplaceAll(strings.Join(d.Tags, " "), "-", " "), Weight: 2},
			{Text: d.About, Weight: 1},
		}}
	}
	return &DocIndex{docs: s.Docs, ix: search.New(sd)}
}

// MaxDocs caps the references shown on a topic page.
const MaxDocs = 6

// ClosestDoc is a reference with whether the author pinned it.
type ClosestDoc struct {
	Doc    *content.Doc
	Pinned bool
}

// Closest returns the pinned references first, then catalog entries ranked by BM25 similarity
// to the topic's title, summary and key terms, up to MaxDocs. Weak matches are left out: a
// similar-sounding page is worse than none.
func (di *DocIndex) Closest(t *content.Topic) []ClosestDoc {
	var out []ClosestDoc
	seen := map[*content.Doc]bool{}
	for _, d := range t.Docs {
		if !seen[d] {
			seen[d] = true
			out = append(out, ClosestDoc{Doc: d, Pinned: true})
		}
	}
	if len(out) >= MaxDocs {
		return out[:MaxDocs]
	}
	var q strings.Builder
	q.WriteString(t.Title + " " + t.Summary)
	for _, tm := range t.Terms {
		q.WriteString(" " + tm.Term)
	}
	q.WriteString(" ")
	hits := di.ix.Search(q.String(), 0)
	if len(hits) == 0 {
		return out
	}
	best := hits[0].Score
	for _, h := range hits {
		if len(out) >= MaxDocs || h.Score < best*0.6 {
			break
		}
		d := di.docs[h.Doc]
		if !seen[d] {
			seen[d] = true
			out = append(out, ClosestDoc{Doc: d})
		}
	}
	return out
}
