package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserExport serves the offline copy with a plain static file server and uses it: a
// guided path walked with Continue, a lab that starts and checks an answer in the browser, and
// no console errors (nothing asks for the missing server).
func TestBrowserExport(t *testing.T) {
	exe := findChromium(t)
	dir, _ := exportSite(t)
	ts := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer ts.Close()
	b := &browser{ctx: startChromium(t, exe, journeyTimeout), base: ts.URL, artifacts: artifactsDir(t)}
	tb := b.newTab(t)

	tb.open("/paths/security-path/")
	loc := tb.follow("Start the path", chromedp.Click(chromedp.CSS("[data-path-start] a.button"), chromedp.NodeVisible))
	if loc != "/explore/security/_path/security-path/" {
		t.Fatalf("start of the path: %s", loc)
	}
	if got := tb.text(".path-banner-step"); got != "Step 1 of 5" {
		t.Errorf("banner %q", got)
	}
	loc = tb.follow("Continue", chromedp.Click(chromedp.CSS("[data-continue]"), chromedp.NodeVisible))
	if loc != "/explore/security/token/_path/security-path/" || tb.text(".path-banner-step") != "Step 2 of 5" {
		t.Errorf("after Continue: %s, %q", loc, tb.text(".path-banner-step"))
	}
	if eval[bool](tb, `document.querySelector("[data-progress-panel], .nav-search") !== null`) {
		t.Error("the offline copy shows a progress panel or a search form")
	}
	if !strings.Contains(tb.text(".site-footer"), "offline copy") {
		t.Error("the footer does not say this is an offline copy")
	}
	tb.assertCleanConsole("offline topic")

	// The DNS lab runs from the copy: the engine loads and an exercise is checked.
	tb.open("/tools/dns/")
	tb.waitFor("the lab engine", `document.querySelector("[data-lab-engine]").dataset.ready === "true"`)
	tb.secPaste(`[data-exercise="ask-twice"] [data-answer]`, "0")
	netLabClick(tb, "checking ask-twice", `[data-exercise="ask-twice"] [data-action="check"]`)
	tb.waitFor("the verdict", `document.querySelector('[data-exercise="ask-twice"] [data-verdict]')?.dataset.verdict === "correct"`)
	tb.screenshot(b.artifacts, "export-lab-dns.png", false)
	tb.assertCleanConsole("offline lab")
}
