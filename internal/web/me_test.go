package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"testing/fstest"

	ct "ntatlas/internal/content/contenttest"
	"ntatlas/internal/labs/proctree"
	"ntatlas/internal/progress"
	"ntatlas/internal/web"
)

// progressFixture is a small site: a branch with a path, an expert topic with a
// prerequisite, an alias, and one lab.
func progressFixture() fstest.MapFS {
	fs := ct.FS([]ct.T{
		{Slug: "net", Title: "Networking"},
		{Slug: "net/dns", Title: "DNS", Order: 1, Related: []string{"net/tcp"}, Extra: "aliases: [net/names]\n"},
		{Slug: "net/tcp", Title: "TCP", Level: "intermediate", Order: 2},
		{Slug: "net/wfp", Title: "WFP", Level: "expert", Order: 3, Prereqs: []string{"net/tcp"}, Related: []string{"net/dns"}},
	}, []ct.Path{{ID: "net-path", Steps: []string{"net", "net/dns", "net/tcp", "net/wfp"}}})
	fs["labs/quiz.yaml"] = &fstest.MapFile{Data: []byte("title: Quiz lab\nsummary: A lab for tests of progress.\nkind: browser\nengine: dns\ntopics: [net/dns]\n" +
		"windows:\n  intro: Try it.\n  steps:\n    - title: Resolve a name\n      command: Resolve-DnsName example.com\n      explains: Shows the answer.\n")}
	return fs
}

