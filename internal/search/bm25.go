// Package search is a small in-memory full-text index with BM25 ranking. The whole curriculum
// fits in memory many times over, so a query is a few map lookups and a sort.
package search

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is one weighted piece of a document's text.
type Field struct {
	Text   string
	Weight float64
}

// Doc is one searchable item.
type Doc struct {
	Fields []Field
}

// Hit is a ranked result: the index of the document given to New, and its score.
type Hit struct {
	Doc   int
	Score float64
	All   bool // the document holds every query word
}

type posting struct {
	doc int
	tf  float64 // weighted term frequency
}

// Index is immutable once built and safe for concurrent use.
type Index struct {
	postings map[string][]posting
	prefixes []string // sorted vocabulary, for prefix matching of the last query word
	docLen   []float64
	avgLen   float64
	n        int
}

// BM25 parameters: the usual defaults.
const (
	k1 = 1.2
	b  = 0.75
)

// New builds an index over docs.
func New(docs []Doc) *Index {
	ix := &Index{postings: map[string][]posting{}, docLen: make([]float64, len(docs)), n: len(docs)}
	var total float64
	for i, d := range docs {
		tf := map[string]float64{}
		for _, f := range d.Fields {
			for _, tok := range Tokenize(f.Text) {
				tf[tok] += f.Weight
				ix.docLen[i] += f.Weight
			}
		}
		total += ix.docLen[i]
		terms := make([]string, 0, len(tf))
		for t := range tf {
			terms = append(terms, t)
		}
		sort.Strings(terms)
		for _, t := range terms {
			ix.postings[t] = append(ix.postings[t], posting{doc: i, tf: tf[t]})
		}
	}
	if ix.n > 0 {
		ix.avgLen = total / float64(ix.n)
	}
	for t := range ix.postings {
		ix.prefixes = append(ix.prefixes, t)
	}
	sort.Strings(ix.prefixes)
	return ix
}

// Search ranks documents for a free-text query. The last word also matches as a prefix so
// results appear while the learner types. At most limit hits are returned (all if limit <= 0).
func (ix *Index) Search(query string, limit int) []Hit {
	toks := Tokenize(query)
	if len(toks) == 0 || ix.n == 0 {
		return nil
	}
	scores := map[int]float64{}
	matched := map[int]int{}
	for i, tok := range toks {
		terms := []string{tok}
		if i == len(toks)-1 && !strings.HasSuffix(query, " ") {
			terms = ix.expandPrefix(tok)
		}
		seen := map[int]bool{}
		for _, term := range terms {
			ps := ix.postings[term]
			if len(ps) == 0 {
				continue
			}
			idf := math.Log(1 + (float64(ix.n)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
			boost := 1.0
			if term != tok {
				boost = 0.7 // a prefix match counts less than the whole word
			}
			for _, p := range ps {
				norm := p.tf * (k1 + 1) / (p.tf + k1*(1-b+b*ix.docLen[p.doc]/ix.avgLen))
				scores[p.doc] += boost * idf * norm
				if !seen[p.doc] {
					seen[p.doc] = true
					matched[p.doc]++
				}
			}
		}
	}
	hits := make([]Hit, 0, len(scores))
	for d, s := range scores {
		// Documents that contain every query word come first.
		if matched[d] == len(toks) {
			s += 1000
		}
		hits = append(hits, Hit{Doc: d, Score: s})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Doc < hits[j].Doc
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	for i := range hits {
		if hits[i].Score >= 1000 {
			hits[i].Score -= 1000
			hits[i].All = true
		}
	}
	return hits
}

func (ix *Index) expandPrefix(tok string) []string {
	i := sort.SearchStrings(ix.prefixes, tok)
	var out []string
	for ; i < len(ix.prefixes) && strings.HasPrefix(ix.prefixes[i], tok) && len(out) < 50; i++ {
		out = append(out, ix.prefixes[i])
	}
	if len(out) == 0 {
		return []string{tok}
	}
	return out
}

// stop words carry no meaning for ranking.
var stop = map[string]bool{"the": true, "a": true, "an": true, "and": true, "or": true, "of": true, "to": true,
	"in": true, "on": true, "for": true, "is": true, "it": true, "its": true, "as": true, "by": true, "with": true,
	"that": true, "this": true, "be": true, "are": true, "from": true, "at": true, "how": true, "what": true,
	"when": true, "which": true, "into": true, "can": true, "not": true, "your": true, "you": true}

// Tokenize lowercases and splits text into words; "AFD.sys" gives "afd" and "sys",
// "ws2_32" stays whole, and stop words are dropped.
func Tokenize(s string) []string {
	// Tokens are slices of the lowered text: no allocation per token (index building tokenizes
	// every topic at startup).
	low := strings.ToLower(s)
	out := make([]string, 0, len(low)/8)
	start := -1
	flush := func(end int) {
		if w := low[start:end]; !stop[w] {
			out = append(out, stem(w))
		}
		start = -1
	}
	for i, r := range low {
		word := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') ||
			r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if word {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(low))
	}
	return out
}

// stem folds the commonest English plural so "filters" finds "filter".
func stem(w string) string {
	if len(w) > 4 && strings.HasSuffix(w, "ies") {
		return w[:len(w)-3] + "y"
	}
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") {
		return w[:len(w)-1]
	}
	return w
}
