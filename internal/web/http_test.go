package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"ntatlas"
	"ntatlas/internal/web"
)

var (
	srvOnce sync.Once
	srv     *web.Server
	srvErr  error
)

func server(t testing.TB) *httptest.Server {
	t.Helper()
	srvOnce.Do(func() { srv, srvErr = web.New(web.Config{Content: ntatlas.Content()}) })
	if srvErr != nil {
		t.Fatalf("web.New: %v", srvErr)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

type exchange struct {
	method, url string
	header      map[string]string
	body        string
	status      int
	contains    []string
	notContains []string
	ctype       string
}

// Every route, with what a learner or a client must see.
func TestRoutes(t *testing.T) {
	ts := server(t)
	cases := []exchange{
		{method: "GET", url: "/", status: 200, ctype: "text/html", contains: []string{"The architecture map", `data-block="network-stack"`, "System-call boundary", "Start here", "Networking stack tour"}},
		{method: "GET", url: "/explore", status: 200, contains: []string{"Coverage", "Branches", "Networking stack tour", "Follow path", "Winsock, AFD, and kernel boundaries", `action="/search"`}},
		{method: "GET", url: "/explore/networking", status: 200, contains: []string{"In 30 seconds", "You understand this if", "Schematic:", "zone-button", "Go deeper", "Follow this path"}},
		{method: "GET", url: "/explore/networking/winsock-afd", status: 200, contains: []string{"Winsock, AFD, and kernel boundaries", "Step 3 of 7 in this path", "Next step in your guided path"}, notContains: []string{"Guided path: "}},
		{method: "GET", url: "/explore/networking/winsock-afd?path=networking-path", status: 200, contains: []string{"Guided path: ", "Step 3 of 7", "Continue to TCP/IP stack"}},
		{method: "GET", url: "/explore/networking/ndis?path=networking-path", status: 200, contains: []string{"Step 7 of 7", "Path complete"}, notContains: []string{"Continue to"}},
		{method: "GET", url: "/explore/networking/winsock-afd?path=io-path", status: 200, contains: []string{"Winsock"}, notContains: []string{"Guided path: "}},
		{method: "GET", url: "/explore/networking/winsock-afd?path=nope&x=%zz;;", status: 200, notContains: []string{"Guided path: "}},
		{method: "GET", url: "/explore/networking/winsock-afd?path=%ff%fe", status: 200},
		{method: "GET", url: "/explore/networking/winsock-afd/", status: 200, contains: []string{"Winsock, AFD"}},
		{method: "GET", url: "/explore/io/interrupts", status: 200, contains: []string{"What you should already know", "Official Microsoft docs"}},
		{method: "GET", url: "/explore/networking/winsok-afd", status: 404, contains: []string{"We could not find that page", "Winsock, AFD, and kernel boundaries"}},
		{method: "GET", url: "/explore/../../etc/passwd", status: 404},
		{method: "GET", url: "/explore/%2e%2e/%2e%2e/etc/passwd", status: 404, notContains: []string{"root:"}},
		{method: "GET", url: "/static/../../go.mod", status: 404, notContains: []string{"module ntatlas"}},
		{method: "GET", url: "/paths", status: 200, contains: []string{"Guided paths", "Networking stack tour", "I/O &amp; drivers"}},
		{method: "GET", url: "/paths/networking-path", status: 200, contains: []string{"Start the path", "Name resolution &amp; DNS Client", `href="/explore/networking/ndis?path=networking-path"`}},
		{method: "GET", url: "/paths/nope", status: 404},
		{method: "GET", url: "/glossary", status: 200, contains: []string{"Glossary", "AFD", "From <a href=\"/explore/networking/winsock-afd\">"}},
		{method: "GET", url: "/search?q=AFD", status: 200, contains: []string{"Winsock, AFD, and kernel boundaries", "<mark>"}},
		{method: "GET", url: "/search?q=", status: 200, contains: []string{"Search every topic"}},
		{method: "GET", url: "/search?q=" + strings.Repeat("x", 5000), status: 200, contains: []string{"Only the first 200 characters"}},
		{method: "GET", url: "/search?q=%zz", status: 200},
		{method: "GET", url: "/tools", status: 200, contains: []string{"Labs"}},
		{method: "GET", url: "/tools/nope", status: 404},
		{method: "GET", url: "/healthz", status: 200, contains: []string{"ok"}},
		{method: "GET", url: "/static/downloads/ntatlas-loopback-windows-amd64.exe", status: 200, ctype: "application/vnd.microsoft.portable-executable", contains: []string{"MZ"}},
		{method: "GET", url: "/tools/socket-path", status: 200, contains: []string{"Socket path", "On a Windows machine", "ntatlas-loopback"}},
		{method: "POST", url: "/explore", status: 405},
		{method: "POST", url: "/nowhere", status: 405},
		{method: "GET", url: "/api/v1/", status: 200, ctype: "application/json", contains: []string{"/api/v1/topics"}},
		{method: "GET", url: "/api/v1/topics", status: 200, contains: []string{`"slug": "networking/winsock-afd"`}},
		{method: "GET", url: "/api/v1/topics/networking/winsock-afd", status: 200, contains: []string{`"title": "Winsock, AFD, and kernel boundaries"`, `"readNext"`, `"Next step in your guided path"`}},
		{method: "GET", url: "/api/v1/topics/nope", status: 404, ctype: "application/json", contains: []string{`"code": "not_found"`}},
		{method: "GET", url: "/api/v1/read-next/networking/winsock-afd?path=networking-path", status: 200, contains: []string{`"reason": "Natural next depth in this branch"`}},
		{method: "GET", url: "/api/v1/paths", status: 200, contains: []string{`"id": "networking-path"`}},
		{method: "GET", url: "/api/v1/paths/io-path", status: 200, contains: []string{`"why"`}},
		{method: "GET", url: "/api/v1/glossary", status: 200, contains: []string{`"term"`}},
		{method: "GET", url: "/api/v1/search?q=ndis", status: 200, contains: []string{"NDIS and network adapters"}},
		{method: "GET", url: "/api/v1/search", status: 400, contains: []string{`"code": "invalid"`}},
		{method: "GET", url: "/api/v1/coverage", status: 200, contains: []string{`"branches"`}},
		{method: "GET", url: "/api/v1/labs", status: 200, contains: []string{`"labs"`}},
		{method: "GET", url: "/api/v2/anything", status: 404, ctype: "application/json"},
		// Cross-origin state changes are refused before any handler runs.
		{method: "POST", url: "/api/v1/topics", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, status: 403},
		{method: "POST", url: "/explore", body: strings.Repeat("x", 2<<20), status: 413},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.url, func(t *testing.T) {
			req, err := http.NewRequest(c.method, ts.URL+c.url, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			body := string(b)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d\n%.400s", resp.StatusCode, c.status, body)
			}
			if c.ctype != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
				t.Errorf("Content-Type %q, want %s", resp.Header.Get("Content-Type"), c.ctype)
			}
			for _, s := range c.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range c.notContains {
				if strings.Contains(body, s) {
					t.Errorf("body has %q", s)
				}
			}
			if resp.StatusCode != 403 && resp.StatusCode != 413 {
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
					t.Errorf("CSP %q", csp)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
					t.Errorf("missing nosniff or referrer policy")
				}
			}
		})
	}
}