func progressServer(t *testing.T, cfg web.Config) (*httptest.Server, progress.Store) {
	t.Helper()
	if cfg.Content == nil {
		cfg.Content = progressFixture()
	}
	if cfg.Progress == nil {
		cfg.Progress = progress.NewMemory(progress.Config{})
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, cfg.Progress
}

// learnerClient is one browser: a cookie jar, no redirects followed.
type learnerClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newLearner(t *testing.T, base string) *learnerClient {
	jar, _ := cookiejar.New(nil)
	return &learnerClient{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (l *learnerClient) do(method, path, ctype string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	l.t.Helper()
	req, err := http.NewRequest(method, l.base+path, body)
	if err != nil {
		l.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := l.c.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (l *learnerClient) json(method, path string, body any, wantStatus int) map[string]any {
	l.t.Helper()
	var r io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			r = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
	}
	res, b := l.do(method, path, "application/json", r)
	if res.StatusCode != wantStatus {
		l.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, wantStatus, b)
	}
	out := map[string]any{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			l.t.Fatalf("%s %s: not JSON: %s", method, path, b)
		}
	}
	return out
}

func (l *learnerClient) progress() map[string]any {
	l.t.Helper()
	return l.json("GET", "/api/v1/me/progress", nil, 200)
}

func topicStatus(p map[string]any, slug string) string {
	tp, _ := p["topics"].(map[string]any)
	st, _ := tp[slug].(map[string]any)
	s, _ := st["status"].(string)
	return s
}

func errMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// Reading never creates a learner; the first state change does, with a cookie that only
// the server can read and that names a stored learner.
func TestProgressCookieAndFirstWrite(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	res, b := l.do("GET", "/api/v1/me/progress", "", nil)
	if res.StatusCode != 200 || len(res.Cookies()) != 0 || !strings.Contains(string(b), `"learner": false`) {
		t.Fatalf("anonymous read: status %d, cookies %v, body %s", res.StatusCode, res.Cookies(), b)
	}
	res, _ = l.do("POST", "/api/v1/me/visit/net/dns", "", nil)
	if res.StatusCode != 204 || len(res.Cookies()) != 0 {
		t.Fatalf("a visit without a learner must not create one: %d %v", res.StatusCode, res.Cookies())
	}

	res, b = l.do("PUT", "/api/v1/me/progress/net/dns", "application/json", strings.NewReader(`{"status":"done"}`))
	if res.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", res.StatusCode, b)
	}
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "ntatlas_learner" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.MaxAge <= 0 {
		t.Fatalf("learner cookie: %+v", ck)
	}
	if _, err := progress.ParseSecret(ck.Value); err != nil {
		t.Fatalf("cookie value is not a secret: %v", err)
	}
	p := l.progress()
	if p["learner"] != true || topicStatus(p, "net/dns") != "done" {
		t.Fatalf("after PUT: %v", p)
	}
	// One progress per topic, shared by the path: 1 of 4 done, resume at the first unfinished step.
	paths := p["paths"].([]any)
	pp := paths[0].(map[string]any)
	if pp["done"].(float64) != 1 || pp["total"].(float64) != 4 || pp["resume"].(map[string]any)["slug"] != "net" {
		t.Fatalf("path progress: %v", pp)
	}
	// A second write reuses the learner (no new cookie).
	res, _ = l.do("PUT", "/api/v1/me/progress/net", "application/json", strings.NewReader(`{"status":"learning","visit":true}`))
	if res.StatusCode != 200 || len(res.Cookies()) != 0 {
		t.Fatalf("second write: %d, cookies %v", res.StatusCode, res.Cookies())
	}
}

func TestProgressSecureCookie(t *testing.T) {
	s, err := web.New(web.Config{Content: progressFixture()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(s.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("PUT", ts.URL+"/api/v1/me/progress/net", strings.NewReader(`{"status":"done"}`))
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cs := res.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Fatalf("under TLS the cookie must be Secure: %+v", cs)
	}

	ts2, _ := progressServer(t, web.Config{SecureCookies: true})
	res2, _ := newLearner(t, ts2.URL).do("PUT", "/api/v1/me/progress/net", "application/json", strings.NewReader(`{"status":"done"}`))
	if cs := res2.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Fatalf("SecureCookies: %+v", cs)
	}
}

// Bad input is refused with a message naming the field, and changes nothing.
func TestProgressInputErrors(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	cases := []struct {
		path, body string
		status     int
		msg        string
	}{
		{"/api/v1/me/progress/net/dns", `{"status":"finished"}`, 400, `status: unknown status "finished"`},
		{"/api/v1/me/progress/net/dns", `{"stat":"done"}`, 400, `unknown field "stat"`},
		{"/api/v1/me/progress/net/dns", `{"status":`, 400, "invalid JSON"},
		{"/api/v1/me/progress/net/dns", `{"status":1}`, 400, `field "status"`},
		{"/api/v1/me/progress/net/dns", `{}`, 400, "nothing to change"},
		{"/api/v1/me/progress/net/nope", `{"status":"done"}`, 404, `no topic "net/nope"`},
		{"/api/v1/me/progress/net/dns", fmt.Sprintf(`{"note":%q}`, strings.Repeat("x", 64<<10+1)), 413, "notes are limited to 65536 bytes"},
		{"/api/v1/me/labs/nolab/ex1", `{"passed":true}`, 404, `no lab "nolab"`},
		{"/api/v1/me/labs/quiz/ex1", `{}`, 400, "passed: required"},
		{"/api/v1/me/labs/quiz/bad%20id", `{"passed":true}`, 400, "exercise"},
	}
	for _, c := range cases {
		method := "PUT"
		if strings.HasPrefix(c.path, "/api/v1/me/labs/") {
			method = "POST"
		}
		m := l.json(method, c.path, c.body, c.status)
		if !strings.Contains(errMessage(m), c.msg) {
			t.Errorf("%s %s: message %q, want it to contain %q", c.path, c.body, errMessage(m), c.msg)
		}
	}
	if p := l.progress(); p["learner"] == true && len(p["topics"].(map[string]any)) != 0 {
		t.Fatalf("bad input changed something: %v", p)
	}
	// A note of exactly 64 KiB is accepted.
	l.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"note": strings.Repeat("y", 64<<10)}, 200)
}

// Notes are rendered without raw HTML and without script links.
func TestProgressNoteRenderedSafely(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	note := "**AFD** is `afd.sys`\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))"
	m := l.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"note": note}, 200)
	h := m["noteHtml"].(string)
	for _, bad := range []string{"<script", "<img", "onerror", "javascript:"} {
		if strings.Contains(h, bad) {
			t.Errorf("rendered note contains %q: %s", bad, h)
		}
	}
	if !strings.Contains(h, "<strong>AFD</strong>") || m["note"] != note {
		t.Errorf("note not kept or not rendered: %v", m)
	}
	res, b := l.do("GET", "/me", "", nil)
	if res.StatusCode != 200 || strings.Contains(string(b), "<script>alert") || !strings.Contains(string(b), "<strong>AFD</strong>") {
		t.Fatalf("/me shows the note unsafely or not at all (%d)", res.StatusCode)
	}
}

