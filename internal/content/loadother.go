package content

import (
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
)

var microsoftHosts = []string{"learn.microsoft.com", "support.microsoft.com", "techcommunity.microsoft.com", "devblogs.microsoft.com", "www.microsoft.com", "msrc.microsoft.com"}

func isMicrosoftURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return false
	}
	for _, h := range microsoftHosts {
		if u.Host == h {
			return true
		}
	}
	return false
}

func yamlFiles(r *report, fsys fs.FS, dir string) []string {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		switch path.Ext(e.Name()) {
		case ".yaml":
			out = append(out, path.Join(dir, e.Name()))
		case ".yml":
			r.add(path.Join(dir, e.Name()), 0, "use the .yaml extension")
		}
	}
	return out
}

func loadDocs(r *report, fsys fs.FS, s *Site) {
	for _, p := range yamlFiles(r, fsys, "docs") {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			r.add(p, 0, "cannot read: %v", err)
			continue
		}
		var list []docFM
		if !decodeYAML(r, p, data, 0, &list) {
			continue
		}
		for _, d := range list {
			line := d.URL.Line
			if line == 0 {
				line = d.Title.Line
			}
			if strings.TrimSpace(d.Title.V) == "" || strings.TrimSpace(d.About.V) == "" {
				r.add(p, line, "catalog entry needs a title and an about line")
			}
			if !isMicrosoftURL(d.URL.V) {
				r.add(p, line, "url %q: official references are https URLs on a Microsoft domain (%s)", d.URL.V, strings.Join(microsoftHosts, ", "))
				continue
			}
			if prev := s.DocByURL[d.URL.V]; prev != nil {
				r.add(p, line, "url %q is already in the catalog (%s)", d.URL.V, prev.File)
				continue
			}
			doc := &Doc{Title: strings.TrimSpace(d.Title.V), URL: d.URL.V, About: strings.TrimSpace(d.About.V), File: p}
			for _, tg := range d.Tags {
				doc.Tags = append(doc.Tags, tg.V)
			}
			s.Docs = append(s.Docs, doc)
			s.DocByURL[doc.URL] = doc
		}
	}
}

func loadLabsFiles(r *report, fsys fs.FS, s *Site) {
	for _, p := range yamlFiles(r, fsys, "labs") {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			r.add(p, 0, "cannot read: %v", err)
			continue
		}
		var fm labFM
		if !decodeYAML(r, p, data, 0, &fm) {
			continue
		}
		slug := strings.TrimSuffix(path.Base(p), ".yaml")
		if !idRe.MatchString(slug) {
			r.add(p, 0, "lab file name %q: use lowercase letters, digits and hyphens", slug)
			continue
		}
		l := &Lab{Slug: slug, Title: fm.Title.V, Summary: fm.Summary.V, Kind: fm.Kind.V, Engine: fm.Engine.V, File: p}
		if l.Title == "" || l.Summary == "" {
			r.add(p, 1, "lab needs a title and a summary")
		}
		if l.Kind != "browser" && l.Kind != "windows" {
			r.add(p, fm.Kind.Line, "lab kind %q: want browser or windows", l.Kind)
		}
		if l.Engine == "" {
			r.add(p, 1, "lab needs an engine")
		}
		l.Windows.Intro = fm.Windows.Intro
		for _, st := range fm.Windows.Steps {
			if st.Title.V == "" || st.Command.V == "" {
				r.add(p, st.Title.Line, "each Windows step needs a title and a command")
			}
			l.Windows.Steps = append(l.Windows.Steps, WindowsStep{Title: st.Title.V, Command: st.Command.V, Explains: st.Explains})
		}
		if len(l.Windows.Steps) == 0 {
			r.add(p, 1, "a lab needs \"On a Windows machine\" steps (windows.steps)")
		}
		s.Labs = append(s.Labs, l)
		s.LabBySlug[slug] = l
		s.labTopicRefs[l] = fm.Topics
	}
}

