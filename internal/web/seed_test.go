package web_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The reference page (shared/seed/winsock-afd.txt): the banner, the sections in the
// reference's order, and the three read-next cards with their reasons.
func TestSeedPageStructure(t *testing.T) {
	ts := server(t)
	doc := fetchHTML(t, ts.URL+"/explore/networking/winsock-afd?path=networking-path")

	var banner *html.Node
	var h1 string
	var sections []string
	type card struct{ title, reason, level, href string }
	var cards []card
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch {
		case hasClass(n, "path-banner"):
			banner = n
		case n.Data == "h1":
			h1 = text(n)
		case n.Data == "section" && hasClass(n, "sec"):
			sections = append(sections, attr(n, "id"))
		case hasClass(n, "next-card"):
			var c card
			walk(n, func(m *html.Node) {
				switch {
				case hasClass(m, "card-title"):
					c.title = text(m)
				case hasClass(m, "card-reason"):
					c.reason = text(m)
				case hasClass(m, "badge"):
					c.level = text(m)
				case m.Data == "a":
					c.href = attr(m, "href")
				}
			})
			cards = append(cards, c)
		}
	})
	if banner == nil {
		t.Fatal("no guided-path banner")
	}
	bt := text(banner)
	for _, want := range []string{"Guided path: Networking stack tour", "Step 3 of 7", "Continue to TCP/IP stack"} {
		if !strings.Contains(bt, want) {
			t.Errorf("banner %q lacks %q", bt, want)
		}
	}
	if h1 != "Winsock, AFD, and kernel boundaries" {
		t.Errorf("h1 = %q", h1)
	}
	// The reference's order, restricted to the sections this topic has.
	order := []string{"prerequisites", "related-labs", "guided-paths", "official-docs", "why-it-matters", "mental-model", "schematic",
		"building-blocks", "one-level-deeper", "how-it-works", "key-terms", "worked-example", "misconception", "guided-exercise", "go-deeper", "read-next"}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	last := -1
	for _, id := range sections {
		p, ok := pos[id]
		if !ok {
			continue
		}
		if p < last {
			t.Errorf("section %q is out of order in %v", id, sections)
		}
		last = p
	}
	for _, must := range []string{"official-docs", "why-it-matters", "mental-model", "how-it-works", "key-terms", "worked-example", "misconception", "read-next"} {
		if _, ok := findStr(sections, must); !ok {
			t.Errorf("section %q missing; have %v", must, sections)
		}
	}
	if _, ok := findStr(sections, "guided-paths"); ok {
		t.Errorf("with the banner shown, the \"guided paths\" section must not repeat it")
	}
	want := []card{
		{"TCP/IP stack", "Next step in your guided path", "intermediate", "/explore/networking/tcpip?path=networking-path"},
		{"WFP & BFE (deep dive)", "Natural next depth in this branch", "expert", "/explore/networking/wfp-bfe"},
		{"I/O system", "Related topic", "beginner", "/explore/io"},
	}
	if len(cards) != len(want) {
		t.Fatalf("got %d read-next cards %+v, want 3", len(cards), cards)
	}
	for i := range want {
		if cards[i] != want[i] {
			t.Errorf("card %d = %+v, want %+v", i+1, cards[i], want[i])
		}
	}
}

func findStr(list []string, s string) (int, bool) {
	for i, x := range list {
		if x == s {
			return i, true
		}
	}
	return -1, false
}
