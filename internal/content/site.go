package content

import (
	"sort"
	"strings"
)

// Site is the validated, immutable content model. Nothing changes it after Load returns.
type Site struct {
	Topics    []*Topic // depth-first tree order
	BySlug    map[string]*Topic
	ByID      map[string]*Topic
	Aliases   map[string]*Topic // old slug -> topic
	Branches  []*Topic
	Paths     []*Path // start path first, then branch paths in branch order, then journeys
	PathByID  map[string]*Path
	Docs      []*Doc
	DocByURL  map[string]*Doc
	Labs      []*Lab
	LabBySlug map[string]*Lab
	Home      *Home
	Glossary  []*GlossaryEntry
	Coverage  Coverage

	pathsOf      map[*Topic][]PathStep
	labTopicRefs map[*Lab][]str
}

func newSite() *Site {
	return &Site{
		BySlug: map[string]*Topic{}, ByID: map[string]*Topic{}, Aliases: map[string]*Topic{},
		PathByID: map[string]*Path{}, DocByURL: map[string]*Doc{}, LabBySlug: map[string]*Lab{},
		pathsOf: map[*Topic][]PathStep{}, labTopicRefs: map[*Lab][]str{},
	}
}

// finish derives the indexes that pages use, once the content is known to be valid.
func (s *Site) finish() {
	s.labTopicRefs = nil
	for _, p := range s.Paths {
		for i, st := range p.Steps {
			s.pathsOf[st.Topic] = append(s.pathsOf[st.Topic], PathStep{Path: p, Index: i})
		}
	}
	// A lab and a topic may name each other from either file; make the link visible from both ends.
	for _, l := range s.Labs {
		for _, t := range l.Topics {
			if !containsLab(t.Labs, l) {
				t.Labs = append(t.Labs, l)
			}
		}
	}
	for _, t := range s.Topics {
		for _, l := range t.Labs {
			if !containsTopic(l.Topics, t) {
				l.Topics = append(l.Topics, t)
			}
		}
	}
	byTerm := map[string]*GlossaryEntry{}
	for _, t := range s.Topics {
		for _, tm := range t.Terms {
			k := strings.ToLower(tm.Term)
			e := byTerm[k]
			if e == nil {
				e = &GlossaryEntry{Term: tm.Term, Definition: tm.Definition}
				byTerm[k] = e
				s.Glossary = append(s.Glossary, e)
			}
			e.Topics = append(e.Topics, t)
		}
	}
	sort.Slice(s.Glossary, func(i, j int) bool {
		a, b := strings.ToLower(s.Glossary[i].Term), strings.ToLower(s.Glossary[j].Term)
		if a != b {
			return a < b
		}
		return s.Glossary[i].Term < s.Glossary[j].Term
	})
	c := Coverage{Branches: len(s.Branches), Topics: len(s.Topics), ByLevel: map[Level]int{},
		Terms: len(s.Glossary), Paths: len(s.Paths), Labs: len(s.Labs), OfficialDocs: len(s.Docs)}
	for _, t := range s.Topics {
		c.ByLevel[t.Level]++
		if t.Schematic != nil {
			c.Schematics++
		}
		if len(t.Blocks) > 0 {
			c.WithBlocks++
		}
		if t.Checked.Reviewed.After(c.LastReviewed) {
			c.LastReviewed = t.Checked.Reviewed
		}
	}
	c.BeginnerCount, c.InterCount, c.ExpertCount = c.ByLevel[Beginner], c.ByLevel[Intermediate], c.ByLevel[Expert]
	s.Coverage = c
}

func containsLab(ls []*Lab, l *Lab) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func containsTopic(ts []*Topic, t *Topic) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// PathsOf returns the paths that contain the topic, in site path order.
func (s *Site) PathsOf(t *Topic) []PathStep { return s.pathsOf[t] }

// StartPath returns the beginner path, or nil.
func (s *Site) StartPath() *Path {
	for _, p := range s.Paths {
		if p.Kind == PathStart {
			return p
		}
	}
	return nil
}

// PathsOfKind returns the paths of one kind.
func (s *Site) PathsOfKind(k PathKind) []*Path {
	var out []*Path
	for _, p := range s.Paths {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// Lookup finds a topic by slug, following aliases. moved is true when the slug was an alias.
func (s *Site) Lookup(slug string) (t *Topic, moved bool) {
	if t := s.BySlug[slug]; t != nil {
		return t, false
	}
	if t := s.Aliases[slug]; t != nil {
		return t, true
	}
	return nil, false
}