// No learner can read or change another's data: identity comes only from the cookie, and a
// forged or stale cookie is a stranger.
func TestProgressIsolation(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a, b := newLearner(t, ts.URL), newLearner(t, ts.URL)
	a.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"status": "done", "note": "A's secret note"}, 200)
	b.json("PUT", "/api/v1/me/progress/net/tcp", map[string]string{"status": "learning"}, 200)
	pb := b.progress()
	if topicStatus(pb, "net/dns") != "" || strings.Contains(fmt.Sprint(pb), "secret note") {
		t.Fatalf("B sees A's data: %v", pb)
	}
	if topicStatus(a.progress(), "net/tcp") != "" {
		t.Fatal("A sees B's data")
	}
	// A forged cookie (a well-formed secret nobody has) sees nothing and cannot write into A.
	forged := newLearner(t, ts.URL)
	u, _ := url.Parse(ts.URL)
	forged.c.Jar.SetCookies(u, []*http.Cookie{{Name: "ntatlas_learner", Value: strings.Repeat("A", 32)}})
	if p := forged.progress(); p["learner"] != false {
		t.Fatalf("forged cookie is a learner: %v", p)
	}
	forged.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"status": "skipped"}, 200)
	if topicStatus(a.progress(), "net/dns") != "done" {
		t.Fatal("a forged cookie changed A's status")
	}
	// The export of one learner holds only that learner's topics.
	res, body := b.do("GET", "/api/v1/me/export", "", nil)
	if res.StatusCode != 200 || strings.Contains(string(body), "secret note") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %s", res.StatusCode, body)
	}
}

// Cross-origin state changes are refused before they reach the store.
func TestProgressCrossOrigin(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	for _, c := range []struct{ method, path, ctype, body string }{
		{"PUT", "/api/v1/me/progress/net/dns", "application/json", `{"status":"done"}`},
		{"POST", "/me/topic", "application/x-www-form-urlencoded", "topic=net/dns&status=done"},
		{"POST", "/me/delete", "application/x-www-form-urlencoded", "confirm=yes"},
		{"POST", "/api/v1/me/sync-key", "application/json", ""},
	} {
		res, _ := l.do(c.method, c.path, c.ctype, strings.NewReader(c.body), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s cross-site: status %d, want 403", c.method, c.path, res.StatusCode)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("%s %s cross-site set a cookie", c.method, c.path)
		}
	}
	// Nothing was created.
	if p := l.progress(); p["learner"] != false {
		t.Fatalf("cross-site request created a learner: %v", p)
	}
}

