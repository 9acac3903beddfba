package web_test

// The process tree explorer (/tools/process-tree) in headless Chromium: the sample boot tree
// renders as an expandable, keyboard-navigable tree whose processes explain themselves; a pasted
// Get-CimInstance list with an lsass.exe outside System32 gets that finding on screen; a truncated
// list gets an error naming the line and byte offset with a marker; an exercise is checked by the
// engine. Reuses the tab helpers of browser_test.go and the lab helpers of
// lab_sddl_browser_test.go (secLabBrowser, secOpenLab, secPaste).
// Run: go test ./internal/web -run BrowserLabProctree -count=1 -v

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// ptCIM is what Windows PowerShell 5.1 prints for Get-CimInstance Win32_Process | Select-Object
// … | ConvertTo-Json (dates as \/Date(ms)\/), cut down to a boot chain in which lsass.exe runs
// from C:\Users\Public instead of System32.
const ptCIM = `[
    {
        "ProcessId":  4,
        "ParentProcessId":  0,
        "Name":  "System",
        "SessionId":  0,
        "CreationDate":  "\/Date(1700000000000)\/",
        "ExecutablePath":  null,
        "CommandLine":  null
    },
    {
        "ProcessId":  604,
        "ParentProcessId":  508,
        "Name":  "wininit.exe",
        "SessionId":  0,
        "CreationDate":  "\/Date(1700000002000)\/",
        "ExecutablePath":  "C:\\Windows\\System32\\wininit.exe",
        "CommandLine":  "wininit.exe"
    },
    {
        "ProcessId":  780,
        "ParentProcessId":  604,
        "Name":  "lsass.exe",
        "SessionId":  0,
        "CreationDate":  "\/Date(1700000003000)\/",
        "ExecutablePath":  "C:\\Users\\Public\\lsass.exe",
        "CommandLine":  "C:\\Users\\Public\\lsass.exe"
    }
]`

// ptJunkJS finds text that only a rendering bug produces: a null or an element stringified.
const ptJunkJS = `(() => { const m = /\[object \w+\]|\bnull\b|\bundefined\b/.exec(document.querySelector("[data-lab-mount]").textContent); return m ? m[0] : ""; })()`

