// Package rank decides what a learner should read next, and which official references are
// closest to a topic. Every recommendation carries the reason it was made.
package rank

import (
	"sort"

	"ntatlas/internal/content"
)

// Reason is why a card is recommended. Exactly one per card.
type Reason string

// The five reasons of the reference, strongest first, and one of ours that only a learner
// with progress sees.
const (
	// UnmetPrerequisite: a prerequisite the learner has not finished. It ranks first because
	// reading it first makes this topic easier; nothing is ever locked.
	UnmetPrerequisite Reason = "Prerequisite you have not finished"
	NextInPath        Reason = "Next step in your guided path"
	NaturalDepth      Reason = "Natural next depth in this branch"
	Related           Reason = "Related topic"
	GoDeeper          Reason = "Go deeper in this branch"
	PartOfPath        Reason = "Part of a guided learning path"
)

// priority orders reasons. Children come after explicit relations because the page already
// lists them under "Go deeper"; cards prefer what the page does not show yet.
var priority = map[Reason]int{UnmetPrerequisite: -1, NextInPath: 0, NaturalDepth: 1, Related: 2, GoDeeper: 3, PartOfPath: 4}

// Card is one "read next" recommendation.
type Card struct {
	Topic  *content.Topic
	Reason Reason
	Path   *content.Path // for NextInPath and PartOfPath: the path the reason refers to
}

// Cards is how many ranked cards a page shows.
const Cards = 3

// Learner lets progress demote what a learner has finished. A nil Learner changes nothing.
type Learner interface {
	// Finished reports topics marked done or skipped.
	Finished(t *content.Topic) bool
}

type cand struct {
	Card
	rank int // order within its reason; lower is better
}

// ReadNext ranks recommendations from topic t. active is the path named by ?path= (nil when
// absent or when t is not in it). It returns the ranked cards and the remaining related topics
// (both directions) for the plain "Related topics" list.
func ReadNext(s *content.Site, t *content.Topic, active *content.Path, who Learner) ([]Card, []*content.Topic) {
	var cands []cand
	add := func(u *content.Topic, r Reason, p *content.Path, rank int) {
		if u == nil || u == t {
			return
		}
		cands = append(cands, cand{Card{Topic: u, Reason: r, Path: p}, rank})
	}

	// 0. With a learner: prerequisites not finished yet, in authored order.
	if who != nil {
		for i, u := range t.Prerequisites {
			if !who.Finished(u) {
				add(u, UnmetPrerequisite, nil, i)
			}
		}
	}

	// 1. The next step of the active path; without one, of the first path the topic is in
	// (site order puts the beginner path, then branch paths, then journeys).
	if next, p := nextStep(s, t, active); next != nil {
		add(next, NextInPath, p, 0)
	}

	// 2. A deeper, harder topic in the same branch that is not a child (children get their own
	// section). Prefer explicit relations, then the smallest step up in level, then what comes
	// soonest in the active path, then tree order.
	root := t.Root()
	var deeper []*content.Topic
	for _, u := range s.Topics {
		if u == t || u.Root() != root || u.Parent == t || u.IsAncestorOf(t) || u.Level <= t.Level {
			continue
		}
		deeper = append(deeper, u)
	}
	related := map[*content.Topic]bool{}
	for _, u := range t.Related {
		related[u] = true
	}
	for _, u := range t.Incoming {
		related[u] = true
	}
	order := treeOrder(s)
	sort.SliceStable(deeper, func(i, j int) bool {
		a, b := deeper[i], deeper[j]
		if related[a] != related[b] {
			return related[a]
		}
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		if active != nil {
			ia, ib := active.IndexOf(a), active.IndexOf(b)
			if (ia >= 0) != (ib >= 0) {
				return ia >= 0
			}
			if ia != ib {
				return ia < ib
			}
		}
		return order[a] < order[b]
	})
	for i, u := range deeper {
		add(u, NaturalDepth, nil, i)
	}

	// 3. Explicit relations: outgoing in authored order, then incoming in tree order.
	for i, u := range t.Related {
		add(u, Related, nil, i)
	}
	incoming := append([]*content.Topic(nil), t.Incoming...)
	sort.SliceStable(incoming, func(i, j int) bool { return order[incoming[i]] < order[incoming[j]] })
	for i, u := range incoming {
		add(u, Related, nil, len(t.Related)+i)
	}

	// 4. Children.
	for i, u := range t.Children {
		add(u, GoDeeper, nil, i)
	}

	// 5. The start or an earlier step of a path the topic is in.
	for i, ps := range s.PathsOf(t) {
		if ps.Index > 0 {
			add(ps.Path.Steps[0].Topic, PartOfPath, ps.Path, i*100)
			add(ps.Path.Steps[ps.Index-1].Topic, PartOfPath, ps.Path, i*100+1)
		}
	}

	// Finished topics sink below everything unfinished, keeping their relative order.
	finished := func(c cand) bool { return who != nil && who.Finished(c.Topic) }
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if fa, fb := finished(a), finished(b); fa != fb {
			return !fa
		}
		if priority[a.Reason] != priority[b.Reason] {
			return priority[a.Reason] < priority[b.Reason]
		}
		return a.rank < b.rank
	})

	// First pass: the best card of each reason, so cards explain different ways forward.
	// Second pass: fill the remaining slots in rank order.
	used := map[*content.Topic]bool{}
	usedReason := map[Reason]bool{}
	var cards []Card
	for _, c := range cands {
		if len(cards) == Cards {
			break
		}
		if used[c.Topic] || usedReason[c.Reason] || finished(c) {
			continue
		}
		used[c.Topic], usedReason[c.Reason] = true, true
		cards = append(cards, c.Card)
	}
	for _, c := range cands {
		if len(cards) == Cards {
			break
		}
		if used[c.Topic] {
			continue
		}
		used[c.Topic] = true
		cards = append(cards, c.Card)
	}
	sort.SliceStable(cards, func(i, j int) bool {
		fi, fj := who != nil && who.Finished(cards[i].Topic), who != nil && who.Finished(cards[j].Topic)
		if fi != fj {
			return !fi // a finished topic only fills a slot nothing else could, and comes last
		}
		return priority[cards[i].Reason] < priority[cards[j].Reason]
	})

	var rest []*content.Topic
	for _, u := range t.Related {
		if !used[u] {
			used[u] = true
			rest = append(rest, u)
		}
	}
	for _, u := range incoming {
		if !used[u] {
			used[u] = true
			rest = append(rest, u)
		}
	}
	return cards, rest
}

// nextStep returns the step after t in the active path, or, when there is no usable active
// path, in the first path that contains t and does not end with it.
func nextStep(s *content.Site, t *content.Topic, active *content.Path) (*content.Topic, *content.Path) {
	if active != nil {
		if i := active.IndexOf(t); i >= 0 {
			if i+1 < len(active.Steps) {
				return active.Steps[i+1].Topic, active
			}
			return nil, nil // last step: the banner says "Path complete"
		}
	}
	for _, ps := range s.PathsOf(t) {
		if ps.Index+1 < len(ps.Path.Steps) {
			return ps.Path.Steps[ps.Index+1].Topic, ps.Path
		}
	}
	return nil, nil
}

func treeOrder(s *content.Site) map[*content.Topic]int {
	m := make(map[*content.Topic]int, len(s.Topics))
	for i, t := range s.Topics {
		m[t] = i
	}
	return m
}
