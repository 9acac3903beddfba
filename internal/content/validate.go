package content

import (
	"strings"
)

// requiredSections lists what every topic needs; branch roots need more.
var (
	requiredAll  = []string{SecWhy, SecModel, SecHow, SecExample, SecMisconcept}
	requiredRoot = []string{SecIn30, SecSelfCheck}
	sectionNames = map[string]string{
		SecIn30: "In 30 seconds", SecSelfCheck: "You understand this if", SecWhy: "Why it matters",
		SecModel: "Mental model", SecDeeper: "Go one level deeper", SecHow: "How it works",
		SecExample: "Example: ...", SecMisconcept: "Common misconception", SecExercise: "Guided exercise",
	}
)

// MinDocs is how many official references every topic pins.
const MinDocs = 3

func validateGraph(r *report, s *Site, pend []*pending) {
	// Aliases must not shadow a topic or each other.
	for _, pe := range pend {
		t := pe.t
		if s.BySlug[t.Slug] != t {
			continue
		}
		for i, a := range t.Aliases {
			line := pe.fm.Aliases[i].Line
			if u := s.BySlug[a]; u != nil {
				r.add(t.File, line, "alias %q is the slug of an existing topic (%s)", a, u.File)
				continue
			}
			if prev, ok := s.Aliases[a]; ok {
				r.add(t.File, line, "alias %q is already claimed by %s", a, prev.File)
				continue
			}
			s.Aliases[a] = t
		}
	}

	for _, pe := range pend {
		t, fm := pe.t, &pe.fm
		if s.BySlug[t.Slug] != t {
			continue
		}
		p := t.File
		req := requiredAll
		if t.Parent == nil {
			req = append(append([]string{}, requiredRoot...), requiredAll...)
		}
		for _, k := range req {
			if t.Sections[k] == nil {
				r.add(p, 0, "missing section \"## %s\"", sectionNames[k])
			}
		}
		if len(t.Labs) > 0 && t.Sections[SecExercise] == nil {
			r.add(p, 0, "topic has labs: add a \"## Guided exercise\" section")
		}
		if t.Level == Expert && len(fm.Prerequisites) == 0 {
			r.add(p, pe.fmAt, "expert topics list their prerequisites (prerequisites: [...])")
		}
		if len(fm.Docs) < MinDocs {
			r.add(p, pe.fmAt, "pin at least %d official references (docs:), found %d", MinDocs, len(fm.Docs))
		}
		if t.Parent != nil && len(t.Related) == 0 && len(t.Incoming) == 0 {
			r.add(p, pe.fmAt, "orphan topic: no related links in or out (add related: [...])")
		}
		if t.Depth > MaxDepth {
			r.add(p, 0, "topics nest at most %d levels below a branch root", MaxDepth)
		}
	}

	// Prerequisite cycles.
	const (
		unvisited = iota
		active
		done
	)
	state := map[*Topic]int{}
	var stack []*Topic
	reported := map[*Topic]bool{}
	var visit func(t *Topic)
	visit = func(t *Topic) {
		state[t] = active
		stack = append(stack, t)
		for _, u := range t.Prerequisites {
			switch state[u] {
			case unvisited:
				visit(u)
			case active:
				var cyc []string
				start := 0
				for i, x := range stack {
					if x == u {
						start = i
					}
				}
				for _, x := range stack[start:] {
					cyc = append(cyc, x.Slug)
				}
				cyc = append(cyc, u.Slug)
				if !reported[u] {
					reported[u] = true
					r.add(t.File, 0, "prerequisite cycle: %s", strings.Join(cyc, " -> "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[t] = done
	}
	for _, t := range s.Topics {
		if state[t] == unvisited {
			visit(t)
		}
	}

	// One definition per key term.
	type def struct {
		t   *Topic
		tm  Term
		key string
	}
	defs := map[string]def{}
	for _, t := range s.Topics {
		for _, tm := range t.Terms {
			k := strings.ToLower(tm.Term)
			if prev, ok := defs[k]; ok {
				if prev.tm.Definition != tm.Definition {
					r.add(t.File, tm.Line, "key term %q is already defined differently in %s:%d (define each term once)", tm.Term, prev.t.File, prev.tm.Line)
				} else if prev.t == t {
					r.add(t.File, tm.Line, "key term %q listed twice", tm.Term)
				}
				continue
			}
			defs[k] = def{t, tm, k}
		}
	}
}
