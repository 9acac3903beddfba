package web_test

// The I/O request journey (/tools/irp) in headless Chromium: a preset read is stepped with the
// Next button from the system call to the caller's wake-up, showing a STATUS_PENDING step, the
// highlighted current stack location and the completion order at the end; Play advances on its
// own; a wrong and then a right prediction of the completion order are judged by the engine,
// with the reordering done by the keyboard-accessible move buttons. Reuses the tab helpers of
// browser_test.go, the lab helpers of lab_sddl_browser_test.go (secLabBrowser, secOpenLab) and
// ptClick/ptNarrow/ptJunkJS of lab_proctree_browser_test.go.
// Run: go test ./internal/web -run BrowserLabIRP -count=1 -v

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// irpStep is what the page shows for the current step.
type irpStep struct {
	Counter  string `json:"counter"`
	Actor    string `json:"actor"`
	Text     string `json:"text"`
	IRQL     string `json:"irql"`
	Pending  bool   `json:"pending"`
	Current  string `json:"current"`  // the highlighted stack location's number, "" when none
	Location string `json:"location"` // data-current of the locations table
	NextOff  bool   `json:"nextOff"`
}

const irpStepJS = `(() => {
	const q = (s) => document.querySelector(s);
	const cur = q(".irp-locs tr.irp-current th");
	const dd = [...document.querySelectorAll(".irp-step dt")].find(d => d.textContent === "IRQL");
	return {counter: q(".irp-counter").textContent, actor: q(".irp-actor").textContent, text: q(".irp-text").textContent,
		irql: dd ? dd.nextElementSibling.textContent : "",
		pending: !!q(".irp-step .irp-badge-pending"),
		current: cur ? cur.textContent.replace(/\D/g, "") : "", location: q(".irp-locs") ? q(".irp-locs").dataset.current : "",
		nextOff: q('[data-action="next"]').disabled};
})()`

// irpPredicted reads the prediction list: the ticked names in order.
const irpPredictedJS = `[...document.querySelectorAll(".irp-predlist li")].filter(li => li.querySelector("input").checked).map(li => li.dataset.name)`

// irpChoose picks a request preset as a learner does: the value changes and the page hears "change".
func irpChoose(tb *tab, id string) {
	tb.t.Helper()
	tb.do("choosing the request "+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.querySelector(".lab-row > div:nth-child(2) select"); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, id)))
	if got := eval[string](tb, `document.querySelector(".lab-row > div:nth-child(2) select").value`); got != id {
		tb.t.Fatalf("request select holds %q, want %q (no such option?)", got, id)
	}
}

