package web_test

// The WFP arbitration lab in headless Chromium: the engine runs as WebAssembly in the page, the
// learner's input goes in through real key presses and clicks, and the verdicts, errors and
// puzzle feedback must appear on screen. It reuses the journeys' tab helpers (browser_test.go)
// and the lab browser of lab_sddl_browser_test.go.
//
// Run: go test ./internal/web -run BrowserLabWFP -v -count=1

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// wfpReplaceText empties a text field the way a learner would (select all, Backspace) and types text.
func wfpReplaceText(sel, text string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('` + sel + `').select()`),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.SendKeys(chromedp.CSS(sel), text),
	}
}

// verdict returns the text of the editor's verdict box.
func wfpVerdict(tb *tab) string {
	tb.t.Helper()
	return tb.text(".wfp-editor [data-wfp-verdict]")
}

func TestBrowserLabWFP(t *testing.T) {
	b := secLabBrowser(t) // the lab test harness of lab_sddl_browser_test.go
	tb := b.newTab(t)
	tb.secOpenLab("wfp")
	tb.assertCleanConsole("/tools/wfp (loaded)")

	// The first sample runs on load: a soft permit in a high sublayer loses to a lower block.
	v := wfpVerdict(tb)
	for _, want := range []string{"BLOCK", "Decided by Filter 2 “Vendor: no SMB to the internet” in sublayer vendor-fw"} {
		if !strings.Contains(v, want) {
			t.Errorf("first sample: verdict %q does not contain %q", v, want)
		}
	}
	if got := eval[string](tb, `document.querySelector(".wfp-editor [data-wfp-verdict]").dataset.wfpVerdict`); got != "block" {
		t.Errorf("first sample: data-wfp-verdict = %q, want block", got)
	}
	// The trace marks the deciding filter and shows filter 1's permit being overridden, and every
	// step keeps its evidence badge and its Learn link.
	if n := eval[int](tb, `document.querySelectorAll('.wfp-editor .wfp-filters > li.hit[data-filter-id="2"]').length`); n != 1 {
		t.Errorf("the deciding filter 2 is marked %d times in the trace, want once", n)
	}
	if got := tb.text(`.wfp-editor .wfp-filters > li[data-filter-id="2"]`); !strings.Contains(got, "permit/write → block/cleared") || !strings.Contains(got, "overrode") {
		t.Errorf("filter 2's trace step = %q, want the rights change permit/write → block/cleared and outcome overrode", got)
	}
	steps := eval[int](tb, `document.querySelectorAll(".wfp-editor .wfp-trace li").length`)
	badges := eval[int](tb, `document.querySelectorAll(".wfp-editor .wfp-trace li .wfp-step-foot .claim").length`)
	learn := eval[int](tb, `[...document.querySelectorAll(".wfp-editor .wfp-trace .wfp-step-foot a")].filter(a => a.href.startsWith("https://learn.microsoft.com/")).length`)
	if steps == 0 || badges != steps || learn != steps {
		t.Errorf("trace has %d steps, %d evidence badges and %d Learn links; want one of each per step", steps, badges, learn)
	}
	tb.do("scrolling to the verdict", chromedp.ScrollIntoView(chromedp.CSS(".wfp-editor [data-wfp-verdict]")))
	tb.screenshot(b.artifacts, "wfp-verdict.png", false)

	// The veto sample, chosen from the list and loaded with a click.
	tb.do("choosing the veto sample", chromedp.SetValue(chromedp.CSS(".wfp-editor select"), "veto"),
		chromedp.Click(chromedp.CSS(".wfp-editor button.secondary"), chromedp.NodeVisible))
	tb.waitFor("the veto verdict", `document.querySelector(".wfp-editor [data-wfp-verdict]").textContent.includes("Filter 30")`)
	if v := strings.ToLower(wfpVerdict(tb)); !strings.Contains(v, "block") || !strings.Contains(v, "veto") || !strings.Contains(v, "in sublayer edr") {
		t.Errorf("veto sample: verdict %q, want a block by veto in sublayer edr", v)
	}

	// The phase slider re-runs the boot sample: a boot-time block before BFE, the persistent
	// permit once it runs.
	tb.do("choosing the boot sample", chromedp.SetValue(chromedp.CSS(".wfp-editor select"), "boot"),
		chromedp.Click(chromedp.CSS(".wfp-editor button.secondary"), chromedp.NodeVisible))
	tb.waitFor("the boot verdict", `document.querySelector(".wfp-editor [data-wfp-verdict]").textContent.includes("Block outbound until the firewall runs")`)
	if got := eval[string](tb, `document.querySelector("[data-wfp-phase]").getAttribute("aria-valuetext")`); got != "boot" {
		t.Errorf("after loading the boot sample the slider says %q, want boot", got)
	}
	tb.do("moving the phase slider to running", chromedp.Focus(chromedp.CSS("[data-wfp-phase]")), chromedp.KeyEvent(kb.ArrowRight))
	tb.waitFor("the running verdict", `document.querySelector(".wfp-editor [data-wfp-verdict]").dataset.wfpVerdict === "permit"`)
	if v := wfpVerdict(tb); !strings.Contains(v, "Filter 3 “Allow HTTPS (persistent)”") || !strings.Contains(v, "phase running") {
		t.Errorf("running phase: verdict %q, want the persistent filter 3 in phase running", v)
	}
	if n := eval[int](tb, `document.querySelectorAll(".wfp-editor .wfp-inactive li").length`); n != 2 {
		t.Errorf("running phase: %d inactive filters listed, want the 2 boot-time filters", n)
	}
	tb.do("moving the phase slider back to boot", chromedp.KeyEvent(kb.ArrowLeft))
	tb.waitFor("the boot verdict again", `document.querySelector(".wfp-editor [data-wfp-verdict]").dataset.wfpVerdict === "block"`)
	tb.assertCleanConsole("/tools/wfp (samples and phase)")

	// A scenario that breaks a documented constraint, typed in: weight range 16 > FWPM_WEIGHT_RANGE_MAX.
	bad := `{"layer": "ALE_AUTH_CONNECT_V4", "filters": [{"id": 1, "action": "block", "weight": {"range": 16}}]}`
	tb.do("typing an invalid scenario", append(wfpReplaceText("[data-wfp-scenario]", bad),
		chromedp.Click(chromedp.CSS("[data-wfp-run]"), chromedp.NodeVisible))...)
	tb.waitFor("the error", `document.querySelector("[data-wfp-error] .lab-error") !== null`)
	msg := tb.text("[data-wfp-error] .lab-error")
	off := strings.Index(bad, "16")
	for _, want := range []string{"filters[0].weight.range", fmt.Sprintf("line 1, column %d (offset %d)", off+1, off), "from 0 to 15"} {
		if !strings.Contains(msg, want) {
			t.Errorf("weight range error = %q, want it to contain %q", msg, want)
		}
	}
	// The snippet shows the line (or a window of it) with a caret under the offending "16".
	if under := eval[string](tb, `(() => { const s = document.querySelectorAll("[data-wfp-error] .wfp-snippet span");
		return s[0].textContent.slice(s[1].textContent.length - 1, s[1].textContent.length + 1); })()`); under != "16" {
		t.Errorf("the caret points at %q, want the 16 of the weight range", under)
	}
	if eval[bool](tb, `document.querySelector(".wfp-editor [data-wfp-verdict]") !== null`) {
		t.Errorf("an old verdict is still shown next to the error")
	}
	if got := eval[string](tb, `document.querySelector("[data-wfp-scenario]").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("textarea aria-invalid = %q after an error", got)
	}
	tb.do("scrolling to the error", chromedp.ScrollIntoView(chromedp.CSS("[data-wfp-error]")))
	tb.screenshot(b.artifacts, "wfp-error.png", false)

	// A missing field has no position of its own: the error points at the object that lacks it.
	missing := `{"layer": "ALE_AUTH_CONNECT_V4", "filters": [{"id": 7}]}`
	tb.do("typing a filter without action", append(wfpReplaceText("[data-wfp-scenario]", missing),
		chromedp.Click(chromedp.CSS("[data-wfp-run]"), chromedp.NodeVisible))...)
	tb.waitFor("the missing-field error", `document.querySelector("[data-wfp-error] .lab-error").textContent.includes("filters[0].action")`)
	if msg := tb.text("[data-wfp-error] .lab-error"); !strings.Contains(msg, fmt.Sprintf("(offset %d, where filters[0] starts)", strings.Index(missing, `{"id"`))) || !strings.Contains(msg, "required") {
		t.Errorf("missing action error = %q, want the offset of filters[0] and the word required", msg)
	}

	// Broken JSON is caught before the engine, with the position of the problem.
	broken := `{"layer": "ALE_AUTH_CONNECT_V4",, "filters": []}`
	tb.do("typing broken JSON", append(wfpReplaceText("[data-wfp-scenario]", broken),
		chromedp.Click(chromedp.CSS("[data-wfp-run]"), chromedp.NodeVisible))...)
	tb.waitFor("the syntax error", `document.querySelector("[data-wfp-error] .lab-error").textContent.includes("expected a key")`)
	if msg := tb.text("[data-wfp-error] .lab-error"); !strings.Contains(msg, fmt.Sprintf("(offset %d)", strings.Index(broken, ",,")+1)) {
		t.Errorf("syntax error = %q, want the offset of the second comma", msg)
	}
	tb.assertCleanConsole("/tools/wfp (errors)")

	puzzle := func(id string) string { return `[data-puzzle="` + id + `"] ` }
	check := func(id string) (bool, string) {
		t.Helper()
		tb.do("checking "+id, chromedp.Click(chromedp.CSS(puzzle(id)+"[data-puzzle-check]"), chromedp.NodeVisible))
		tb.waitFor("feedback on "+id, `document.querySelector('`+puzzle(id)+`[data-correct]') !== null || document.querySelector('`+puzzle(id)+`.lab-error') !== null`)
		if eval[bool](tb, `document.querySelector('`+puzzle(id)+`.lab-error') !== null`) {
			return false, tb.text(puzzle(id) + ".lab-error")
		}
		return eval[string](tb, `document.querySelector('`+puzzle(id)+`[data-correct]').dataset.correct`) == "true",
			tb.text(puzzle(id) + "[data-correct]")
	}

	// Predict the verdict, right: a hard permit that a compliant callout leaves alone.
	tb.do("answering permit, hard", chromedp.Click(chromedp.CSS(puzzle("predict-hard-permit")+`input[value="permit"]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(puzzle("predict-hard-permit")+`input[value="hard"]`), chromedp.NodeVisible))
	if ok, fb := check("predict-hard-permit"); !ok || !strings.Contains(fb, "Your answer is right") || !strings.Contains(fb, "permit (hard) by filter 1") {
		t.Errorf("predict-hard-permit answered permit/hard: correct=%v feedback %q", ok, fb)
	}
	if n := eval[int](tb, `document.querySelectorAll('`+puzzle("predict-hard-permit")+`.wfp-puzzle-trace[open] .wfp-trace li').length`); n == 0 {
		t.Errorf("a correct answer should open the engine's trace")
	}
	tb.do("scrolling to the puzzle", chromedp.ScrollIntoView(chromedp.CSS(puzzle("predict-hard-permit")+"[data-puzzle-feedback]")))
	tb.screenshot(b.artifacts, "wfp-puzzle-correct.png", false)

	// Predict the verdict, wrong: the soft permit does not survive the lower block.
	tb.do("answering permit, soft", chromedp.Click(chromedp.CSS(puzzle("predict-soft-permit")+`input[value="permit"]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(puzzle("predict-soft-permit")+`input[value="soft"]`), chromedp.NodeVisible))
	if ok, fb := check("predict-soft-permit"); ok || !strings.Contains(fb, "Not right yet") || !strings.Contains(fb, "the engine's verdict is block, not permit") {
		t.Errorf("predict-soft-permit answered permit/soft: correct=%v feedback %q", ok, fb)
	}

	// The RDP puzzle: a hard permit in a higher sublayer is vetoed (wrong) ...
	tb.do("building a hard permit in corp-admin", chromedp.SetValue(chromedp.CSS(puzzle("rdp-allow")+"[data-form-sublayer]"), "corp-admin"),
		chromedp.SendKeys(chromedp.CSS(puzzle("rdp-allow")+"[data-form-weight]"), "100"),
		chromedp.Click(chromedp.CSS(puzzle("rdp-allow")+"[data-form-clear]"), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(puzzle("rdp-allow")+"[data-form-fill]"), chromedp.NodeVisible))
	if ok, fb := check("rdp-allow"); ok || !strings.Contains(fb, "vetoed your hard permit") {
		t.Errorf("rdp-allow with a hard permit in corp-admin: correct=%v feedback %q", ok, fb)
	}
	tb.do("scrolling to the RDP feedback", chromedp.ScrollIntoView(chromedp.CSS(puzzle("rdp-allow")+"[data-puzzle-feedback]")))
	tb.screenshot(b.artifacts, "wfp-puzzle-wrong.png", false)
	// ... a permit in the vendor's sublayer above its callout filter is the way (right).
	tb.do("building a permit in vendor-fw", chromedp.SetValue(chromedp.CSS(puzzle("rdp-allow")+"[data-form-sublayer]"), "vendor-fw"))
	tb.do("typing weight 2000, a soft permit", append(wfpReplaceText(puzzle("rdp-allow")+"[data-form-weight]", "2000"),
		chromedp.Click(chromedp.CSS(puzzle("rdp-allow")+"[data-form-clear]"), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(puzzle("rdp-allow")+"[data-form-fill]"), chromedp.NodeVisible))...)
	if ok, fb := check("rdp-allow"); !ok || !strings.Contains(fb, "No veto was needed") {
		t.Errorf("rdp-allow with a permit in vendor-fw at weight 2000: correct=%v feedback %q", ok, fb)
	}
	// An invalid filter typed into the answer box: the error names the field and points into the box.
	badFilter := `{"id": 901, "sublayer": "vendor-fw", "weight": {"range": 16}, "action": "permit"}`
	tb.do("typing an invalid filter", wfpReplaceText(puzzle("rdp-allow")+"[data-puzzle-filter]", badFilter)...)
	if ok, fb := check("rdp-allow"); ok || !strings.Contains(fb, "answer.filter.weight.range") ||
		!strings.Contains(fb, fmt.Sprintf("(offset %d)", strings.Index(badFilter, "16"))) {
		t.Errorf("rdp-allow with weight range 16: correct=%v feedback %q, want the field and its offset in the box", ok, fb)
	}

	// Why was my connection blocked? The orphaned EDR filter.
	tb.do("answering why-blocked", chromedp.SetValue(chromedp.CSS(puzzle("why-blocked")+"[data-puzzle-filterid]"), "50"),
		chromedp.Click(chromedp.CSS(puzzle("why-blocked")+`input[value="unregistered-callout"]`), chromedp.NodeVisible))
	if ok, fb := check("why-blocked"); !ok || !strings.Contains(fb, "PERMIT_IF_CALLOUT_UNREGISTERED") {
		t.Errorf("why-blocked answered 50/unregistered-callout: correct=%v feedback %q", ok, fb)
	}
	if junk := eval[string](tb, `(() => { const m = /\[object \w+\]|\bundefined\b|\bNaN\b/.exec(document.querySelector("[data-lab-mount]").textContent); return m ? m[0] : ""; })()`); junk != "" {
		t.Errorf("the widget shows %q somewhere: a value was rendered without formatting", junk)
	}
	tb.assertCleanConsole("/tools/wfp (puzzles)")

	// Dark theme and a phone-sized viewport: nothing may scroll sideways.
	tb.do("switching to the dark theme", chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.theme = "dark"`),
		chromedp.ScrollIntoView(chromedp.CSS(".wfp-editor [data-wfp-phase]")))
	tb.screenshot(b.artifacts, "wfp-dark.png", false)

	nt := b.newTab(t)
	nt.do("emulating a 390x844 viewport", chromedp.EmulateViewport(390, 844))
	nt.secOpenLab("wfp")
	if sw := eval[int](nt, "document.scrollingElement.scrollWidth"); sw > 390 {
		t.Errorf("/tools/wfp at 390px scrolls sideways (scrollWidth %d); widest offenders: %q", sw, eval[[]string](nt, wideElementsJS))
	}
	nt.do("scrolling to the verdict", chromedp.ScrollIntoView(chromedp.CSS(".wfp-editor [data-wfp-verdict]")))
	nt.screenshot(b.artifacts, "wfp-390-verdict.png", false)
	nt.do("scrolling to the trace", chromedp.ScrollIntoView(chromedp.CSS(`.wfp-editor .wfp-filters > li[data-filter-id="2"]`)))
	nt.screenshot(b.artifacts, "wfp-390-trace.png", false)
	nt.do("scrolling to the RDP puzzle", chromedp.ScrollIntoView(chromedp.CSS(`[data-puzzle="rdp-allow"] [data-form-fill]`)))
	nt.screenshot(b.artifacts, "wfp-390-puzzle.png", false)
	nt.assertCleanConsole("/tools/wfp (390px)")
}
