package web

import (
	"net/http"
	"net/url"
	"strings"

	"ntatlas/internal/content"
	"ntatlas/internal/rank"
	"ntatlas/internal/search"
)

// The JSON API mirrors the content model for integrations. It is read-only here; learner
// state has its own endpoints.

type apiTopicRef struct {
	Slug    string `json:"slug"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Level   string `json:"level"`
	URL     string `json:"url"`
}

type apiTopicListItem struct {
	apiTopicRef
	Parent   string   `json:"parent,omitempty"`
	Children []string `json:"children"`
	Depth    int      `json:"depth"`
}

type apiSection struct {
	Key   string `json:"key"`
	Title string `json:"title,omitempty"`
	HTML  string `json:"html"`
	Text  string `json:"text"`
}

type apiDoc struct {
	Title  string `json:"title"`
	URL    string `json:"url"`
	About  string `json:"about"`
	Pinned bool   `json:"pinned"`
}

type apiCard struct {
	Topic  apiTopicRef `json:"topic"`
	Reason string      `json:"reason"`
	Path   string      `json:"path,omitempty"`
}

type apiReadNext struct {
	Cards   []apiCard     `json:"cards"`
	Related []apiTopicRef `json:"related"`
}

type apiTopic struct {
	apiTopicRef
	Parent         *apiTopicRef    `json:"parent,omitempty"`
	Children       []apiTopicRef   `json:"children"`
	Related        []apiTopicRef   `json:"related"`
	Prerequisites  []apiTopicRef   `json:"prerequisites"`
	Sections       []apiSection    `json:"sections"`
	Terms          []content.Term  `json:"terms"`
	Blocks         []content.Block `json:"blocks"`
	Schematic      *apiSchematic   `json:"schematic,omitempty"`
	Docs           []apiDoc        `json:"docs"`
	Paths          []apiPathStep   `json:"paths"`
	Labs           []string        `json:"labs"`
	ReadingMinutes int             `json:"readingMinutes"`
	Checked        apiChecked      `json:"checked"`
	ReadNext       apiReadNext     `json:"readNext"`
}

type apiChecked struct {
	Windows  []string `json:"windows"`
	Reviewed string   `json:"reviewed"`
}

type apiSchematic struct {
	Title string    `json:"title"`
	Zones []apiZone `json:"zones"`
}

type apiZone struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
	Topic string `json:"topic,omitempty"`
}

type apiPathStep struct {
	Path  string `json:"path"`
	Step  int    `json:"step"`
	Total int    `json:"total"`
}

type apiPath struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Summary string    `json:"summary"`
	Kind    string    `json:"kind"`
	URL     string    `json:"url"`
	Steps   []apiStep `json:"steps"`
}

type apiStep struct {
	Topic apiTopicRef `json:"topic"`
	Why   string      `json:"why"`
}

func ref(t *content.Topic) apiTopicRef {
	return apiTopicRef{Slug: t.Slug, ID: t.ID, Title: t.Title, Summary: t.Summary, Level: t.Level.String(), URL: t.URL()}
}

func refs(ts []*content.Topic) []apiTopicRef {
	out := make([]apiTopicRef, 0, len(ts))
	for _, t := range ts {
		out = append(out, ref(t))
	}
	return out
}

func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/{$}", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, 200, map[string]any{"endpoints": []string{
			"/api/v1/topics", "/api/v1/topics/{slug}", "/api/v1/read-next/{slug}?path={id}", "/api/v1/paths",
			"/api/v1/paths/{id}", "/api/v1/glossary", "/api/v1/search?q={query}", "/api/v1/coverage", "/api/v1/labs"}})
		return nil
	}))
	mux.HandleFunc("GET /api/v1/topics", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		site := s.Site()
		out := make([]apiTopicListItem, 0, len(site.Topics))
		for _, t := range site.Topics {
			it := apiTopicListItem{apiTopicRef: ref(t), Depth: t.Depth, Children: []string{}}
			if t.Parent != nil {
				it.Parent = t.Parent.Slug
			}
			for _, c := range t.Children {
				it.Children = append(it.Children, c.Slug)
			}
			out = append(out, it)
		}
		writeJSON(w, 200, map[string]any{"topics": out})
		return nil
	}))
	mux.HandleFunc("GET /api/v1/topics/{slug...}", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		st := s.cur.Load()
		t, _ := st.site.Lookup(strings.Trim(r.PathValue("slug"), "/"))
		if t == nil {
			return notFound(r.URL.Path)
		}
		writeJSON(w, 200, s.apiTopic(st, t))
		return nil
	}))
	mux.HandleFunc("GET /api/v1/read-next/{slug...}", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		st := s.cur.Load()
		t, _ := st.site.Lookup(strings.Trim(r.PathValue("slug"), "/"))
		if t == nil {
			return notFound(r.URL.Path)
		}
		q, _ := url.ParseQuery(r.URL.RawQuery)
		writeJSON(w, 200, readNextJSON(st.site, t, activePath(st.site, t, q.Get("path"))))
		return nil
	}))
	mux.HandleFunc("GET /api/v1/paths", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		site := s.Site()
		out := make([]apiPath, 0, len(site.Paths))
		for _, p := range site.Paths {
			out = append(out, pathJSON(p))
		}
		writeJSON(w, 200, map[string]any{"paths": out})
		return nil
	}))
	mux.HandleFunc("GET /api/v1/paths/{id}", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		p := s.Site().PathByID[r.PathValue("id")]
		if p == nil {
			return notFound(r.URL.Path)
		}
		writeJSON(w, 200, pathJSON(p))
		return nil
	}))
	mux.HandleFunc("GET /api/v1/glossary", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		type entry struct {
			Term       string        `json:"term"`
			Definition string        `json:"definition"`
			Anchor     string        `json:"anchor"`
			Topics     []apiTopicRef `json:"topics"`
		}
		site := s.Site()
		out := make([]entry, 0, len(site.Glossary))
		for _, g := range site.Glossary {
			out = append(out, entry{Term: g.Term, Definition: g.Definition, Anchor: search.Anchor(g.Term), Topics: refs(g.Topics)})
		}
		writeJSON(w, 200, map[string]any{"terms": out})
		return nil
	}))
	mux.HandleFunc("GET /api/v1/search", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		q, _ := url.ParseQuery(r.URL.RawQuery)
		query := strings.TrimSpace(q.Get("q"))
		if query == "" {
			return badRequest("give a query: /api/v1/search?q=afd")
		}
		res := s.cur.Load().search.Search(query, MaxSearchResults)
		if res == nil {
			res = []search.Result{}
		}
		writeJSON(w, 200, map[string]any{"query": query, "results": res})
		return nil
	}))
	mux.HandleFunc("GET /api/v1/coverage", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		c := s.Site().Coverage
		writeJSON(w, 200, map[string]any{"branches": c.Branches, "topics": c.Topics,
			"byLevel":    map[string]int{"beginner": c.BeginnerCount, "intermediate": c.InterCount, "expert": c.ExpertCount},
			"schematics": c.Schematics, "withBuildingBlocks": c.WithBlocks, "terms": c.Terms, "paths": c.Paths, "labs": c.Labs,
			"officialDocs": c.OfficialDocs})
		return nil
	}))
	mux.HandleFunc("GET /api/v1/labs", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		type lab struct {
			Slug    string   `json:"slug"`
			Title   string   `json:"title"`
			Summary string   `json:"summary"`
			Kind    string   `json:"kind"`
			Engine  string   `json:"engine"`
			URL     string   `json:"url"`
			Topics  []string `json:"topics"`
		}
		out := []lab{}
		for _, l := range s.Site().Labs {
			var ts []string
			for _, t := range l.Topics {
				ts = append(ts, t.Slug)
			}
			out = append(out, lab{l.Slug, l.Title, l.Summary, l.Kind, l.Engine, l.URL(), ts})
		}
		writeJSON(w, 200, map[string]any{"labs": out})
		return nil
	}))
	mux.HandleFunc("POST /api/v1/labs/{engine}/{op}", s.handle(s.serveLabAPI))
	mux.HandleFunc("/api/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &httpError{Status: http.StatusNotFound, Code: "not_found", Message: "no such API endpoint; see /api/v1/"}
	}))
}

// activePath resolves ?path= for a topic: only a path that contains the topic is active.
func activePath(site *content.Site, t *content.Topic, id string) *content.Path {
	if p := site.PathByID[id]; p != nil && p.IndexOf(t) >= 0 {
		return p
	}
	return nil
}

func readNextJSON(site *content.Site, t *content.Topic, active *content.Path) apiReadNext {
	return readNextFor(site, t, active, nil)
}

// readNextFor ranks for a learner (nil: anyone).
func readNextFor(site *content.Site, t *content.Topic, active *content.Path, who rank.Learner) apiReadNext {
	cards, rest := rank.ReadNext(site, t, active, who)
	out := apiReadNext{Cards: []apiCard{}, Related: refs(rest)}
	for _, c := range cards {
		ac := apiCard{Topic: ref(c.Topic), Reason: string(c.Reason)}
		if c.Path != nil {
			ac.Path = c.Path.ID
		}
		out.Cards = append(out.Cards, ac)
	}
	return out
}

func pathJSON(p *content.Path) apiPath {
	ap := apiPath{ID: p.ID, Title: p.Title, Summary: p.Summary, Kind: string(p.Kind), URL: p.URL()}
	for _, st := range p.Steps {
		ap.Steps = append(ap.Steps, apiStep{Topic: ref(st.Topic), Why: st.Why})
	}
	return ap
}

// sectionOrder is the order sections appear on a topic page (PRODUCT.md §1.2).
var sectionOrder = []string{content.SecIn30, content.SecSelfCheck, content.SecWhy, content.SecModel, content.SecDeeper,
	content.SecHow, content.SecExample, content.SecMisconcept, content.SecExercise}

func (s *Server) apiTopic(st *state, t *content.Topic) apiTopic {
	at := apiTopic{apiTopicRef: ref(t), Children: refs(t.Children), Related: refs(t.Related), Prerequisites: refs(t.Prerequisites),
		Terms: t.Terms, Blocks: t.Blocks, ReadingMinutes: t.ReadingMinutes, Labs: []string{}, Paths: []apiPathStep{},
		Checked: apiChecked{Windows: t.Checked.Windows, Reviewed: t.Checked.Reviewed.Format("2006-01-02")}}
	if at.Terms == nil {
		at.Terms = []content.Term{}
	}
	if at.Blocks == nil {
		at.Blocks = []content.Block{}
	}
	if t.Parent != nil {
		p := ref(t.Parent)
		at.Parent = &p
	}
	for _, k := range sectionOrder {
		if sec := t.Section(k); sec != nil {
			at.Sections = append(at.Sections, apiSection{Key: k, Title: sec.Title, HTML: string(sec.HTML), Text: sec.Text})
		}
	}
	if t.Schematic != nil {
		sc := &apiSchematic{Title: t.Schematic.Title}
		for _, z := range t.Schematic.Zones {
			az := apiZone{ID: z.ID, Title: z.Title, Text: z.Text}
			if z.Topic != nil {
				az.Topic = z.Topic.Slug
			}
			sc.Zones = append(sc.Zones, az)
		}
		at.Schematic = sc
	}
	for _, d := range st.docs.Closest(t) {
		at.Docs = append(at.Docs, apiDoc{Title: d.Doc.Title, URL: d.Doc.URL, About: d.Doc.About, Pinned: d.Pinned})
	}
	for _, ps := range st.site.PathsOf(t) {
		at.Paths = append(at.Paths, apiPathStep{Path: ps.Path.ID, Step: ps.Index + 1, Total: len(ps.Path.Steps)})
	}
	for _, l := range t.Labs {
		at.Labs = append(at.Labs, l.Slug)
	}
	at.ReadNext = readNextJSON(st.site, t, nil)
	return at
}