// ptClick scrolls an element into view and clicks it.
func ptClick(tb *tab, what, sel string) {
	tb.t.Helper()
	tb.do(what, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// ptNarrow reopens a lab at 390 px: the page must not scroll sideways (wide tables scroll inside
// their own .lab-scroll box), and a screenshot of the widget is saved for review.
func ptNarrow(t *testing.T, b *browser, slug, prep, shot string) {
	t.Helper()
	nt := b.newTab(t)
	nt.do("emulating a 390x844 viewport", chromedp.EmulateViewport(390, 844))
	nt.secOpenLab(slug)
	if prep != "" {
		nt.do("preparing the narrow view", chromedp.Evaluate[chromedp.Void](prep))
	}
	if sw := eval[int](nt, "document.scrollingElement.scrollWidth"); sw > 390 {
		t.Errorf("/tools/%s at 390px scrolls sideways (scrollWidth %d); offenders: %q", slug, sw, eval[[]string](nt, wideElementsJS))
	}
	nt.do("scrolling to the widget", chromedp.ScrollIntoView(chromedp.CSS("[data-lab-mount]")))
	nt.screenshot(b.artifacts, shot, false)
	nt.assertCleanConsole("/tools/" + slug + " (390px)")
}

func TestBrowserLabProctree(t *testing.T) {
	b := secLabBrowser(t)
	tb := b.newTab(t)
	tb.secOpenLab("process-tree")
	tb.assertCleanConsole("/tools/process-tree (loaded)")

	// The sample: every process of the engine's sample is a button in a nested list.
	const sample = `[data-view="sample"]`
	if n := eval[int](tb, `document.querySelectorAll('`+sample+` .pt-node').length`); n != 35 {
		t.Errorf("the sample tree shows %d processes, want the engine's 35", n)
	}
	for _, name := range []string{"System", "smss.exe", "wininit.exe", "services.exe", "lsass.exe", "winlogon.exe", "explorer.exe"} {
		if !eval[bool](tb, `[...document.querySelectorAll('`+sample+` .pt-name')].some(e => e.textContent === "`+name+`")`) {
			t.Errorf("the sample tree has no %s", name)
		}
	}
	if !strings.Contains(tb.text("#pt-panel-sample"), "Sample, not your machine") {
		t.Errorf("the sample is not labelled as a sample")
	}
	// services.exe is a child of wininit.exe in the nested list.
	if !eval[bool](tb, `(() => { const s = document.querySelector('`+sample+` .pt-node[data-pid="760"]'); return s.closest("ul").closest("li").querySelector(":scope > .pt-node").dataset.pid === "604"; })()`) {
		t.Errorf("services.exe (760) is not nested under wininit.exe (604)")
	}

	// Clicking a process explains it.
	ptClick(tb, "clicking lsass.exe in the sample", sample+` .pt-node[data-pid="780"]`)
	detail := tb.text(sample + ` .pt-detail`)
	for _, want := range []string{"lsass.exe (PID 780)", "Started by", "wininit.exe", "Normal instances", "Integrity level", `C:\Windows\System32\lsass.exe`} {
		if !strings.Contains(detail, want) {
			t.Errorf("lsass.exe explanation lacks %q: %q", want, detail)
		}
	}
	if eval[int](tb, `document.querySelectorAll('`+sample+` .pt-detail .claim').length`) == 0 {
		t.Errorf("the explanation shows no evidence label")
	}
	if got := eval[string](tb, `document.querySelector('`+sample+` .pt-node[data-pid="780"]').getAttribute("aria-pressed")`); got != "true" {
		t.Errorf("selected process aria-pressed = %q", got)
	}

	// Keyboard: arrows move between processes, Left closes a branch, Right opens it again.
	tb.do("focusing wininit.exe", chromedp.Focus(chromedp.CSS(sample+` .pt-node[data-pid="604"]`)))
	tb.press(kb.ArrowDown)
	if got := eval[string](tb, `document.activeElement.dataset.pid || ""`); got != "760" {
		t.Errorf("ArrowDown from wininit.exe went to PID %q, want its first child services.exe (760)", got)
	}
	tb.press(kb.ArrowUp)
	tb.press(kb.ArrowLeft)
	if got := eval[string](tb, `document.querySelector('`+sample+` .pt-node[data-pid="604"]').parentElement.querySelector(":scope > .pt-toggle").getAttribute("aria-expanded")`); got != "false" {
		t.Errorf("ArrowLeft on wininit.exe left aria-expanded=%q, want false", got)
	}
	if eval[bool](tb, `document.querySelector('`+sample+` .pt-node[data-pid="760"]').offsetParent !== null`) {
		t.Errorf("services.exe is still visible after collapsing wininit.exe")
	}
	tb.press(kb.Enter) // Enter on the focused process selects it and shows its explanation
	if !strings.Contains(tb.text(sample+` .pt-detail`), "wininit.exe (PID 604)") {
		t.Errorf("Enter on wininit.exe did not explain it")
	}
	tb.press(kb.ArrowRight)
	if eval[bool](tb, `document.querySelector('`+sample+` .pt-node[data-pid="760"]').offsetParent === null`) {
		t.Errorf("ArrowRight did not open wininit.exe again")
	}
	f := eval[focused](tb, focusedJS)
	checkFocusRing(t, "tree process button", f)
	tb.screenshot(b.artifacts, "lab-proctree-sample.png", false)
	tb.assertCleanConsole("/tools/process-tree (sample)")

	// The learner's own list, pasted.
	ptClick(tb, "opening the Your process list tab", "#pt-tab-mine")
	const ta = "#pt-panel-mine textarea"
	tb.secPaste(ta, ptCIM)
	ptClick(tb, "analysing the pasted list", `#pt-panel-mine [data-action="analyse"]`)
	tb.waitFor("the findings table", `document.querySelector('#pt-panel-mine .pt-findings tr[data-rule="unexpected-path"][data-pid="780"]') !== null`)
	row := tb.text(`#pt-panel-mine .pt-findings tr[data-rule="unexpected-path"][data-pid="780"]`)
	for _, want := range []string{"780", "lsass.exe", "unexpected-path", `C:\Users\Public\lsass.exe`, "System32"} {
		if !strings.Contains(row, want) {
			t.Errorf("the lsass.exe finding row lacks %q: %q", want, row)
		}
	}
	// The finding links to the topic that explains lsass.exe.
	if !eval[bool](tb, `document.querySelector('#pt-panel-mine .pt-findings tr[data-pid="780"] a[href="/explore/auth/lsass-sam"]') !== null`) {
		t.Errorf("the finding does not link to /explore/auth/lsass-sam")
	}
	if n := eval[int](tb, `document.querySelectorAll('#pt-panel-mine [data-view="mine"] .pt-node').length`); n != 3 {
		t.Errorf("the imported tree shows %d processes, want 3", n)
	}
	if !eval[bool](tb, `document.querySelector('#pt-panel-mine [data-view="mine"] .pt-node[data-pid="780"]').classList.contains("pt-flagged")`) {
		t.Errorf("lsass.exe is not marked in the imported tree")
	}
	tb.do("scrolling to the findings", chromedp.Evaluate[chromedp.Void](`document.querySelector("#pt-panel-mine .pt-summary").scrollIntoView({block: "start"})`))
	tb.screenshot(b.artifacts, "lab-proctree-import.png", false)
	tb.assertCleanConsole("/tools/process-tree (import)")

	// A truncated list: the error names the line and the byte offset and marks the spot.
	cut := ptCIM[:300]
	tb.secPaste(ta, cut)
	ptClick(tb, "analysing the truncated list", `#pt-panel-mine [data-action="analyse"]`)
	tb.waitFor("the error", `!document.querySelector("#pt-panel-mine .pt-error").hidden`)
	msg := tb.text("#pt-panel-mine .pt-error .lab-error")
	for _, want := range []string{"byte offset 300", "line 13", "truncated"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the truncation error lacks %q: %q", want, msg)
		}
	}
	if caret := eval[string](tb, `document.querySelector("#pt-panel-mine .pt-caret").textContent`); !strings.HasSuffix(caret, "^") {
		t.Errorf("the error shows no marker under the position: %q", caret)
	}
	if got := eval[string](tb, `document.querySelector('`+ta+`').getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("textarea aria-invalid = %q after an error", got)
	}
	if n := eval[int](tb, `document.querySelectorAll("#pt-panel-mine .pt-findings").length`); n != 0 {
		t.Errorf("the previous findings are still shown beside the error")
	}
	tb.do("scrolling to the error", chromedp.ScrollIntoView(chromedp.CSS("#pt-panel-mine .pt-error")))
	tb.screenshot(b.artifacts, "lab-proctree-error.png", false)
	tb.assertCleanConsole("/tools/process-tree (error)")

	// The same list opened as a file the way Windows PowerShell 5.1's ">" writes it (UTF-16 LE
	// with a BOM): the page decodes it, fills the textarea and analyses it.
	u16 := []byte{0xff, 0xfe}
	for _, r := range utf16.Encode([]rune(ptCIM)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	file := filepath.Join(t.TempDir(), "procs.json")
	if err := os.WriteFile(file, u16, 0o644); err != nil {
		t.Fatal(err)
	}
	tb.do("opening procs.json", chromedp.SetUploadFiles(`#pt-panel-mine input[type="file"]`, []string{file}))
	tb.waitFor("the findings of the opened file", `document.querySelector('#pt-panel-mine .pt-findings tr[data-rule="unexpected-path"][data-pid="780"]') !== null`)
	if got := eval[string](tb, `document.querySelector('`+ta+`').value`); got != ptCIM {
		t.Errorf("the opened UTF-16 file was decoded to %q", got)
	}
	if !eval[bool](tb, `document.querySelector("#pt-panel-mine .pt-error").hidden`) {
		t.Errorf("the error of the truncated list is still shown after a good file")
	}
	tb.assertCleanConsole("/tools/process-tree (file)")

	// Exercises: a wrong and a right answer, both judged by the engine.
	ptClick(tb, "opening the Exercises tab", "#pt-tab-exercises")
	const odd = `[data-exercise="odd-svchost-parent"]`
	ptClick(tb, "opening the exercise", odd+" > summary")
	tb.do("choosing a genuine svchost.exe", chromedp.SetValue(chromedp.CSS(odd+" select"), "880"))
	ptClick(tb, "checking the wrong answer", odd+` [data-action="check"]`)
	tb.waitFor("the verdict", `document.querySelector('`+odd+` .lab-verdict') !== null`)
	if v := tb.text(odd + " .pt-verdict"); !strings.HasPrefix(v, "Not quite.") || !strings.Contains(v, "6120") {
		t.Errorf("verdict for PID 880 = %q, want Not quite naming 6120", v)
	}
	tb.do("choosing the svchost.exe started by explorer.exe", chromedp.SetValue(chromedp.CSS(odd+" select"), "6120"))
	ptClick(tb, "checking the right answer", odd+` [data-action="check"]`)
	tb.waitFor("the new verdict", `document.querySelector('`+odd+` .lab-verdict').textContent === "Right."`)
	if v := tb.text(odd + " .pt-verdict"); !strings.Contains(v, "services.exe") {
		t.Errorf("the right answer's explanation = %q, want why (services.exe starts service hosts)", v)
	}
	// Session 0: tick exactly the engine's answer.
	const s0 = `[data-exercise="session-0"]`
	for _, pid := range []string{"532", "604", "760", "780", "880", "896", "2412"} {
		ptClick(tb, "ticking PID "+pid, s0+` input[value="`+pid+`"]`)
	}
	ptClick(tb, "checking the session-0 answer", s0+` [data-action="check"]`)
	tb.waitFor("the session-0 verdict", `document.querySelector('`+s0+` .lab-verdict') !== null`)
	if v := tb.text(s0 + " .lab-verdict"); v != "Right." {
		t.Errorf("session-0 verdict = %q, want Right.", v)
	}
	tb.do("scrolling to the odd-one-out verdict", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+odd+` .pt-verdict').scrollIntoView({block: "center"})`))
	if bad := eval[string](tb, ptJunkJS); bad != "" {
		t.Errorf("the widget prints a JavaScript value instead of text: %q", bad)
	}
	tb.screenshot(b.artifacts, "lab-proctree-exercise.png", false)
	tb.assertCleanConsole("/tools/process-tree (exercises)")

	ptNarrow(t, b, "process-tree", `document.querySelector('[data-view="sample"] .pt-node[data-pid="780"]').click()`, "lab-proctree-390.png")
}
