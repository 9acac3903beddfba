package web_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ntatlas"
	"ntatlas/internal/progress"
	"ntatlas/internal/web"
)

// TestBrowserProgressJourney is issue #8's journey: mark topics done with the keyboard, write
// a note, close the browser and resume the path, export and import into a fresh profile,
// and continue on a second device with the sync key.
func TestBrowserProgressJourney(t *testing.T) {
	exe := findChromium(t)
	store, err := progress.OpenSQLite(t.Context(), t.TempDir(), progress.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := web.New(web.Config{Content: ntatlas.Content(), Progress: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	art := artifactsDir(t)
	np := srv.Site().PathByID["networking-path"]
	s1, s2, s3 := np.Steps[0].Topic, np.Steps[1].Topic, np.Steps[2].Topic

	// Device 1, first session.
	profile1 := t.TempDir()
	ctx, closeBrowser := startChromiumProfile(t, exe, 2*journeyTimeout, profile1)
	b := &browser{ctx: ctx, base: ts.URL, artifacts: art}
	tb := b.newTab(t)
	tb.open(s1.URL() + "?path=" + np.ID)
	tb.waitFor("the status panel", `document.querySelector("[data-status-now]").textContent === "Status: Not started"`)
	tb.do("pressing D", chromedp.KeyEvent("d"))
	tb.waitFor("status done", `document.querySelector("[data-status-now]").textContent.includes("Done")`)
	tb.waitFor("the Done button pressed", `document.querySelector("button[value=done]").getAttribute("aria-pressed") === "true"`)
	tb.follow("Continue", chromedp.Click(chromedp.CSS("[data-continue]"), chromedp.NodeVisible))
	tb.waitFor("the status panel on step 2", `document.querySelector("[data-status-now]").textContent === "Status: Not started"`)
	tb.do("pressing D on step 2", chromedp.KeyEvent("d"))
	tb.waitFor("step 2 done", `document.querySelector("[data-status-now]").textContent.includes("Done")`)
	tb.follow("Continue to step 3", chromedp.Click(chromedp.CSS("[data-continue]"), chromedp.NodeVisible))
	tb.waitFor("step 3 loaded", `location.pathname === "`+s3.URL()+`" && document.querySelector("[data-status-now]").textContent !== ""`)
	tb.do("pressing N", chromedp.KeyEvent("n"))
	tb.waitFor("the note box open and focused", `document.querySelector("[data-note-box]").open && document.activeElement.id === "note-text"`)
	tb.do("typing a note", chromedp.SendKeys(chromedp.CSS("#note-text"), "AFD sits **below** ws2_32", chromedp.NodeVisible))
	tb.do("saving the note", chromedp.Click(chromedp.CSS("[data-note-form] button[type=submit]"), chromedp.NodeVisible))
	tb.waitFor("the note saved and rendered", `document.querySelector("[data-note-status]").textContent === "Saved." && document.querySelector("[data-note-view] strong")?.textContent === "below"`)
	tb.screenshot(art, "progress-topic-panel.png", false)
	tb.assertCleanConsole("topic with progress")
	closeBrowser()

	// Device 1 after closing the browser: the path resumes at step 3, which has the note.
	ctx, closeBrowser = startChromiumProfile(t, exe, 2*journeyTimeout, profile1)
	b = &browser{ctx: ctx, base: ts.URL, artifacts: art}
	tb = b.newTab(t)
	tb.open(np.URL())
	tb.waitFor("the path progress", `!document.querySelector("[data-path-progress]").hidden`)
	if got := tb.text(".path-progress-text"); got != "2 of 7 steps done." {
		t.Errorf("path progress after restart: %q", got)
	}
	loc := tb.follow("Resume", chromedp.Click(chromedp.CSS("[data-resume]"), chromedp.NodeVisible))
	if loc != s3.URL()+"?path="+np.ID {
		t.Fatalf("resume went to %s, want step 3 %s", loc, s3.URL())
	}
	tb.waitFor("the note restored", `document.querySelector("#note-text").value === "AFD sits **below** ws2_32"`)
	tb.open("/")
	tb.waitFor("the home continue card", `!document.querySelector("[data-home-continue]").hidden`)
	if got := tb.text("[data-home-continue] a.button"); !strings.Contains(got, s3.Title) {
		t.Errorf("home continue card: %q, want %q", got, s3.Title)
	}
	tb.open("/me")
	for _, want := range []string{"2 topics done or skipped", "Networking stack tour", "2 of 7 steps", "AFD sits"} {
		if !strings.Contains(tb.text("main"), want) {
			t.Errorf("/me lacks %q", want)
		}
	}
	tb.screenshot(art, "progress-me.png", true)
	// Spaced review: the terms of the two done topics are new cards; reveal one with the
	// keyboard, grade it Good, and the next card comes.
	tb.open("/review")
	first := eval[string](tb, `document.querySelector("[data-review-card]").dataset.reviewCard`)
	tb.tabTo("[data-review-answer] summary")
	tb.press(kb.Enter)
	tb.waitFor("the definition shown", `document.querySelector("[data-review-answer]").open`)
	tb.screenshot(art, "review-card.png", false)
	tb.follow("grading Good", chromedp.Click(chromedp.CSS(`button[value="good"]`), chromedp.NodeVisible))
	if next := eval[string](tb, `document.querySelector("[data-review-card]")?.dataset.reviewCard || ""`); next == "" || next == first {
		t.Errorf("after grading %s the review shows %q", first, next)
	}
	tb.assertCleanConsole("/review")
	tb.do("dark theme", chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.theme = "dark"`))
	tb.screenshot(art, "progress-me-dark.png", false)
	ectx, cancel := tb.step()
	exported, err := chromedp.Run(ectx, chromedp.Evaluate[string](`fetch("/api/v1/me/export").then(r => r.text())`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil {
		t.Fatalf("export from the page: %v", err)
	}
	if !strings.Contains(exported, `"ntatlas-progress"`) || !strings.Contains(exported, s2.ID) {
		t.Fatalf("export: %s", exported)
	}
	exportFile := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(exportFile, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	// The sync key, shown once.
	tb.open("/me/sync")
	tb.follow("Make a sync key", chromedp.Click(chromedp.CSS(`form[action="/me/sync/new"] button`), chromedp.NodeVisible))
	key := tb.text("[data-sync-key]")
	if _, err := progress.ParseSecret(key); err != nil {
		t.Fatalf("sync key on the page %q: %v", key, err)
	}
	tb.assertCleanConsole("/me and sync")
	closeBrowser()

	// A fresh profile imports the export file.
	ctx, closeBrowser = startChromiumProfile(t, exe, 2*journeyTimeout, t.TempDir())
	b = &browser{ctx: ctx, base: ts.URL, artifacts: art}
	tb = b.newTab(t)
	tb.open("/me")
	if !strings.Contains(tb.text("main"), "Nothing is saved yet") {
		t.Fatal("a fresh profile already has progress")
	}
	tb.do("choosing the export file", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{exportFile}))
	tb.follow("importing", chromedp.Click(chromedp.CSS(`form[action="/me/import"] button`), chromedp.NodeVisible))
	if got := tb.text(".notice-ok"); !strings.Contains(got, "3 topics added") {
		t.Errorf("import message: %q", got)
	}
	tb.open(np.URL())
	tb.waitFor("imported path progress", `document.querySelector(".path-progress-text")?.textContent === "2 of 7 steps done."`)
	closeBrowser()

	// A "second device" continues with the sync key, typed with hyphens in lower case.
	ctx, closeBrowser = startChromiumProfile(t, exe, 2*journeyTimeout, t.TempDir())
	defer closeBrowser()
	b = &browser{ctx: ctx, base: ts.URL, artifacts: art}
	tb = b.newTab(t)
	tb.open("/me/sync")
	tb.do("typing the sync key", chromedp.SendKeys(chromedp.CSS("#sync-key-input"), strings.ToLower(key), chromedp.NodeVisible))
	loc = tb.follow("using the key", chromedp.Click(chromedp.CSS(`form[action="/me/sync/use"] button`), chromedp.NodeVisible))
	if loc != "/me?done=synced" {
		t.Fatalf("after the sync key: %s", loc)
	}
	if !strings.Contains(tb.text("main"), "2 topics done or skipped") {
		t.Errorf("second device does not see the progress: %s", tb.text("main"))
	}
	tb.open(s3.URL())
	tb.waitFor("the note on the second device", `document.querySelector("#note-text").value.startsWith("AFD sits")`)
	// Narrow screen: the panel fits without sideways scrolling.
	tb.do("narrow", chromedp.EmulateViewport(390, 844))
	time.Sleep(100 * time.Millisecond)
	if w := eval[int](tb, "document.documentElement.scrollWidth"); w > 390 {
		t.Errorf("topic with progress panel scrolls sideways at 390 px: %d", w)
	}
	tb.screenshot(art, "progress-topic-390.png", false)
	tb.assertCleanConsole("second device")
}
