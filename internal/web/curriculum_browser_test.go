package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ntatlas"
	"ntatlas/internal/web"
)

// TestBrowserCurriculum is issue #3's journey: a guided path walked with Continue in two more
// branches (the networking path is walked in TestBrowserJourneys), and the seven schematics
// of PRODUCT.md operated with the mouse and with the keyboard.
func TestBrowserCurriculum(t *testing.T) {
	exe := findChromium(t)
	srv, err := web.New(web.Config{Content: ntatlas.Content()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	b := &browser{ctx: startChromium(t, exe, 2*journeyTimeout), base: ts.URL, artifacts: artifactsDir(t)}
	site := srv.Site()

	t.Run("PathsInTwoMoreBranches", func(t *testing.T) {
		tb := b.newTab(t)
		for _, id := range []string{"security-path", "storage-path"} {
			p := site.PathByID[id]
			if p == nil {
				t.Fatalf("no path %s", id)
			}
			tb.open(p.URL())
			loc := tb.follow("Start the path", chromedp.Click(chromedp.CSS("[data-path-start] a.button"), chromedp.NodeVisible))
			for i, st := range p.Steps {
				if want := st.Topic.URL() + "?path=" + id; loc != want {
					t.Fatalf("%s step %d: at %s, want %s", id, i+1, loc, want)
				}
				if got, want := tb.text(".path-banner-step"), fmt.Sprintf("Step %d of %d", i+1, len(p.Steps)); got != want {
					t.Errorf("%s step %d: banner %q, want %q", id, i+1, got, want)
				}
				if got := tb.text("main h1"); got != st.Topic.Title {
					t.Errorf("%s step %d: title %q, want %q", id, i+1, got, st.Topic.Title)
				}
				tb.assertCleanConsole(loc)
				if i == len(p.Steps)-1 {
					break
				}
				loc = tb.follow(fmt.Sprintf("%s: Continue on step %d", id, i+1), chromedp.Click(chromedp.CSS("[data-continue]"), chromedp.NodeVisible))
			}
			if got := tb.text(".path-complete"); got != "Path complete" {
				t.Errorf("%s: last step shows %q", id, got)
			}
		}
	})

	t.Run("EveryPageAt390px", func(t *testing.T) {
		var urls []string
		for _, tp := range site.Topics {
			urls = append(urls, tp.URL())
		}
		for _, p := range site.Paths {
			urls = append(urls, p.URL())
		}
		urls = append(urls, "/explore", "/paths", "/glossary", "/tools", "/me", "/me/sync")
		narrowAll(t, b, urls)
	})

	t.Run("SevenSchematics", func(t *testing.T) {
		tb := b.newTab(t)
		// The panel scrolls into view smoothly; with reduced motion it jumps, so each click
		// lands where the zone is rather than where it was mid-scroll.
		if _, err := runStep(tb, func(ctx context.Context) (struct{}, error) {
			return chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
			})
		}); err != nil {
			t.Fatalf("emulating reduced motion: %v", err)
		}
		for _, slug := range []string{"architecture", "processes", "memory", "diagnostics", "security", "networking", "gui"} {
			topic := site.BySlug[slug]
			if topic == nil || topic.Schematic == nil {
				t.Fatalf("%s has no schematic", slug)
			}
			zones := topic.Schematic.Zones
			if len(zones) < 3 || len(zones) > 5 {
				t.Errorf("%s: %d zones", slug, len(zones))
			}
			tb.open(topic.URL())
			// Mouse: every zone opens its own explanation with a link to its topic.
			for _, z := range zones {
				tb.do(slug+": clicking zone "+z.ID, chromedp.Click(chromedp.CSS(`.zone-button[data-zone="`+z.ID+`"]`), chromedp.NodeVisible))
				tb.waitFor(slug+" zone "+z.ID, `document.querySelector("#zone-panel h3")?.textContent === `+jsString(z.Title))
				if href := eval[string](tb, `document.querySelector("#zone-panel a")?.getAttribute("href") || ""`); href != z.Topic.URL() {
					t.Errorf("%s zone %s links to %q, want %q", slug, z.ID, href, z.Topic.URL())
				}
			}
			// Keyboard: Tab to the first zone, Tab to the second, Enter opens it; Space on the next.
			tb.open(topic.URL())
			tb.tabTo(".zone-button")
			tb.press(kb.Tab)
			tb.press(kb.Enter)
			tb.waitFor(slug+" zone 2 by Enter", `document.querySelector("#zone-panel h3")?.textContent === `+jsString(zones[1].Title))
			tb.do("focus zone 3", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".zone-button")[2].focus()`))
			tb.pressSpace()
			tb.waitFor(slug+" zone 3 by Space", `document.querySelector("#zone-panel h3")?.textContent === `+jsString(zones[2].Title))
			if strings.Contains(tb.location(), "#") {
				t.Errorf("%s: a zone key press changed the address to %s", slug, tb.location())
			}
			tb.assertCleanConsole(topic.URL())
		}
		tb.open("/explore/gui")
		tb.do("clicking the first zone", chromedp.Click(chromedp.CSS(".zone-button"), chromedp.NodeVisible))
		tb.screenshot(b.artifacts, "schematic-gui.png", false)
	})
}

// narrowAll opens every topic and every lab page at 390 px: long API names, registry paths and
// tables must wrap or scroll inside their box, never push the page sideways.
func narrowAll(t *testing.T, b *browser, urls []string) {
	tb := b.newTab(t)
	tb.do("narrow viewport", chromedp.EmulateViewport(390, 844))
	for _, u := range urls {
		tb.open(u)
		if w := eval[int](tb, "document.documentElement.scrollWidth"); w > 390 {
			wide := eval[string](tb, `[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 392).slice(0, 3).map(e => e.tagName + "." + e.className + ": " + e.textContent.slice(0, 60)).join(" | ")`)
			t.Errorf("%s scrolls sideways at 390 px (scrollWidth %d): %s", u, w, wide)
		}
	}
	tb.assertCleanConsole("narrow pages")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
