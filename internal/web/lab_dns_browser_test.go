package web_test

// Browser test of the DNS client lab (/tools/dns): the widget loads the WebAssembly engines,
// resolves a name twice (the second answer must come from the cache, faster), checks an
// exercise, and names the line of a malformed cache import. It reuses the tab helpers of
// browser_test.go and the lab helpers of lab_sddl_browser_test.go (secLabBrowser, secOpenLab, secPaste).
// Run: go test ./internal/web -run BrowserLabDNS -count=1 -v

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// netLabClick scrolls an element into view and clicks it.
func netLabClick(tb *tab, what, sel string) {
	tb.t.Helper()
	tb.do(what, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// unclippedWideJS names elements sticking out to the right that no scrolling or clipping
// ancestor contains (wideElementsJS also lists the insides of .lab-scroll boxes, which are fine).
const unclippedWideJS = `(() => {
	const clipped = (e) => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) { if (getComputedStyle(p).overflowX !== "visible") return true; } return false; };
	const out = [];
	for (const e of document.body.querySelectorAll("*")) {
		const r = e.getBoundingClientRect();
		if (r.right > innerWidth + 1 && !clipped(e)) out.push(e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " right=" + Math.round(r.right));
		if (out.length >= 8) break;
	}
	// Text can overflow its box (a long word) without the box growing: check text too.
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = w.nextNode(); n && out.length < 8; n = w.nextNode()) {
		const rg = document.createRange(); rg.selectNodeContents(n);
		const r = rg.getBoundingClientRect();
		if (r.right > innerWidth + 1 && !clipped(n)) out.push("text " + JSON.stringify(n.textContent.slice(0, 40)) + " right=" + Math.round(r.right));
	}
	return out;
})()`

// netLabNarrow reloads a lab at 390 px and requires that the page does not scroll sideways.
func netLabNarrow(t *testing.T, b *browser, slug, shot string) {
	t.Helper()
	nt := b.newTab(t)
	nt.do("emulating a 390x844 viewport", chromedp.EmulateViewport(390, 844))
	path := "/tools/" + slug
	nt.secOpenLab(slug)
	if sw := eval[int](nt, "document.scrollingElement.scrollWidth"); sw > 390 {
		t.Errorf("%s at 390px scrolls sideways (scrollWidth %d); offenders: %q", path, sw, eval[[]string](nt, unclippedWideJS))
	}
	nt.do("scrolling to the widget", chromedp.ScrollIntoView(chromedp.CSS("[data-lab-mount]")))
	nt.screenshot(b.artifacts, shot, false)
	if os.Getenv("NTATLAS_FULL_SCREENSHOTS") != "" {
		nt.screenshot(b.artifacts, strings.TrimSuffix(shot, ".png")+"-full.png", true)
	}
	nt.assertCleanConsole(path + " (390px)")
}

func TestBrowserLabDNS(t *testing.T) {
	b := secLabBrowser(t) // the lab test harness of lab_sddl_browser_test.go
	tb := b.newTab(t)
	tb.secOpenLab("dns")
	tb.assertCleanConsole("/tools/dns (loaded)")

	// Resolve the same name twice, typed by the learner.
	tb.secPaste(`[data-input="queries"]`, "0 www.example.com\n4s www.example.com")
	netLabClick(tb, "clicking Resolve", `[data-action="resolve"]`)
	tb.waitFor("two results", `document.querySelectorAll('[data-output="resolve"] .dns-sum').length === 2 && document.querySelector('[data-output="resolve"] .dns-query h4').textContent.includes("www.example.com")`)
	type sum struct {
		Source  string `json:"source"`
		Elapsed int    `json:"elapsed"`
		Text    string `json:"text"`
	}
	sums := eval[[]sum](tb, `[...document.querySelectorAll('[data-output="resolve"] .dns-query > .dns-result > .dns-sum')].map(e => ({source: e.dataset.source, elapsed: Number(e.dataset.elapsed), text: e.textContent}))`)
	if len(sums) != 2 {
		t.Fatalf("got %d results, want 2", len(sums))
	}
	if sums[0].Source != "dns" || sums[0].Elapsed <= 0 {
		t.Errorf("first lookup: source %q after %d ms, want a DNS server and a positive time (%s)", sums[0].Source, sums[0].Elapsed, sums[0].Text)
	}
	if sums[1].Source != "cache" || sums[1].Elapsed >= sums[0].Elapsed {
		t.Errorf("second lookup: source %q after %d ms, want the cache and faster than %d ms (%s)", sums[1].Source, sums[1].Elapsed, sums[0].Elapsed, sums[1].Text)
	}
	if !strings.Contains(sums[1].Text, "resolver cache") || !strings.Contains(sums[1].Text, "0 DNS packets") {
		t.Errorf("second summary %q should say it came from the resolver cache with 0 DNS packets", sums[1].Text)
	}
	if why := tb.text(`[data-why="cache"]`); !strings.Contains(why, "Why so fast?") {
		t.Errorf("the page does not explain the instant second answer: %q", why)
	}
	// The first query's timeline shows the real packet: hex and a decoded question.
	hex := eval[string](tb, `document.querySelector('[data-query="0"] .dns-hex').textContent`)
	if !strings.HasPrefix(hex, "0000  ") || len(strings.Fields(hex)) < 20 {
		t.Errorf("hex dump of the first query looks wrong: %q", hex)
	}
	netLabClick(tb, "opening the first packet", `[data-query="0"] .dns-msg summary`)
	if q := tb.text(`[data-query="0"] .dns-msg table`); !strings.Contains(q, "www.example.com.") || !strings.Contains(q, "A") {
		t.Errorf("decoded question of the first packet: %q", q)
	}
	tb.screenshot(b.artifacts, "lab-dns-packet.png", false)
	if n := eval[int](tb, `document.querySelectorAll('[data-query="1"] [data-kind="cache-hit"]').length`); n != 1 {
		t.Errorf("second timeline has %d cache-hit steps, want 1", n)
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-output="resolve"] .claim').length`); n == 0 {
		t.Errorf("no evidence labels on the timeline")
	}
	tb.screenshot(b.artifacts, "lab-dns-timeline.png", false)

	// The "ask twice" exercise, answered and checked by the engine.
	tb.secPaste(`[data-exercise="ask-twice"] [data-answer]`, "0")
	netLabClick(tb, "checking ask-twice", `[data-exercise="ask-twice"] [data-action="check"]`)
	tb.waitFor("the ask-twice verdict", `!!document.querySelector('[data-exercise="ask-twice"] [data-verdict]')`)
	if v := eval[string](tb, `document.querySelector('[data-exercise="ask-twice"] [data-verdict]').dataset.verdict`); v != "correct" {
		t.Errorf("ask-twice answered 0 ms: verdict %q, want correct (%s)", v, tb.text(`[data-exercise="ask-twice"] [data-output="check"]`))
	}
	// A wrong prediction is called wrong, with the engine's number.
	tb.secPaste(`[data-exercise="first-server-down"] [data-answer]`, "35")
	netLabClick(tb, "checking first-server-down", `[data-exercise="first-server-down"] [data-action="check"]`)
	tb.waitFor("the first-server-down verdict", `!!document.querySelector('[data-exercise="first-server-down"] [data-verdict]')`)
	if got := tb.text(`[data-exercise="first-server-down"] [data-verdict]`); !strings.Contains(got, "Not quite") || !strings.Contains(got, "1040") {
		t.Errorf("first-server-down answered 35 ms: %q, want a wrong verdict naming 1040 ms", got)
	}

	// Each check is saved to the learner's progress and listed under the lab.
	tb.waitFor("the saved lab results", `document.querySelectorAll('[data-lab-results] li').length === 2`)
	if got := tb.text(`[data-lab-results] li[data-exercise="ask-twice"]`); !strings.HasPrefix(got, "ask-twice: passed") {
		t.Errorf("saved result for ask-twice: %q", got)
	}
	if got := tb.text(`[data-lab-results] li[data-exercise="first-server-down"]`); !strings.HasPrefix(got, "first-server-down: not yet") {
		t.Errorf("saved result for first-server-down: %q", got)
	}
	tb.screenshot(b.artifacts, "lab-dns-exercise.png", false)

	// A malformed ipconfig /displaydns import: the TTL on line 6 is not a number.
	bad := strings.Join([]string{
		"Windows IP Configuration",
		"",
		"    www.example.com",
		"    ----------------------------------------",
		"    Record Name . . . . . : www.example.com",
		"    Time To Live  . . . . : soon",
	}, "\n")
	tb.secPaste(`[data-input="cache"]`, bad)
	netLabClick(tb, "importing the bad cache", `[data-action="import"]`)
	tb.waitFor("the import error", `!!document.querySelector('[data-error="import"] .lab-error')`)
	msg := tb.text(`[data-error="import"] .lab-error`)
	if !strings.Contains(msg, "line 6") || !strings.Contains(msg, "soon") {
		t.Errorf("import error %q should name line 6 and quote the bad value", msg)
	}
	if caret := eval[string](tb, `document.querySelector('[data-error="import"] .dns-caret').textContent`); !strings.Contains(caret, "Time To Live") || !strings.Contains(caret, "^") {
		t.Errorf("the error does not show the offending line with a marker: %q", caret)
	}
	// A good JSON import is browsable and filterable.
	good := `[{"Entry":"www.example.com","Name":"www.example.com","Type":1,"Status":0,"Section":1,"TimeToLive":254,"DataLength":4,"Data":"192.0.2.10"},
{"Entry":"nosuch.example.com","Name":"nosuch.example.com","Type":1,"Status":9003,"Section":1,"TimeToLive":120,"DataLength":0,"Data":null}]`
	tb.secPaste(`[data-input="cache"]`, good)
	netLabClick(tb, "importing the good cache", `[data-action="import"]`)
	tb.waitFor("the cache table", `document.querySelectorAll('[data-table="cache"] tbody tr').length === 2`)
	if e := eval[int](tb, `document.querySelectorAll('[data-error="import"] .lab-error').length`); e != 0 {
		t.Errorf("the old import error is still shown after a good import")
	}
	tb.secPaste(`[data-output="import"] input[type="search"]`, "nosuch")
	tb.waitFor("the filter", `document.querySelectorAll('[data-table="cache"] tbody tr').length === 1`)
	if row := tb.text(`[data-table="cache"] tbody tr`); !strings.Contains(row, "NotExist") {
		t.Errorf("filtered row %q should be the negative entry", row)
	}
	tb.screenshot(b.artifacts, "lab-dns-import.png", false)
	// The imported cache feeds the scenario: the first lookup is now a hit on the imported entry.
	netLabClick(tb, "starting from the imported cache", `[data-action="use-cache"]`)
	netLabClick(tb, "resolving again", `[data-action="resolve"]`)
	tb.waitFor("a resolution from the imported cache", `document.querySelector('[data-output="resolve"] .dns-sum')?.dataset.source === "cache"`)
	if got := tb.text(`[data-query="0"] [data-kind="cache-hit"]`); !strings.Contains(got, "preloaded") {
		t.Errorf("first lookup after the import: %q, want a hit on the preloaded (imported) entry", got)
	}
	tb.assertCleanConsole("/tools/dns")

	netLabNarrow(t, b, "dns", "lab-dns-390.png")
}