func TestBrowserLabIRP(t *testing.T) {
	b := secLabBrowser(t)
	tb := b.newTab(t)
	tb.secOpenLab("irp")
	tb.assertCleanConsole("/tools/irp (loaded)")

	// The defaults are the first preset stack and its first request.
	if got := eval[string](tb, `document.querySelector(".lab-widget select").value`); got != "storage-read" {
		t.Fatalf("default stack %q, want storage-read", got)
	}
	irpChoose(tb, "read-sync")
	if rows := eval[int](tb, `document.querySelectorAll(".irp-stack tbody tr").length`); rows != 9 {
		t.Errorf("the stack table has %d rows, want 7 drivers + 2 minifilters", rows)
	}

	ptClick(tb, "starting the journey", `[data-action="start"]`)
	tb.waitFor("the first step", `document.querySelector(".irp-counter").textContent.startsWith("Step 1 of ")`)
	first := eval[irpStep](tb, irpStepJS)
	var total int
	if _, err := fmt.Sscanf(first.Counter, "Step 1 of %d", &total); err != nil || total < 20 {
		t.Fatalf("step counter %q", first.Counter)
	}
	if first.Actor != "application" || !strings.Contains(first.Text, "ReadFile") || first.IRQL != "PASSIVE_LEVEL" {
		t.Errorf("first step = %+v, want the application calling ReadFile at PASSIVE_LEVEL", first)
	}
	if got := eval[string](tb, `document.activeElement.dataset.action || ""`); got != "next" {
		t.Errorf("after Start the focus is on %q, want the Next button", got)
	}

	// Step to the end with Next (Enter on the focused button, then clicks), noting what each
	// step shows.
	var pendingStep, dirqlStep, shotStep int
	seenCurrent := map[string]bool{}
	for n := 1; n < total; n++ {
		if n%2 == 0 {
			tb.press(kb.Enter) // the focus stays on Next
		} else {
			ptClick(tb, fmt.Sprintf("Next on step %d", n), `[data-action="next"]`)
		}
		want := fmt.Sprintf("Step %d of %d", n+1, total)
		tb.waitFor(want, `document.querySelector(".irp-counter").textContent === "`+want+`"`)
		s := eval[irpStep](tb, irpStepJS)
		if s.Pending && pendingStep == 0 {
			pendingStep = n + 1
			if !strings.Contains(s.Text, "STATUS_PENDING") {
				t.Errorf("step %d is marked STATUS_PENDING but says %q", n+1, s.Text)
			}
			if s.Current == "" || s.Current != s.Location {
				t.Errorf("step %d: highlighted location %q, table says current %q", n+1, s.Current, s.Location)
			}
			tb.do("scrolling to the step", chromedp.Evaluate[chromedp.Void](`document.querySelector(".irp-controls").scrollIntoView({block: "start"})`))
			tb.screenshot(b.artifacts, "lab-irp-pending.png", false)
			shotStep = n + 1
		}
		if s.IRQL == "DIRQL" {
			dirqlStep = n + 1
		}
		if s.Current != "" {
			seenCurrent[s.Current] = true
		}
		if s.NextOff != (n+1 == total) {
			t.Errorf("step %d of %d: Next disabled = %v", n+1, total, s.NextOff)
		}
	}
	if pendingStep == 0 {
		t.Errorf("no step of the non-cached read showed STATUS_PENDING")
	}
	if dirqlStep == 0 || dirqlStep < pendingStep {
		t.Errorf("the device interrupt (DIRQL) came at step %d, want one after the pend at step %d", dirqlStep, pendingStep)
	}
	// The IRP went down through locations 7 to 3 and back up (2 and 1 are unused: two layers skip).
	for _, loc := range []string{"7", "6", "5", "4", "3"} {
		if !seenCurrent[loc] {
			t.Errorf("stack location %s was never shown as current (saw %v)", loc, seenCurrent)
		}
	}
	t.Logf("STATUS_PENDING first shown at step %d (screenshot at %d), DIRQL at %d, %d steps", pendingStep, shotStep, dirqlStep, total)

	summary := tb.text(".irp-summary")
	for _, want := range []string{"Journey complete", "STATUS_SUCCESS", "4096 bytes",
		"Completion routines ran in this order: disk.sys → volmgr.sys → ntfs.sys → FileInfo → WdFilter"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the end of the journey lacks %q: %q", want, summary)
		}
	}
	tb.do("scrolling to the summary", chromedp.Evaluate[chromedp.Void](`document.querySelector(".irp-summary").scrollIntoView({block: "start"})`))
	tb.screenshot(b.artifacts, "lab-irp-complete.png", false)
	tb.assertCleanConsole("/tools/irp (journey)")

	// Previous goes back; Play advances by itself and Pause stops it.
	ptClick(tb, "Previous", `[data-action="prev"]`)
	if got := eval[irpStep](tb, irpStepJS).Counter; got != fmt.Sprintf("Step %d of %d", total-1, total) {
		t.Errorf("after Previous: %q", got)
	}
	if eval[int](tb, `document.querySelectorAll(".irp-summary *").length`) != 0 {
		t.Errorf("the summary stays on screen after going back from the last step")
	}
	ptClick(tb, "Play", `[data-action="play"]`)
	if got := eval[string](tb, `document.querySelector('[data-action="play"]').getAttribute("aria-pressed")`); got != "true" {
		t.Errorf("Play aria-pressed = %q", got)
	}
	tb.waitFor("Play to reach the last step", fmt.Sprintf(`document.querySelector(".irp-counter").textContent === "Step %d of %d"`, total, total))
	tb.waitFor("Play to stop at the end", `document.querySelector('[data-action="play"]').getAttribute("aria-pressed") === "false"`)

	// The prediction: first the list as offered (top of the stack first, everything ticked)...
	const pred = ".irp-predlist"
	offered := eval[[]string](tb, irpPredictedJS)
	if len(offered) != 8 || offered[0] != "WdFilter" || offered[7] != "stornvme.sys" {
		t.Fatalf("prediction list offers %q, want the two minifilters and six drivers below Filter Manager, top first", offered)
	}
	ptClick(tb, "checking the offered order", `[data-action="check"]`)
	tb.waitFor("the verdict", `document.querySelector(".lab-exercise .lab-verdict") !== null`)
	if v := tb.text(".lab-exercise .lab-verdict"); !strings.HasPrefix(v, "Not quite: position 1 differs") {
		t.Errorf("verdict for the top-down order = %q", v)
	}
	if v := tb.text(".lab-exercise"); !strings.Contains(v, "Simulated order: disk.sys → volmgr.sys → ntfs.sys → FileInfo → WdFilter") {
		t.Errorf("the wrong answer does not show the simulated order: %q", v)
	}

	// ...then the right order, built with the move buttons, untick the three without a routine.
	want := []string{"disk.sys", "volmgr.sys", "ntfs.sys", "FileInfo", "WdFilter"}
	for _, name := range []string{"volsnap.sys", "partmgr.sys", "stornvme.sys"} {
		ptClick(tb, "unticking "+name, pred+` li[data-name="`+name+`"] input`)
	}
	// disk.sys to the top with the keyboard: focus its Up button and press Enter; the focus must
	// follow the moved item so Enter can be pressed again.
	tb.do("focusing disk.sys's Up button", chromedp.Focus(chromedp.CSS(pred+` li[data-name="disk.sys"] [data-move="up"]`)))
	for i := 0; i < 6; i++ {
		tb.press(kb.Enter)
		if got := eval[string](tb, `document.activeElement.closest("li") ? document.activeElement.closest("li").dataset.name : ""`); got != "disk.sys" {
			t.Fatalf("after moving disk.sys up %d times the focus is on %q", i+1, got)
		}
	}
	if got := tb.text(".irp-sr-live"); got != "disk.sys moved to position 1 of 8." {
		t.Errorf("move announcement = %q", got)
	}
	for pos, name := range want[1:] {
		target := pos + 1
		for {
			idx := eval[int](tb, `[...document.querySelectorAll(".irp-predlist li")].findIndex(li => li.dataset.name === "`+name+`")`)
			if idx <= target {
				break
			}
			ptClick(tb, "moving "+name+" up", pred+` li[data-name="`+name+`"] [data-move="up"]`)
		}
	}
	if got := eval[[]string](tb, irpPredictedJS); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("prediction list after reordering = %q, want %q", got, want)
	}
	ptClick(tb, "checking the right order", `[data-action="check"]`)
	tb.waitFor("the right verdict", `document.querySelector(".lab-exercise .lab-verdict").textContent === "Right: that is the order."`)
	if bad := eval[string](tb, ptJunkJS); bad != "" {
		t.Errorf("the widget prints a JavaScript value instead of text: %q", bad)
	}
	tb.do("scrolling to the exercise", chromedp.Evaluate[chromedp.Void](`document.querySelector(".lab-exercise").scrollIntoView({block: "start"})`))
	tb.screenshot(b.artifacts, "lab-irp-predict.png", false)
	tb.assertCleanConsole("/tools/irp (prediction)")

	// Fast I/O: the cached read builds no IRP and says so.
	irpChoose(tb, "read-cached")
	ptClick(tb, "starting the cached journey", `[data-action="start"]`)
	tb.waitFor("the cached journey", `document.querySelector(".irp-counter").textContent.startsWith("Step 1 of ")`)
	ptClick(tb, "Next", `[data-action="next"]`)
	tb.waitFor("the fast I/O step", `document.querySelector(".irp-fastio") !== null`)
	if !strings.Contains(tb.text(".irp-step"), "fast I/O short-circuit") {
		t.Errorf("the fast I/O step is not marked: %q", tb.text(".irp-step"))
	}
	tb.assertCleanConsole("/tools/irp (fast I/O)")

	// The dark theme: the same widget with the site's dark variables.
	ptClick(tb, "switching to the dark theme", "[data-theme-toggle]")
	tb.do("scrolling to the step", chromedp.Evaluate[chromedp.Void](`document.querySelector(".irp-controls").scrollIntoView({block: "start"})`))
	tb.screenshot(b.artifacts, "lab-irp-dark.png", false)
	ptClick(tb, "switching back to the light theme", "[data-theme-toggle]")
	tb.assertCleanConsole("/tools/irp (themes)")

	ptNarrow(t, b, "irp", `document.querySelector('[data-action="start"]').click()`, "lab-irp-390.png")
}
