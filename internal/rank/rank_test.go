package rank_test

import (
	"fmt"
	"strings"
	"testing"

	"ntatlas"
	"ntatlas/internal/content"
	ct "ntatlas/internal/content/contenttest"
	"ntatlas/internal/rank"
)

// A branch shaped like the networking branch, plus a second branch for cross-branch links.
func fixture(t *testing.T, extra ...ct.T) *content.Site {
	t.Helper()
	topics := []ct.T{
		{Slug: "net", Title: "Networking"},
		{Slug: "net/dns", Title: "DNS", Order: 1, Related: []string{"net/tcp"}},
		{Slug: "net/afd", Title: "AFD", Level: "intermediate", Order: 2, Related: []string{"net/tcp", "net/wfp", "io"}},
		{Slug: "net/afd/rio", Title: "RIO", Level: "expert", Prereqs: []string{"net/afd"}, Related: []string{"net/afd"}},
		{Slug: "net/tcp", Title: "TCP", Level: "intermediate", Order: 3, Related: []string{"net/filter", "net/wfp"}},
		{Slug: "net/filter", Title: "Filtering", Level: "intermediate", Order: 4},
		{Slug: "net/wfp", Title: "WFP", Level: "expert", Order: 5, Prereqs: []string{"net/tcp"}, Related: []string{"net/ndis"}},
		{Slug: "net/ndis", Title: "NDIS", Level: "intermediate", Order: 6, Related: []string{"net/filter", "net/tcp"}},
		{Slug: "io", Title: "I/O"},
		{Slug: "io/irp", Title: "IRPs", Level: "intermediate", Related: []string{"io"}},
	}
	topics = append(topics, extra...)
	paths := []ct.Path{
		{ID: "net-path", Steps: []string{"net", "net/dns", "net/afd", "net/tcp", "net/filter", "net/wfp", "net/ndis"}},
		{ID: "start", Kind: "start", Steps: []string{"net", "io", "io/irp"}},
	}
	s, err := content.Load(ct.FS(topics, paths))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return s
}

func describe(cards []rank.Card) string {
	var parts []string
	for _, c := range cards {
		parts = append(parts, fmt.Sprintf("%s=%s", c.Topic.Slug, c.Reason))
	}
	return strings.Join(parts, "; ")
}

type finished map[string]bool

func (f finished) Finished(t *content.Topic) bool { return f[t.Slug] }

func TestReadNext(t *testing.T) {
	s := fixture(t)
	cases := []struct {
		name  string
		topic string
		path  string
		done  finished
		want  string
		rest  string // the plain "Related topics" list
	}{
		{
			// The reference page: next step, natural depth, related. The child (RIO) is already
			// listed under "Go deeper" and does not take a card.
			name: "seed shape inside the path", topic: "net/afd", path: "net-path",
			want: "net/tcp=Next step in your guided path; net/wfp=Natural next depth in this branch; io=Related topic",
			rest: "net/afd/rio",
		},
		{
			// Without ?path= a topic in a path still gets that path's next step.
			name: "no active path", topic: "net/afd",
			want: "net/tcp=Next step in your guided path; net/wfp=Natural next depth in this branch; io=Related topic",
			rest: "net/afd/rio",
		},
		{
			// An unrelated path is treated as no path: the topic's own path supplies the step.
			name: "active path without the topic", topic: "net/afd", path: "start",
			want: "net/tcp=Next step in your guided path; net/wfp=Natural next depth in this branch; io=Related topic",
			rest: "net/afd/rio",
		},
		{
			// A branch root: the path's next step, then a deeper non-child, then children.
			name: "branch root", topic: "net", path: "net-path",
			want: "net/dns=Next step in your guided path; net/afd/rio=Natural next depth in this branch; net/afd=Go deeper in this branch",
		},
		{
			// Last step of a path: no "next step"; earlier steps of the path fill in.
			name: "last step", topic: "net/ndis", path: "net-path",
			want: "net/wfp=Natural next depth in this branch; net/filter=Related topic; net=Part of a guided learning path",
			rest: "net/tcp",
		},
		{
			// Natural depth prefers an explicitly related deeper topic over a closer level.
			name: "depth prefers relations", topic: "net/tcp", path: "net-path",
			want: "net/filter=Next step in your guided path; net/wfp=Natural next depth in this branch; net/dns=Related topic",
			rest: "net/afd, net/ndis",
		},
		{
			// Expert topic with no deeper topic: next step, related (outgoing then incoming), then a path step.
			name: "expert topic", topic: "net/wfp", path: "net-path",
			want: "net/ndis=Next step in your guided path; net/afd=Related topic; net=Part of a guided learning path",
			rest: "net/tcp",
		},
		{
			// The last step of the start path: its related topic, then where the path begins.
			name: "last step of another path", topic: "io/irp",
			want: "io=Related topic; net=Part of a guided learning path",
		},
		{
			// Finished topics sink: the next unfinished candidates take the cards.
			name: "done topics are demoted", topic: "net/afd", path: "net-path", done: finished{"net/tcp": true, "net/wfp": true},
			want: "io=Related topic; net/afd/rio=Go deeper in this branch; net=Part of a guided learning path",
			rest: "net/tcp, net/wfp",
		},
		{
			// A learner who has not finished the prerequisite is pointed at it first.
			name: "unmet prerequisite first", topic: "net/wfp", path: "net-path", done: finished{"io": true},
			want: "net/tcp=Prerequisite you have not finished; net/ndis=Next step in your guided path; net/afd=Related topic",
		},
		{
			// Once the prerequisite is done it is no longer suggested, and sinks like any finished topic.
			name: "met prerequisite", topic: "net/wfp", path: "net-path", done: finished{"net/tcp": true},
			want: "net/ndis=Next step in your guided path; net/afd=Related topic; net=Part of a guided learning path",
			rest: "net/tcp",
		},
		{
			// With few candidates a finished topic may fill a slot, but always the last one.
			name: "finished topic fills the last slot", topic: "net/wfp", path: "net-path", done: finished{"net/ndis": true, "net/afd": true, "net/filter": true},
			want: "net/tcp=Prerequisite you have not finished; net=Part of a guided learning path; net/ndis=Next step in your guided path",
			rest: "net/afd",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			topic := s.BySlug[c.topic]
			var active *content.Path
			if p := s.PathByID[c.path]; p != nil && p.IndexOf(topic) >= 0 {
				active = p
			}
			var who rank.Learner
			if c.done != nil {
				who = c.done
			}
			cards, rest := rank.ReadNext(s, topic, active, who)
			if got := describe(cards); got != c.want {
				t.Errorf("cards:\n got  %s\n want %s", got, c.want)
			}
			var rs []string
			for _, r := range rest {
				rs = append(rs, r.Slug)
			}
			if got := strings.Join(rs, ", "); got != c.rest {
				t.Errorf("related rest: got %q, want %q", got, c.rest)
			}
			seen := map[*content.Topic]bool{}
			for _, card := range cards {
				if seen[card.Topic] || card.Topic == topic {
					t.Errorf("card repeats a topic or points at itself: %s", describe(cards))
				}
				seen[card.Topic] = true
			}
		})
	}
}

