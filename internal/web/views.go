package web

import (
	"html/template"

	"ntatlas/internal/content"
	"ntatlas/internal/rank"
	"ntatlas/internal/search"
)

// Everything a template sees is built here, before rendering, so templates stay declarative.

type layoutView struct {
	Title       string
	Description string
	Canonical   string
	Nav         string // which top-level section is active
	Assets      assets
	Dev         bool
	Offline     bool // a static copy: hide what needs the server (progress, search)
}

type assets struct {
	CSS, JS, ThemeJS, DevJS string // fingerprinted URLs
}

type banner struct {
	Path     *content.Path
	Step     int // 1-based
	Total    int
	Next     *content.Topic
	Prev     *content.Topic
	Complete bool
}

type pathMembership struct {
	Path  *content.Path
	Step  int // 1-based
	Total int
}

type topicView struct {
	layoutView
	T           *content.Topic
	Crumbs      []*content.Topic
	Banner      *banner
	StartStep   int // step in the beginner path, 0 when not in it
	Paths       []pathMembership
	Docs        []rank.ClosestDoc
	Cards       []rank.Card
	RelatedRest []*content.Topic
	PathQuery   string // "?path=<id>" to keep the active path on links, or ""
	Sections    []topicSection
}

// topicSection is a body section in page order, with the heading the page shows.
type topicSection struct {
	Key     string
	Heading string
	HTML    template.HTML
}

type exploreView struct {
	layoutView
	Site     *content.Site
	Start    *content.Path
	Branch   []*content.Path
	Journeys []*content.Path
	Coverage content.Coverage
}

type homeView struct {
	layoutView
	Site  *content.Site
	Home  *content.Home
	Start *content.Path
	Deep  []*content.Path
}

type pathsView struct {
	layoutView
	Site     *content.Site
	Start    *content.Path
	Branch   []*content.Path
	Journeys []*content.Path
}

type pathView struct {
	layoutView
	P *content.Path
}

type glossaryView struct {
	layoutView
	Letters []glossaryLetter
	Count   int
}

type glossaryLetter struct {
	Letter  string
	Entries []*content.GlossaryEntry
}

type toolsView struct {
	layoutView
	Labs []*content.Lab
}

type labView struct {
	layoutView
	L *content.Lab
}

type searchView struct {
	layoutView
	Query   string
	Results []search.Result
	TooLong bool
}

type errorView struct {
	layoutView
	Status      int
	Heading     string
	Message     string
	Suggestions []search.Result
	Query       string
}
