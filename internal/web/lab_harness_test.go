package web_test

// Shared by the lab pages' browser tests: one Chromium per lab test, opening a lab and waiting
// for its WebAssembly engine, and pasting text as a learner would.

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ntatlas"
	"ntatlas/internal/web"
)

// secLabReadyTimeout: the bundle holds every engine and is several MB, so the first start of the
// Go runtime in a cold browser takes seconds, far more than one stepTimeout.
const (
	secLabReadyTimeout = 30 * time.Second
	secLabTestTimeout  = 3 * time.Minute
)

// secLabBrowser starts the site and one Chromium for a lab test, and returns the browser value
// the tab helpers of browser_test.go work on.
func secLabBrowser(t *testing.T) *browser {
	t.Helper()
	exe := findChromium(t)
	srv, err := web.New(web.Config{Content: ntatlas.Content()})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	bctx := startChromium(t, exe, secLabTestTimeout)
	return &browser{ctx: bctx, base: ts.URL, artifacts: artifactsDir(t)}
}

// secOpenLab opens a lab page and waits until its widget has mounted on the WebAssembly engine.
func (tb *tab) secOpenLab(slug string) {
	tb.t.Helper()
	tb.open("/tools/" + slug)
	ctx, cancel := context.WithTimeout(tb.ctx, secLabReadyTimeout)
	defer cancel()
	const ready = `(() => { const r = document.querySelector("[data-lab-engine]"); return r && (r.dataset.ready === "true" || r.dataset.ready === "error") ? r.dataset.ready : ""; })()`
	state, err := chromedp.Run(ctx, chromedp.Poll[string](ready, chromedp.WithPollingTimeout(secLabReadyTimeout)))
	if err != nil {
		tb.t.Fatalf("/tools/%s: the lab never became ready: %v; status %q", slug, err, eval[string](tb, `document.querySelector("[data-lab-status]").textContent`))
	}
	if state != "true" {
		tb.t.Fatalf("/tools/%s: the lab failed to start: %q", slug, eval[string](tb, `document.querySelector("[data-lab-status]").textContent`))
	}
}

// secPaste puts text into a textarea the way a paste does (one input event with the whole text):
// typing key by key through the DevTools protocol is slow for long SDDL and whoami texts.
func (tb *tab) secPaste(sel, text string) {
	tb.t.Helper()
	tb.do("focusing "+sel, chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible))
	tb.do("pasting into "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`document.execCommand("selectAll"); document.execCommand("insertText", false, %q)`, text)))
	if got := eval[string](tb, fmt.Sprintf(`document.querySelector(%q).value`, sel)); got != text {
		tb.t.Fatalf("after pasting, %s holds %q, want %q", sel, got, text)
	}
}
