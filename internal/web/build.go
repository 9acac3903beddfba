package web

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"

	"ntatlas/internal/content"
	"ntatlas/internal/rank"
	"ntatlas/internal/search"
)

// state is one consistent snapshot of the site: the model and every page rendered from it.
// A reload builds a new state and swaps it in whole, so a request never sees half of each.
type state struct {
	site   *content.Site
	pages  map[string]*page // by URL path, with "?path=<id>" for a topic inside a path
	search *search.SiteIndex
	docs   *rank.DocIndex
}

func (s *Server) build(site *content.Site) (*state, error) {
	st := &state{site: site, pages: map[string]*page{}, search: search.NewSite(site), docs: rank.NewDocIndex(site)}
	// Pages render on every core; put only queues the work.
	var jobs []func() (string, *page, error)
	put := func(key, tmpl string, data any) error {
		jobs = append(jobs, func() (string, *page, error) {
			b, err := s.tmpl.render(tmpl, data)
			if err != nil {
				return "", nil, err
			}
			return key, newPage(b, "text/html; charset=utf-8"), nil
		})
		return nil
	}
	putTopic := func(key string, t *content.Topic, p *content.Path) {
		jobs = append(jobs, func() (string, *page, error) {
			b, err := s.tmpl.render("topic", s.topicView(st, t, p))
			if err != nil {
				return "", nil, err
			}
			return key, newPage(b, "text/html; charset=utf-8"), nil
		})
	}
	lv := func(title, desc, canonical, nav string) layoutView {
		return layoutView{Title: title, Description: desc, Canonical: canonical, Nav: nav, Assets: s.static.urls, Dev: s.cfg.Dev, Offline: s.cfg.Offline}
	}
	start := site.StartPath()

	if err := put("/", "home", homeView{layoutView: lv("", site.Home.Promise, "/", "home"), Site: site, Home: site.Home,
		Start: start, Deep: site.PathsOfKind(content.PathBranch)}); err != nil {
		return nil, err
	}
	if err := put("/explore", "explore", exploreView{layoutView: lv("Explore", "Every topic of NT Atlas: search, coverage, guided paths and the topic tree.", "/explore", "explore"),
		Site: site, Start: start, Branch: site.PathsOfKind(content.PathBranch), Journeys: site.PathsOfKind(content.PathJourney), Coverage: site.Coverage}); err != nil {
		return nil, err
	}
	if err := put("/paths", "paths", pathsView{layoutView: lv("Guided paths", "Curated routes through Windows internals, one step at a time.", "/paths", "paths"),
		Site: site, Start: start, Branch: site.PathsOfKind(content.PathBranch), Journeys: site.PathsOfKind(content.PathJourney)}); err != nil {
		return nil, err
	}
	for _, p := range site.Paths {
		if err := put(p.URL(), "path", pathView{layoutView: lv(p.Title, p.Summary, p.URL(), "paths"), P: p}); err != nil {
			return nil, err
		}
	}
	if err := put("/glossary", "glossary", glossaryView{layoutView: lv("Glossary", "Every key term of NT Atlas with its definition and the topics that explain it.", "/glossary", "glossary"),
		Letters: glossaryLetters(site.Glossary), Count: len(site.Glossary)}); err != nil {
		return nil, err
	}
	if err := put("/tools", "tools", toolsView{layoutView: lv("Labs", "Hands-on labs: in the browser and on your own Windows machine.", "/tools", "tools"), Labs: site.Labs}); err != nil {
		return nil, err
	}
	for _, l := range site.Labs {
		if err := put(l.URL(), "lab", labView{layoutView: lv(l.Title, l.Summary, l.URL(), "tools"), L: l}); err != nil {
			return nil, err
		}
	}
	for _, t := range site.Topics {
		putTopic(t.URL(), t, nil)
		for _, ps := range site.PathsOf(t) {
			putTopic(t.URL()+"?path="+ps.Path.ID, t, ps.Path)
		}
	}
	if err := runJobs(st, jobs); err != nil {
		return nil, err
	}
	return st, nil
}

func runJobs(st *state, jobs []func() (string, *page, error)) error {
	type out struct {
		key string
		p   *page
		err error
	}
	results := make([]out, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				k, p, err := jobs[i]()
				results[i] = out{k, p, err}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return r.err
		}
		st.pages[r.key] = r.p
	}
	return nil
}

func (s *Server) topicView(st *state, t *content.Topic, active *content.Path) topicView {
	site := st.site
	v := topicView{
		layoutView: layoutView{Title: t.Title, Description: t.Summary, Canonical: t.URL(), Nav: "explore", Assets: s.static.urls, Dev: s.cfg.Dev, Offline: s.cfg.Offline},
		T:          t, Crumbs: t.Ancestors(),
	}
	if active != nil {
		i := active.IndexOf(t)
		b := &banner{Path: active, Step: i + 1, Total: len(active.Steps)}
		if i+1 < len(active.Steps) {
			b.Next = active.Steps[i+1].Topic
		} else {
			b.Complete = true
		}
		if i > 0 {
			b.Prev = active.Steps[i-1].Topic
		}
		v.Banner = b
		v.PathQuery = "?path=" + active.ID
	}
	for _, ps := range site.PathsOf(t) {
		if ps.Path.Kind == content.PathStart {
			v.StartStep = ps.Index + 1
		}
		v.Paths = append(v.Paths, pathMembership{Path: ps.Path, Step: ps.Index + 1, Total: len(ps.Path.Steps)})
	}
	v.Docs = st.docs.Closest(t)
	v.Cards, v.RelatedRest = rank.ReadNext(site, t, active, nil)
	return v
}

func glossaryLetters(entries []*content.GlossaryEntry) []glossaryLetter {
	var out []glossaryLetter
	for _, e := range entries {
		r := []rune(strings.ToUpper(e.Term))[0]
		l := string(r)
		if !unicode.IsLetter(r) {
			l = "#"
		}
		if len(out) == 0 || out[len(out)-1].Letter != l {
			out = append(out, glossaryLetter{Letter: l})
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Letter < out[j].Letter })
	return out
}

func pageKey(path, pathID string) string {
	if pathID == "" {
		return path
	}
	return fmt.Sprintf("%s?path=%s", path, pathID)
}