// No page carries inline script or style: the CSP would block them.
func TestNoInlineScriptOrStyle(t *testing.T) {
	ts := server(t)
	for _, u := range []string{"/", "/explore", "/explore/networking/winsock-afd?path=networking-path", "/explore/networking", "/glossary", "/paths/io-path", "/search?q=irp", "/tools", "/nope"} {
		doc := fetchHTML(t, ts.URL+u)
		walk(doc, func(n *html.Node) {
			if n.Type != html.ElementNode {
				return
			}
			if n.Data == "script" && (attr(n, "src") == "" || n.FirstChild != nil) {
				t.Errorf("%s: inline <script>", u)
			}
			if n.Data == "style" {
				t.Errorf("%s: <style> element", u)
			}
			for _, a := range n.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: inline %s attribute on <%s>", u, a.Key, n.Data)
				}
			}
		})
	}
}

func TestConditionalAndCompressed(t *testing.T) {
	ts := server(t)
	resp, err := http.Get(ts.URL + "/explore/networking/tcpip")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on a precomputed page")
	}
	req, _ := http.NewRequest("GET", ts.URL+"/explore/networking/tcpip", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", ts.URL+"/explore/networking/tcpip", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err = (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip not used for a client that accepts it")
	}
}

func TestTopicJSONShape(t *testing.T) {
	ts := server(t)
	resp, err := http.Get(ts.URL + "/api/v1/topics/networking")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Slug      string `json:"slug"`
		Children  []struct{ Slug string }
		Sections  []struct{ Key, HTML string }
		Schematic *struct{ Zones []struct{ ID, Topic string } }
		Docs      []struct {
			URL    string
			Pinned bool
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if v.Slug != "networking" || len(v.Children) < 6 || v.Schematic == nil || len(v.Schematic.Zones) < 3 || len(v.Docs) < 3 {
		t.Errorf("topic JSON incomplete: %+v", v)
	}
	if len(v.Sections) == 0 || v.Sections[0].Key != "in30" {
		t.Errorf("sections must come in page order, starting with in30")
	}
}

func fetchHTML(t *testing.T, u string) *html.Node {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, c string) bool {
	for _, f := range strings.Fields(attr(n, "class")) {
		if f == c {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(m *html.Node) {
		if m.Type == html.TextNode {
			b.WriteString(m.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestLabAPI(t *testing.T) {
	ts := server(t)
	post := func(path, body string) (int, string) {
		resp, err := http.Post(ts.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("/api/v1/labs/sddl/parse", `{"sddl":"O:BAG:SYD:(A;;FA;;;SY)"}`); code != 200 || !strings.Contains(body, `"S-1-5-18"`) {
		t.Errorf("parse: %d %s", code, body)
	}
	if code, body := post("/api/v1/labs/sddl/parse", `{"sddl":"O:BAG:SYD:(A;;XX;;;BU)"}`); code != 400 || !strings.Contains(body, `"offset": 14`) {
		t.Errorf("bad SDDL: %d %s", code, body)
	}
	if code, _ := post("/api/v1/labs/nope/parse", `{}`); code != 404 {
		t.Errorf("unknown engine: %d", code)
	}
	if code, _ := post("/api/v1/labs/sddl/nope", `{}`); code != 404 {
		t.Errorf("unknown op: %d", code)
	}
	if code, body := post("/api/v1/labs/sddl/parse", `{"sddl":`); code != 400 || !strings.Contains(body, "offset") {
		t.Errorf("truncated JSON: %d %s", code, body)
	}
	resp, err := http.Get(ts.URL + "/api/v1/labs/sddl/parse")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Errorf("GET on a lab operation must not run it")
	}
}

// A client that floods the lab API is slowed down; another client is not.
func TestLabAPIRateLimit(t *testing.T) {
	s, err := web.New(web.Config{Content: ntatlas.Content()})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	limited := 0
	for i := 0; i < 100; i++ {
		req := httptest.NewRequest("POST", "/api/v1/labs/wfp/puzzles", strings.NewReader(`{}`))
		req.RemoteAddr = "192.0.2.1:1234"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == http.StatusTooManyRequests {
			limited++
			if w.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Fatal("100 requests in a burst were never limited")
	}
	req := httptest.NewRequest("POST", "/api/v1/labs/wfp/puzzles", strings.NewReader(`{}`))
	req.RemoteAddr = "198.51.100.7:999"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Errorf("another client was limited too: %d", w.Code)
	}
}

// Fingerprinted assets are cached for good; plain names are revalidated.
func TestStaticCaching(t *testing.T) {
	ts := server(t)
	doc := fetchHTML(t, ts.URL+"/")
	var css string
	walk(doc, func(n *html.Node) {
		if n.Data == "link" && attr(n, "rel") == "stylesheet" {
			css = attr(n, "href")
		}
	})
	for path, want := range map[string]string{css: "immutable", "/static/style.css": "no-cache", "/static/labs/runtime.js": "no-cache"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || !strings.Contains(cc, want) {
			t.Errorf("%s: status %d, Cache-Control %q, want %s", path, resp.StatusCode, cc, want)
		}
	}
}

// The labs are wired into the topics the lab issues name: the topic page shows the lab under
// "Related labs" with the "Open lab" badge, and (where named) a guided exercise; the lab page
// links back to the topic.
func TestLabsWiredIntoTopics(t *testing.T) {
	ts := server(t)
	cases := []struct {
		topic, lab string
		exercise   bool
	}{
		{"security/descriptors-acls", "security-acl", true}, // issue #4
		{"security/access-checks-srm", "access-check", true},
		{"security/token", "access-check", true},
		{"diagnostics/event-log/evtx", "evtx", true}, // issue #5
		{"diagnostics/event-log", "evtx", true},
		{"processes", "process-tree", true}, // issue #7
		{"io", "irp", false},
		{"io/manager", "irp", true},
		{"io/drivers", "irp", true},
		{"storage/filesystems", "irp", true},
		{"networking/winsock-afd", "irp", true},
	}
	for _, c := range cases {
		res, err := http.Get(ts.URL + "/explore/" + c.topic)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(b)
		if res.StatusCode != 200 || !strings.Contains(page, `id="related-labs"`) || !strings.Contains(page, `href="/tools/`+c.lab+`"`) || !strings.Contains(page, "Open lab") {
			t.Errorf("%s: lab %s is not wired (status %d)", c.topic, c.lab, res.StatusCode)
		}
		if c.exercise && !strings.Contains(page, `id="guided-exercise"`) {
			t.Errorf("%s: no guided exercise", c.topic)
		}
		res, err = http.Get(ts.URL + "/tools/" + c.lab)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), `href="/explore/`+c.topic+`"`) {
			t.Errorf("lab %s does not link back to %s", c.lab, c.topic)
		}
	}
}

// Every guided path walks end to end: from step 1, the "Continue" link of each step leads to
// the next step inside the path, and the last step says the path is complete.
func TestEveryPathWalksWithContinue(t *testing.T) {
	ts := server(t)
	site := srv.Site()
	if len(site.Paths) != 15 {
		t.Errorf("%d guided paths, want the 15 of PRODUCT.md", len(site.Paths))
	}
	cont := regexp.MustCompile(`<a class="button" href="([^"]+)" rel="next" data-continue>`)
	for _, p := range site.Paths {
		url := p.Steps[0].Topic.URL() + "?path=" + p.ID
		for i, st := range p.Steps {
			res, err := http.Get(ts.URL + url)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			page := string(b)
			want := fmt.Sprintf("Step %d of %d", i+1, len(p.Steps))
			if res.StatusCode != 200 || !strings.Contains(page, want) || !strings.Contains(page, html.EscapeString(st.Topic.Title)) {
				t.Errorf("%s step %d (%s): status %d, want %q", p.ID, i+1, url, res.StatusCode, want)
				break
			}
			if i == len(p.Steps)-1 {
				if !strings.Contains(page, "Path complete") {
					t.Errorf("%s: the last step does not say the path is complete", p.ID)
				}
				break
			}
			m := cont.FindStringSubmatch(page)
			if m == nil {
				t.Errorf("%s step %d: no Continue link", p.ID, i+1)
				break
			}
			url = html.UnescapeString(m[1])
			if wantURL := p.Steps[i+1].Topic.URL() + "?path=" + p.ID; url != wantURL {
				t.Errorf("%s step %d: Continue goes to %s, want %s", p.ID, i+1, url, wantURL)
				break
			}
		}
	}
}

// The curriculum of issue #3 on the real content: 16 branches, at least 73 topics, the seven
// schematics of PRODUCT.md, at least 26 topics with building blocks, at least 150 glossary
// terms; /explore links every topic, and the glossary page lists every term.
func TestCurriculumShape(t *testing.T) {
	ts := server(t)
	site := srv.Site()
	c := site.Coverage
	if c.Branches != 16 || c.Topics < 73 || c.WithBlocks < 26 || len(site.Glossary) < 150 || c.Paths != 15 {
		t.Errorf("coverage %+v, glossary %d", c, len(site.Glossary))
	}
	for _, slug := range []string{"architecture", "processes", "memory", "diagnostics", "security", "networking", "gui"} {
		if tp := site.BySlug[slug]; tp == nil || tp.Schematic == nil {
			t.Errorf("%s has no schematic", slug)
		}
	}
	get := func(path string) string {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	explore := get("/explore")
	for _, tp := range site.Topics {
		if !strings.Contains(explore, `href="`+tp.URL()+`"`) {
			t.Errorf("/explore does not link %s", tp.Slug)
		}
	}
	glossary := get("/glossary")
	if n := strings.Count(glossary, `class="glossary-entry"`); n != len(site.Glossary) {
		t.Errorf("/glossary shows %d entries, the model has %d", n, len(site.Glossary))
	}
}