// Forms work without JavaScript and only redirect within the site.
func TestProgressForms(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	form := func(path string, v url.Values) (*http.Response, []byte) {
		return l.do("POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	}
	res, _ := form("/me/topic", url.Values{"topic": {"net/dns"}, "status": {"done"}, "return": {"/explore/net/dns?path=net-path"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/explore/net/dns?path=net-path" {
		t.Fatalf("status form: %d -> %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = form("/me/topic", url.Values{"topic": {"net/tcp"}, "note": {"line one\r\nline two"}, "return": {"//evil.example/x"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/explore/net/tcp#my-progress" {
		t.Fatalf("note form with a foreign return must go to the topic: %q", res.Header.Get("Location"))
	}
	p := l.progress()
	if topicStatus(p, "net/dns") != "done" || p["topics"].(map[string]any)["net/tcp"].(map[string]any)["note"] != "line one\nline two" {
		t.Fatalf("forms did not save: %v", p)
	}
	// The note form did not touch the status of net/tcp, nor the status form the note.
	if topicStatus(p, "net/tcp") != "not-started" {
		t.Fatalf("note form changed the status: %v", topicStatus(p, "net/tcp"))
	}
	res, b := l.do("GET", "/me", "", nil)
	page := string(b)
	for _, want := range []string{"My progress", "Continue where you left off", "1 of 4 steps", "DNS", "line one", "Export my data", "Delete all my data"} {
		if !strings.Contains(page, want) {
			t.Errorf("/me lacks %q", want)
		}
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("/me must not be cached: %q", res.Header.Get("Cache-Control"))
	}
	// Delete needs the confirmation box.
	res, b = form("/me/delete", url.Values{})
	if res.StatusCode != 400 || !strings.Contains(string(b), "tick the box") {
		t.Fatalf("delete without confirm: %d", res.StatusCode)
	}
	res, _ = form("/me/delete", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 303 {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if p := l.progress(); p["learner"] != false {
		t.Fatalf("after delete: %v", p)
	}
}

// Aliases keep progress: the old slug writes the same topic id.
func TestProgressAlias(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	m := l.json("PUT", "/api/v1/me/progress/net/names", map[string]string{"status": "done"}, 200)
	if m["slug"] != "net/dns" {
		t.Fatalf("alias wrote %v", m)
	}
	if topicStatus(l.progress(), "net/dns") != "done" {
		t.Fatal("alias progress not under the current slug")
	}
}

// Export, then import into a fresh learner: the same statuses, notes and lab results.
// A bad document changes nothing and says which field is wrong; a too-large one is refused.
func TestProgressExportImport(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a := newLearner(t, ts.URL)
	a.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"status": "done", "note": "from A"}, 200)
	a.json("POST", "/api/v1/me/labs/quiz/ex1", map[string]bool{"passed": true}, 200)
	_, doc := a.do("GET", "/api/v1/me/export", "", nil)

	b := newLearner(t, ts.URL)
	b.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"note": "from B"}, 200)
	bad := strings.Replace(string(doc), `"status": "done"`, `"status": "finished"`, 1)
	m := b.json("POST", "/api/v1/me/import", bad, 400)
	if !strings.Contains(errMessage(m), "topics[0].status") {
		t.Fatalf("bad import message: %q", errMessage(m))
	}
	if p := b.progress(); topicStatus(p, "net/dns") != "not-started" || len(p["labs"].([]any)) != 0 {
		t.Fatalf("a bad import changed data: %v", p)
	}
	rep := b.json("POST", "/api/v1/me/import", string(doc), 200)
	if rep["topics_updated"].(float64) != 1 || rep["labs_added"].(float64) != 1 {
		t.Fatalf("import report: %v", rep)
	}
	p := b.progress()
	st := p["topics"].(map[string]any)["net/dns"].(map[string]any)
	if st["status"] != "done" || !strings.Contains(st["note"].(string), "from A") || !strings.Contains(st["note"].(string), "from B") {
		t.Fatalf("merged state: %v", st)
	}

	big := `{"format":"ntatlas-progress","version":1,"pad":"` + strings.Repeat("x", 5<<20) + `"}`
	m = b.json("POST", "/api/v1/me/import", big, 413)
	if !strings.Contains(errMessage(m), "5 MiB") && !strings.Contains(errMessage(m), "larger than") {
		t.Fatalf("too large: %q", errMessage(m))
	}

	// The page form: a multipart upload.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "export.json")
	fw.Write([]byte("{not json"))
	mw.Close()
	res, page := b.do("POST", "/me/import", mw.FormDataContentType(), &body)
	if res.StatusCode != 400 || !strings.Contains(string(page), "Nothing was imported") {
		t.Fatalf("form import of bad JSON: %d", res.StatusCode)
	}
}

// The sync key moves progress to a second device; making a new key retires the old one;
// the second device's own progress is merged, not lost; guessing is throttled.
func TestProgressSyncKey(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a := newLearner(t, ts.URL)
	a.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"status": "done"}, 200)
	key := a.json("POST", "/api/v1/me/sync-key", nil, 200)["syncKey"].(string)
	if len(strings.ReplaceAll(key, "-", "")) != 32 {
		t.Fatalf("sync key %q", key)
	}
	// A still works after the rotation (its cookie was replaced).
	if topicStatus(a.progress(), "net/dns") != "done" {
		t.Fatal("the device that made the key lost its progress")
	}

	b := newLearner(t, ts.URL)
	b.json("PUT", "/api/v1/me/progress/net/tcp", map[string]string{"status": "learning"}, 200)
	b.json("POST", "/api/v1/me/sync", map[string]string{"syncKey": strings.ToLower(key)}, 200)
	pb := b.progress()
	if topicStatus(pb, "net/dns") != "done" || topicStatus(pb, "net/tcp") != "learning" {
		t.Fatalf("second device after sync: %v", pb)
	}
	if topicStatus(a.progress(), "net/tcp") != "learning" {
		t.Fatal("the merged progress is not shared with the first device")
	}

	// A new key retires the old one.
	a.json("POST", "/api/v1/me/sync-key", nil, 200)
	c := newLearner(t, ts.URL)
	m := c.json("POST", "/api/v1/me/sync", map[string]string{"syncKey": key}, 400)
	if !strings.Contains(errMessage(m), "no progress belongs to this sync key") {
		t.Fatalf("old key: %q", errMessage(m))
	}
	m = c.json("POST", "/api/v1/me/sync", map[string]string{"syncKey": "not a key"}, 400)
	if !strings.Contains(errMessage(m), "secret") {
		t.Fatalf("malformed key: %q", errMessage(m))
	}
	// Guessing is throttled per address: the burst runs out quickly.
	limited := false
	for i := 0; i < 12 && !limited; i++ {
		res, _ := c.do("POST", "/api/v1/me/sync", "application/json", strings.NewReader(`{"syncKey":"`+strings.Repeat("B", 32)+`"}`))
		limited = res.StatusCode == 429
	}
	if !limited {
		t.Fatal("sync-key guessing is not rate limited")
	}
}

// Several tabs writing at once never lose an update: statuses and notes are separate
// fields, and each topic keeps its own state.
func TestProgressConcurrentTabs(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a := newLearner(t, ts.URL)
	a.json("PUT", "/api/v1/me/progress/net", map[string]string{"status": "learning"}, 200)
	slugs := []string{"net", "net/dns", "net/tcp", "net/wfp"}
	var wg sync.WaitGroup
	for i, s := range slugs {
		wg.Add(2)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PUT", ts.URL+"/api/v1/me/progress/"+s, strings.NewReader(`{"status":"done"}`))
			if res, err := a.c.Do(req); err == nil {
				res.Body.Close()
			}
		}()
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PUT", ts.URL+"/api/v1/me/progress/"+s, strings.NewReader(fmt.Sprintf(`{"note":"tab %d"}`, i)))
			if res, err := a.c.Do(req); err == nil {
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	p := a.progress()
	for i, s := range slugs {
		st := p["topics"].(map[string]any)[s].(map[string]any)
		if st["status"] != "done" || st["note"] != fmt.Sprintf("tab %d", i) {
			t.Errorf("%s lost an update: %v", s, st)
		}
	}
	if pp := p["paths"].([]any)[0].(map[string]any); pp["complete"] != true {
		t.Errorf("path not complete: %v", pp)
	}
}

// Read next, for a learner, puts an unfinished prerequisite first and sinks finished topics.
func TestProgressPersonalReadNext(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a := newLearner(t, ts.URL)
	a.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"status": "done"}, 200)
	m := a.json("GET", "/api/v1/me/read-next/net/wfp", nil, 200)
	cards := m["cards"].([]any)
	first := cards[0].(map[string]any)
	if first["reason"] != "Prerequisite you have not finished" || first["topic"].(map[string]any)["slug"] != "net/tcp" {
		t.Fatalf("first card: %v", first)
	}
	for i, c := range cards {
		if c.(map[string]any)["topic"].(map[string]any)["slug"] == "net/dns" && i != len(cards)-1 {
			t.Fatalf("a done topic is recommended before unfinished ones: %v", cards)
		}
	}
	// Anonymous visitors get the shared ranking (no prerequisite card).
	anon := newLearner(t, ts.URL).json("GET", "/api/v1/me/read-next/net/wfp", nil, 200)
	if strings.Contains(fmt.Sprint(anon), "Prerequisite you have not finished") {
		t.Fatalf("anonymous read next: %v", anon)
	}
}

