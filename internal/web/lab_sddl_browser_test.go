package web_test

// The ACL & SDDL lab in headless Chromium: the WebAssembly engine starts, a pasted SDDL string
// is explained on screen (owner, ACE rows, the canonical-order verdict) and a malformed one gets
// an error that names the byte offset and points at it. Reuses the tab helpers of
// browser_test.go; run: go test ./internal/web -run BrowserLabSDDL -count=1 -v

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserLabSDDL(t *testing.T) {
	b := secLabBrowser(t)
	tb := b.newTab(t)
	tb.secOpenLab("security-acl")
	tb.assertCleanConsole("/tools/security-acl (ready)")

	const w = `[data-lab-engine] `
	// Deny after allow: valid SDDL, but not in canonical order.
	const sd = "O:BAG:SYD:(A;;FA;;;SY)(D;;FW;;;BU)(A;OICI;0x1200a9;;;BU)S:(ML;;NW;;;LW)"
	tb.secPaste(w+"textarea", sd)
	tb.do("clicking Explain", chromedp.Click(chromedp.CSS(w+"button"), chromedp.NodeVisible))
	tb.waitFor("the explanation", `document.querySelector("[data-sddl-out] [data-row=owner]") !== null`)

	if got := tb.text(w + "[data-row=owner] td"); !strings.Contains(got, "BA BUILTIN\\Administrators S-1-5-32-544") {
		t.Errorf("owner row = %q, want BA BUILTIN\\Administrators S-1-5-32-544", got)
	}
	if got := tb.text(w + "[data-row=group] td"); !strings.Contains(got, "SY NT AUTHORITY\\SYSTEM S-1-5-18") {
		t.Errorf("group row = %q", got)
	}
	rows := eval[[]string](tb, `[...document.querySelectorAll("[data-acl=DACL] tbody tr")].map(r => r.innerText.replace(/\u200b/g, "").replace(/\s+/g, " ").trim())`)
	if len(rows) != 3 {
		t.Fatalf("DACL rows = %d (%q), want 3", len(rows), rows)
	}
	for i, want := range []string{"Allow A ACCESS_ALLOWED_ACE_TYPE SY NT AUTHORITY\\SYSTEM S-1-5-18 FILE_ALL_ACCESS",
		"Deny D ACCESS_DENIED_ACE_TYPE BU BUILTIN\\Users S-1-5-32-545 FILE_GENERIC_WRITE",
		"Allow A ACCESS_ALLOWED_ACE_TYPE BU BUILTIN\\Users"} {
		if !strings.Contains(strings.ToLower(rows[i]), strings.ToLower(want)) {
			t.Errorf("DACL row %d = %q, want it to contain %q", i, rows[i], want)
		}
	}
	if !strings.Contains(rows[2], "this folder, subfolders and files") || !strings.Contains(rows[2], "(A;OICI;0x1200a9;;;BU)") {
		t.Errorf("DACL row 2 = %q, want the inheritance explained and the raw ACE text", rows[2])
	}
	if got := tb.text(w + "[data-canonical]"); got != "DACL order is NOT canonical" {
		t.Errorf("canonical verdict = %q, want DACL order is NOT canonical", got)
	}
	if got := tb.text(w + ".sddl-problems"); !strings.Contains(got, "ACE 1 is an explicit deny after the explicit allow ACE 0") {
		t.Errorf("order problems = %q", got)
	}
	if got := tb.text(w + "[data-acl=SACL] tbody tr"); !strings.Contains(strings.ToLower(got), "integrity label") || !strings.Contains(got, "no write up") {
		t.Errorf("SACL row = %q, want the low integrity label with no-write-up", got)
	}
	if got := tb.text(w + "[data-canonical-sddl]"); got != "O:BAG:SYD:(A;;FA;;;SY)(D;;FW;;;BU)(A;OICI;0x1200a9;;;BU)S:(ML;;NW;;;LW)" {
		t.Errorf("canonical SDDL = %q", got)
	}
	tb.assertCleanConsole("/tools/security-acl (explained)")
	tb.screenshot(b.artifacts, "lab-sddl-explained.png", false)

	// NULL and empty DACLs must read differently.
	tb.secPaste(w+"textarea", "O:BAG:SYD:NO_ACCESS_CONTROL")
	tb.do("clicking Explain (NULL DACL)", chromedp.Click(chromedp.CSS(w+"button"), chromedp.NodeVisible))
	tb.waitFor("the NULL DACL state", `document.querySelector("[data-acl-section=DACL] [data-acl-state]")?.dataset.aclState === "null"`)
	if got := tb.text(w + "[data-acl-section=DACL] [data-acl-state]"); !strings.Contains(got, "NULL DACL") || !strings.Contains(got, "everyone gets every right") {
		t.Errorf("NULL DACL text = %q", got)
	}
	tb.secPaste(w+"textarea", "O:BAG:SYD:")
	tb.do("clicking Explain (empty DACL)", chromedp.Click(chromedp.CSS(w+"button"), chromedp.NodeVisible))
	tb.waitFor("the empty DACL state", `document.querySelector("[data-acl-section=DACL] [data-acl-state]")?.dataset.aclState === "empty"`)
	if got := tb.text(w + "[data-acl-section=DACL] [data-acl-state]"); !strings.Contains(got, "Empty DACL") || !strings.Contains(got, "nobody gets any right") {
		t.Errorf("empty DACL text = %q", got)
	}

	// Malformed: ZZ is no SID alias; the error names byte offset 19 and the caret sits under it.
	const bad = "O:BAG:SYD:(A;;FA;;;ZZ)"
	tb.secPaste(w+"textarea", bad)
	tb.do("clicking Explain (malformed)", chromedp.Click(chromedp.CSS(w+"button"), chromedp.NodeVisible))
	tb.waitFor("the error", `document.querySelector("[data-sddl-out] .sddl-error") !== null`)
	msg := tb.text(w + ".sddl-error-msg")
	if !strings.Contains(msg, "byte offset 19") || !strings.Contains(msg, `unknown SID string "ZZ"`) {
		t.Errorf("error message = %q, want byte offset 19 and the unknown SID string", msg)
	}
	caret := eval[string](tb, `document.querySelector("[data-lab-engine] .sddl-caret").textContent`)
	lines := strings.Split(caret, "\n")
	if len(lines) != 2 || lines[0] != bad || strings.Index(lines[1], "^") != 19 {
		t.Errorf("caret block = %q, want the input and a caret under column 19", caret)
	}
	tb.screenshot(b.artifacts, "lab-sddl-error.png", false)

	// A sample loads, is labelled as a sample and is explained.
	tb.do("choosing the C:\\Windows sample", chromedp.SetValue(chromedp.CSS(w+"select"), "windows"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-lab-engine] select").dispatchEvent(new Event("change"))`))
	tb.waitFor("the sample explained", `document.querySelectorAll("[data-acl=DACL] tbody tr").length === 13`)
	if got := tb.text(w + ".sddl-sample-note"); !strings.HasPrefix(got, "Sample:") {
		t.Errorf("sample note = %q, want it labelled as a sample", got)
	}
	if got := eval[string](tb, `document.querySelectorAll("[data-lab-engine] select")[1].value`); got != "directory" {
		t.Errorf("object type after choosing the C:\\Windows sample = %q, want directory", got)
	}
	tb.assertCleanConsole("/tools/security-acl (sample)")

	// The dark theme: the widget uses the site's colour variables.
	tb.do("switching to the dark theme", chromedp.Click(chromedp.CSS("[data-theme-toggle]"), chromedp.NodeVisible))
	tb.do("scrolling to the ACEs", chromedp.ScrollIntoView(chromedp.CSS(w+"[data-acl=DACL]")))
	tb.screenshot(b.artifacts, "lab-sddl-dark.png", false)
	tb.do("switching back to the light theme", chromedp.Click(chromedp.CSS("[data-theme-toggle]"), chromedp.NodeVisible))

	// A phone-sized viewport must not scroll sideways: wide tables scroll inside .lab-scroll.
	tb.do("emulating a 390x844 viewport", chromedp.EmulateViewport(390, 844))
	if sw := eval[int](tb, "document.scrollingElement.scrollWidth"); sw > 390 {
		t.Errorf("/tools/security-acl at 390px scrolls sideways (scrollWidth %d); offenders: %q", sw, eval[[]string](tb, wideElementsJS))
	}
	tb.do("scrolling to the results", chromedp.ScrollIntoView(chromedp.CSS(w+"[data-canonical]")))
	tb.screenshot(b.artifacts, "lab-sddl-390.png", false)
	tb.assertCleanConsole("/tools/security-acl (390px)")
}
