package web_test

// The access check simulator in headless Chromium: an SDDL string and a real `whoami /all` text
// (the engine's testdata) are pasted, the token is read in the browser, and the verdict and the
// deciding steps appear on screen; a malformed descriptor is pointed at; a prediction and the
// "Users can read but not write" exercise are checked by the engine, once right and once wrong.
// Reuses the tab helpers of browser_test.go and secLabBrowser of lab_sddl_browser_test.go;
// run: go test ./internal/web -run BrowserLabAccess -count=1 -v

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func readWhoami(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "labs", "access", "testdata", name))
	if err != nil {
		t.Fatalf("reading the whoami sample: %v", err)
	}
	return string(b)
}

func TestBrowserLabAccess(t *testing.T) {
	filtered := readWhoami(t, "whoami-filtered-admin.txt")
	elevated := readWhoami(t, "whoami-elevated.txt")

	b := secLabBrowser(t)
	tb := b.newTab(t)
	tb.secOpenLab("access-check")
	tb.assertCleanConsole("/tools/access-check (ready)")

	const w = `[data-lab-engine] `
	// Only Administrators may write; Users read and execute.
	const sd = "O:BAG:SYD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)"
	tb.secPaste(w+"[data-sd]", sd)
	tb.do("choosing my own token", chromedp.SetValue(chromedp.CSS(w+"[data-token-source]"), "whoami"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-token-source]").dispatchEvent(new Event("change"))`))
	tb.waitFor("the whoami box", `!document.querySelector("[data-whoami]").closest("[hidden]")`)
	tb.secPaste(w+"[data-whoami]", filtered)
	tb.do("reading the token", chromedp.Click(chromedp.CSS(w+".access-whoami button"), chromedp.NodeVisible))
	tb.waitFor("the imported token", `document.querySelector("[data-token]")?.textContent.includes("imported from whoami")`)
	if got := tb.text(w + "[data-token-user]"); got != `desktop\admin` {
		t.Errorf("imported user = %q, want desktop\\admin", got)
	}
	if got := tb.text(w + "[data-token-integrity]"); got != "Medium (S-1-16-8192)" {
		t.Errorf("imported integrity = %q, want Medium (S-1-16-8192)", got)
	}
	if got := tb.text(w + `[data-group="S-1-5-32-544"]`); !strings.Contains(got, "BUILTIN\\Administrators") || !strings.Contains(got, "deny-only") {
		t.Errorf("Administrators row = %q, want it shown as deny-only", got)
	}
	if got := tb.text(w + ".access-privs summary"); got != "5 privileges (1 enabled)" {
		t.Errorf("privileges summary = %q, want 5 privileges (1 enabled)", got)
	}

	// A whoami text whose user line has no SID: the error names the line and points at it.
	tb.secPaste(w+"[data-whoami]", "USER INFORMATION\n----------------\n\nUser Name SID\n========= ===\nfoo\n")
	tb.do("reading the broken token", chromedp.Click(chromedp.CSS(w+".access-whoami button"), chromedp.NodeVisible))
	tb.waitFor("the whoami error", `document.querySelector(".access-token-out .access-error") !== null`)
	if got := tb.text(w + ".access-token-out .access-error-msg"); !strings.Contains(got, "line 6") || !strings.Contains(got, "expected a SID") {
		t.Errorf("whoami error = %q, want line 6 and what was expected", got)
	}
	if got := eval[string](tb, `document.querySelector(".access-token-out .access-caret").textContent`); !strings.HasPrefix(got, "foo\n^") {
		t.Errorf("whoami caret block = %q, want the line foo with a caret under its start", got)
	}
	tb.secPaste(w+"[data-whoami]", filtered)
	tb.do("reading the token again", chromedp.Click(chromedp.CSS(w+".access-whoami button"), chromedp.NodeVisible))
	tb.waitFor("the imported token again", `document.querySelector("[data-token]")?.textContent.includes("imported from whoami")`)

	// Ask for FILE_GENERIC_WRITE with the checkboxes' mask field.
	tb.secPaste(w+"[data-mask]", "0x00120116")
	if !eval[bool](tb, `document.querySelector("[data-right=FILE_WRITE_DATA]").checked && !document.querySelector("[data-right=FILE_READ_DATA]").checked`) {
		t.Errorf("the rights checkboxes do not follow the mask 0x00120116")
	}
	run := func(what string) {
		t.Helper()
		tb.do(what, chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-access-out]").replaceChildren()`),
			chromedp.Click(chromedp.CSS(w+"[data-run]"), chromedp.NodeVisible))
		tb.waitFor("the result of "+what, `document.querySelector("[data-access-out] [data-verdict], [data-access-out] .lab-error, [data-lab-engine] .access-error") !== null`)
	}
	run("running the check with the filtered admin token")
	if got := tb.text(w + "[data-verdict]"); got != "ACCESS DENIED" {
		t.Fatalf("verdict for a UAC-filtered administrator writing = %q, want ACCESS DENIED", got)
	}
	steps := eval[[]string](tb, `[...document.querySelectorAll("[data-access-out] .access-step")].map(s => s.innerText.replace(/\s+/g, " "))`)
	joined := strings.Join(steps, "\n")
	for _, want := range []string{"BA is in the token only as deny-only", "(A;;FA;;;BA)", "sid-attributes-in-an-access-token",
		"Allow ACE matches BU (BUILTIN\\Users) and grants READ_CONTROL, SYNCHRONIZE", "implicitly denied"} {
		if !strings.Contains(joined, want) && !eval[bool](tb, `[...document.querySelectorAll("[data-access-out] .access-step a")].some(a => a.href.includes("`+want+`"))`) {
			t.Errorf("steps do not show %q; steps:\n%s", want, joined)
		}
	}
	if got := tb.text(w + "[data-granted-mask]"); got != "0x00000000" {
		t.Errorf("granted mask on a denied check = %q, want 0x00000000", got)
	}
	tb.screenshot(b.artifacts, "lab-access-denied.png", false)

	// The same request from the elevated token is granted, and the rights are decoded.
	tb.secPaste(w+"[data-whoami]", elevated)
	run("running the check with the elevated token")
	if got := tb.text(w + "[data-verdict]"); got != "ACCESS GRANTED" {
		t.Errorf("verdict for an elevated administrator writing = %q, want ACCESS GRANTED", got)
	}
	if got := tb.text(w + "[data-granted-mask]"); got != "0x00120116" {
		t.Errorf("granted mask = %q, want 0x00120116", got)
	}
	if got := tb.text(w + ".access-granted-rights"); !strings.Contains(got, "FILE_WRITE_DATA") || !strings.Contains(got, "SYNCHRONIZE") {
		t.Errorf("granted rights = %q", got)
	}
	tb.do("scrolling to the steps", chromedp.ScrollIntoView(chromedp.CSS(w+".access-steps")))
	tb.screenshot(b.artifacts, "lab-access-steps.png", false)
	tb.assertCleanConsole("/tools/access-check (checks)")

	// Predict first: saying "granted" for the filtered token is wrong, and the engine says why.
	tb.secPaste(w+"[data-whoami]", filtered)
	tb.do("predicting granted", chromedp.Click(chromedp.CSS(w+`.access-predict input[value="granted"]`), chromedp.NodeVisible))
	run("running the check with a prediction")
	if got := tb.text(w + "[data-prediction]"); got != "Your prediction was wrong" {
		t.Errorf("prediction verdict = %q, want Your prediction was wrong", got)
	}
	if got := tb.text(w + "[data-verdict]"); got != "ACCESS DENIED" {
		t.Errorf("verdict after a prediction = %q", got)
	}
	tb.do("clearing the prediction", chromedp.Click(chromedp.CSS(w+`.access-predict input[value=""]`), chromedp.NodeVisible))

	// A malformed descriptor: the error names the byte offset and the caret sits under it.
	const bad = "O:BAG:SYD:(A;;FA;;;ZZ)"
	tb.secPaste(w+"[data-sd]", bad)
	run("running the check on a malformed descriptor")
	msg := tb.text(w + ".access-error .access-error-msg")
	if !strings.Contains(msg, "byte offset 19") || !strings.Contains(msg, `unknown SID string "ZZ"`) {
		t.Errorf("error = %q, want byte offset 19 and the unknown SID string", msg)
	}
	caret := strings.Split(eval[string](tb, `document.querySelector("[data-lab-engine] .access-caret").textContent`), "\n")
	if len(caret) != 2 || caret[0] != bad || strings.Index(caret[1], "^") != 19 {
		t.Errorf("caret block = %q, want the descriptor and a caret under column 19", caret)
	}
	if eval[bool](tb, `document.querySelector("[data-access-out] [data-verdict]") !== null`) {
		t.Errorf("a verdict is shown for a malformed descriptor")
	}
	tb.screenshot(b.artifacts, "lab-access-error.png", false)

	// The exercise "Users can read but not write", answered right and then wrong.
	const ex = w + `[data-exercise="users-read-not-write"] `
	answer := func(sddl string) string {
		t.Helper()
		tb.secPaste(ex+"[data-ex-sddl]", sddl)
		tb.do("checking the answer", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+ex+`.access-ex-result').replaceChildren()`),
			chromedp.Click(chromedp.CSS(ex+"[data-ex-check]"), chromedp.NodeVisible))
		tb.waitFor("the engine's judgement", `document.querySelector('`+ex+`[data-pass]') !== null`)
		return tb.text(ex + "[data-pass]")
	}
	if got := answer("O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)"); got != "Right" {
		t.Errorf("FR for Users: verdict %q, want Right; explanation %q", got, tb.text(ex+".access-ex-explanation"))
	}
	if got := tb.text(ex + ".access-ex-explanation"); !strings.Contains(got, "Users can read but not write") {
		t.Errorf("explanation for the right answer = %q", got)
	}
	tb.do("scrolling to the exercise", chromedp.ScrollIntoView(chromedp.CSS(ex+"[data-pass]")))
	tb.screenshot(b.artifacts, "lab-access-exercise-right.png", false)
	// A deny of FW also takes READ_CONTROL and SYNCHRONIZE, which reading needs.
	if got := answer("O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(D;;FW;;;BU)"); got != "Not yet" {
		t.Errorf("deny FW for Users: verdict %q, want Not yet", got)
	}
	if got := tb.text(ex + ".access-ex-checks"); !strings.Contains(got, "✗ users can read") {
		t.Errorf("checks for the wrong answer = %q, want the failed users-can-read check", got)
	}
	tb.screenshot(b.artifacts, "lab-access-exercise-wrong.png", false)

	// A predict exercise answered through its buttons.
	const pe = w + `[data-exercise="uac-deny-only"] `
	tb.do("answering denied", chromedp.Click(chromedp.CSS(pe+`[data-answer="denied"]`), chromedp.NodeVisible))
	tb.waitFor("the prediction judged", `document.querySelector('`+pe+`[data-pass]') !== null`)
	if got := tb.text(pe + "[data-pass]"); got != "Right" {
		t.Errorf("uac-deny-only answered denied: %q, want Right", got)
	}
	tb.assertCleanConsole("/tools/access-check (exercises)")

	// Phone width: nothing scrolls sideways.
	tb.do("emulating a 390x844 viewport", chromedp.EmulateViewport(390, 844))
	tb.secPaste(w+"[data-sd]", sd)
	run("running the check at 390px")
	if sw := eval[int](tb, "document.scrollingElement.scrollWidth"); sw > 390 {
		t.Errorf("/tools/access-check at 390px scrolls sideways (scrollWidth %d); offenders: %q", sw, eval[[]string](tb, wideElementsJS))
	}
	tb.do("scrolling to the verdict", chromedp.ScrollIntoView(chromedp.CSS(w+"[data-verdict]")))
	tb.screenshot(b.artifacts, "lab-access-390.png", false)
	tb.assertCleanConsole("/tools/access-check (390px)")
}