// Ties are broken deterministically: the same input always gives the same cards.
func TestReadNextDeterministic(t *testing.T) {
	first := ""
	for i := 0; i < 20; i++ {
		s := fixture(t)
		cards, _ := rank.ReadNext(s, s.BySlug["net"], nil, nil)
		got := describe(cards)
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("run %d gave %q, run 0 gave %q", i, got, first)
		}
	}
}

// The reference page, on our real content: /explore/networking/winsock-afd?path=networking-path.
func TestSeedPageOnRealContent(t *testing.T) {
	s, err := content.Load(ntatlas.Content())
	if err != nil {
		t.Fatalf("embedded content: %v", err)
	}
	topic := s.BySlug["networking/winsock-afd"]
	path := s.PathByID["networking-path"]
	if topic == nil || path == nil {
		t.Fatal("networking/winsock-afd or networking-path missing")
	}
	if i := path.IndexOf(topic); i != 2 || len(path.Steps) != 7 {
		t.Fatalf("winsock-afd is step %d of %d, want 3 of 7", i+1, len(path.Steps))
	}
	cards, _ := rank.ReadNext(s, topic, path, nil)
	want := []struct{ title, reason string }{
		{"TCP/IP stack", "Next step in your guided path"},
		{"WFP & BFE (deep dive)", "Natural next depth in this branch"},
		{"I/O system", "Related topic"},
	}
	if len(cards) != len(want) {
		t.Fatalf("got %d cards: %s", len(cards), describe(cards))
	}
	for i, w := range want {
		if cards[i].Topic.Title != w.title || string(cards[i].Reason) != w.reason {
			t.Errorf("card %d = %q / %q, want %q / %q", i+1, cards[i].Topic.Title, cards[i].Reason, w.title, w.reason)
		}
	}
}

func TestClosestDocs(t *testing.T) {
	s, err := content.Load(ntatlas.Content())
	if err != nil {
		t.Fatal(err)
	}
	di := rank.NewDocIndex(s)
	for _, topic := range s.Topics {
		docs := di.Closest(topic)
		if len(docs) < 3 {
			t.Errorf("%s shows %d official references, want at least 3", topic.Slug, len(docs))
		}
		for i, d := range docs {
			if i < len(topic.Docs) && (!d.Pinned || d.Doc != topic.Docs[i]) {
				t.Errorf("%s: pinned references must come first in authored order", topic.Slug)
			}
		}
	}
	// A topic about filter arbitration should surface the arbitration page by similarity alone.
	wfp := s.BySlug["networking/wfp-bfe"]
	found := false
	for _, d := range di.Closest(wfp) {
		if strings.Contains(d.Doc.URL, "/fwp/") {
			found = true
		}
	}
	if !found {
		t.Errorf("no WFP reference among the closest docs of networking/wfp-bfe")
	}
}