func loadPaths(r *report, fsys fs.FS, s *Site) {
	for _, p := range yamlFiles(r, fsys, "paths") {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			r.add(p, 0, "cannot read: %v", err)
			continue
		}
		var fm pathFM
		if !decodeYAML(r, p, data, 0, &fm) {
			continue
		}
		id := strings.TrimSuffix(path.Base(p), ".yaml")
		if !idRe.MatchString(id) {
			r.add(p, 0, "path file name %q: use lowercase letters, digits and hyphens", id)
			continue
		}
		pa := &Path{ID: id, Title: fm.Title.V, Summary: fm.Summary.V, Kind: PathKind(fm.Kind.V), File: p}
		if pa.Title == "" {
			r.add(p, 1, "path needs a title")
		}
		switch pa.Kind {
		case PathStart, PathBranch, PathJourney:
		default:
			r.add(p, fm.Kind.Line, "path kind %q: want start, branch or journey", fm.Kind.V)
		}
		if len(fm.Steps) < 2 {
			r.add(p, 1, "a path needs at least two steps")
		}
		seen := map[*Topic]bool{}
		for _, st := range fm.Steps {
			t := s.BySlug[st.Topic.V]
			if t == nil {
				r.add(p, st.Topic.Line, "step %q: no such topic%s", st.Topic.V, suggest(s, st.Topic.V))
				continue
			}
			if seen[t] {
				r.add(p, st.Topic.Line, "step %q appears twice in the path", st.Topic.V)
				continue
			}
			seen[t] = true
			if strings.TrimSpace(st.Why.V) == "" {
				r.add(p, st.Topic.Line, "step %q needs a one-line \"why\"", st.Topic.V)
			}
			pa.Steps = append(pa.Steps, Step{Topic: t, Why: strings.TrimSpace(st.Why.V)})
		}
		s.Paths = append(s.Paths, pa)
		s.PathByID[id] = pa
	}
	// Labs refer to topics; resolve now that topics are known.
	for _, l := range s.Labs {
		for _, ref := range s.labTopicRefs[l] {
			t := s.BySlug[ref.V]
			if t == nil {
				r.add(l.File, ref.Line, "topic %q: no such topic%s", ref.V, suggest(s, ref.V))
				continue
			}
			l.Topics = append(l.Topics, t)
		}
	}
	kindRank := map[PathKind]int{PathStart: 0, PathBranch: 1, PathJourney: 2}
	sort.SliceStable(s.Paths, func(i, j int) bool {
		a, b := s.Paths[i], s.Paths[j]
		if kindRank[a.Kind] != kindRank[b.Kind] {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.Kind == PathBranch && len(a.Steps) > 0 && len(b.Steps) > 0 {
			ra, rb := a.Steps[0].Topic.Root(), b.Steps[0].Topic.Root()
			if ra != rb {
				return branchIndex(s, ra) < branchIndex(s, rb)
			}
		}
		return a.ID < b.ID
	})
}

func branchIndex(s *Site, t *Topic) int {
	for i, b := range s.Branches {
		if b == t {
			return i
		}
	}
	return len(s.Branches)
}

func loadHome(r *report, fsys fs.FS, s *Site) {
	const p = "home.yaml"
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		r.add(p, 0, "missing: the home page's architecture map")
		return
	}
	var fm homeFM
	if !decodeYAML(r, p, data, 0, &fm) {
		return
	}
	h := &Home{Promise: fm.Promise.V}
	ids := map[string]bool{}
	block := func(b blockFM) MapBlock {
		if !idRe.MatchString(b.ID.V) {
			r.add(p, b.ID.Line, "block id %q: use lowercase letters, digits and hyphens", b.ID.V)
		}
		if ids[b.ID.V] {
			r.add(p, b.ID.Line, "block id %q used twice", b.ID.V)
		}
		ids[b.ID.V] = true
		if b.Title.V == "" || b.Text.V == "" {
			r.add(p, b.ID.Line, "block %q needs a title and a text", b.ID.V)
		}
		mb := MapBlock{ID: b.ID.V, Title: b.Title.V, Text: b.Text.V}
		if b.Topic.V != "" {
			mb.Topic = s.BySlug[b.Topic.V]
			if mb.Topic == nil {
				r.add(p, b.Topic.Line, "block %q points to %q: no such topic%s", b.ID.V, b.Topic.V, suggest(s, b.Topic.V))
			}
		}
		return mb
	}
	if h.Promise == "" {
		r.add(p, 1, "home needs a one-line promise")
	}
	for _, ln := range fm.Lanes {
		lane := Lane{ID: ln.ID.V, Title: ln.Title.V}
		if lane.ID == "" || lane.Title == "" {
			r.add(p, ln.ID.Line, "lane needs an id and a title")
		}
		for _, b := range ln.Blocks {
			lane.Blocks = append(lane.Blocks, block(b))
		}
		h.Lanes = append(h.Lanes, lane)
	}
	if len(h.Lanes) == 0 {
		r.add(p, 1, "home needs lanes")
	}
	if fm.Boundary.ID.V != "" {
		h.Boundary = block(fm.Boundary)
	} else {
		r.add(p, 1, "home needs the system-call boundary band (boundary:)")
	}
	s.Home = h
}