// Lab results are recorded per exercise, with the first pass kept.
func TestProgressLabResults(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a := newLearner(t, ts.URL)
	a.json("POST", "/api/v1/me/labs/quiz/ex1", map[string]bool{"passed": false}, 200)
	r := a.json("POST", "/api/v1/me/labs/quiz/ex1", map[string]bool{"passed": true}, 200)
	if r["passed"] != true || r["firstPassedAt"] == nil {
		t.Fatalf("lab result: %v", r)
	}
	labs := a.progress()["labs"].([]any)
	if len(labs) != 1 || labs[0].(map[string]any)["exercise"] != "ex1" {
		t.Fatalf("labs: %v", labs)
	}
	_, page := a.do("GET", "/me", "", nil)
	if !strings.Contains(string(page), "Quiz lab") || !strings.Contains(string(page), "Passed") {
		t.Fatal("/me does not show the lab result")
	}
}

// Writes are rate limited per learner.
func TestProgressWriteRateLimit(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	a := newLearner(t, ts.URL)
	limited := false
	for i := 0; i < 200 && !limited; i++ {
		res, _ := a.do("PUT", "/api/v1/me/progress/net", "application/json", strings.NewReader(`{"status":"learning"}`))
		limited = res.StatusCode == 429 && res.Header.Get("Retry-After") != ""
	}
	if !limited {
		t.Fatal("200 writes in a burst were not rate limited")
	}
	// Another learner from the same address is not affected.
	newLearner(t, ts.URL).json("PUT", "/api/v1/me/progress/net", map[string]string{"status": "done"}, 200)
}

// The process-tree lab links every profile to a topic; each must exist in the curriculum.
func TestProctreeTopicsExist(t *testing.T) {
	server(t)
	s := srv
	for _, p := range proctree.Profiles() {
		if p.Topic == "" {
			continue
		}
		if tp, _ := s.Site().Lookup(p.Topic); tp == nil {
			t.Errorf("profile %s links to topic %q, which does not exist", p.Name, p.Topic)
		}
	}
}
