package web_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"ntatlas/internal/progress"
	"ntatlas/internal/search"
	"ntatlas/internal/web"
)

// clock is a fake time shared by the server and its store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func reviewCards(m map[string]any) []string {
	var out []string
	for _, c := range m["cards"].([]any) {
		out = append(out, c.(map[string]any)["key"].(string))
	}
	return out
}

// The terms of the topics a learner is learning come up for review, then return on the
// Leitner schedule: good moves a term a box up, again sends it back to the first box.
func TestReviewSchedule(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	ts, _ := progressServer(t, web.Config{Now: clk.now, Progress: progress.NewMemory(progress.Config{Now: clk.now})})
	l := newLearner(t, ts.URL)
	if m := l.json("GET", "/api/v1/me/review", nil, 200); m["learner"] != false || len(m["cards"].([]any)) != 0 {
		t.Fatalf("anonymous review queue: %v", m)
	}
	l.json("PUT", "/api/v1/me/progress/net/dns", map[string]string{"status": "learning"}, 200)
	m := l.json("GET", "/api/v1/me/review", nil, 200)
	if got := strings.Join(reviewCards(m), ","); got != "term-of-net-dns,second-term-of-net-dns" || m["new"].(float64) != 2 {
		t.Fatalf("new cards: %q (%v)", got, m)
	}
	r := l.json("POST", "/api/v1/me/review/term-of-net-dns", map[string]string{"grade": "good"}, 200)
	if r["box"].(float64) != 1 || r["due"] != "2026-11-26T12:00:00Z" {
		t.Fatalf("after good: %v", r)
	}
	l.json("POST", "/api/v1/me/review/second-term-of-net-dns", map[string]string{"grade": "again"}, 200)
	if got := strings.Join(reviewCards(l.json("GET", "/api/v1/me/review", nil, 200)), ","); got != "" {
		t.Fatalf("right after reviewing, nothing is due: %q", got)
	}
	clk.add(11 * time.Minute) // the "again" term is due after 10 minutes
	if got := strings.Join(reviewCards(l.json("GET", "/api/v1/me/review", nil, 200)), ","); got != "second-term-of-net-dns" {
		t.Fatalf("after 11 minutes: %q", got)
	}
	clk.add(24 * time.Hour) // and the "good" one after a day; the older due comes first
	m = l.json("GET", "/api/v1/me/review", nil, 200)
	if got := strings.Join(reviewCards(m), ","); got != "second-term-of-net-dns,term-of-net-dns" || m["due"].(float64) != 2 {
		t.Fatalf("after a day: %q", got)
	}
	r = l.json("POST", "/api/v1/me/review/term-of-net-dns", map[string]string{"grade": "easy"}, 200)
	if r["box"].(float64) != 3 || r["reviews"].(float64) != 2 {
		t.Fatalf("easy from box 1: %v", r)
	}
	r = l.json("POST", "/api/v1/me/review/term-of-net-dns", map[string]string{"grade": "again"}, 200)
	if r["box"].(float64) != 0 || r["lapses"].(float64) != 1 {
		t.Fatalf("again from box 3: %v", r)
	}
}

func TestReviewInputErrors(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	if m := l.json("POST", "/api/v1/me/review/no-such-term", map[string]string{"grade": "good"}, 404); !strings.Contains(errMessage(m), `no key term "no-such-term"`) {
		t.Errorf("unknown term: %q", errMessage(m))
	}
	if m := l.json("POST", "/api/v1/me/review/term-of-net-dns", map[string]string{"grade": "perfect"}, 400); !strings.Contains(errMessage(m), `grade: unknown grade "perfect"`) {
		t.Errorf("bad grade: %q", errMessage(m))
	}
	if m := l.json("POST", "/api/v1/me/review/term-of-net-dns", `{"grade":"good","x":1}`, 400); !strings.Contains(errMessage(m), `unknown field "x"`) {
		t.Errorf("unknown field: %q", errMessage(m))
	}
	res, _ := l.do("POST", "/api/v1/me/review/term-of-net-dns", "application/json", strings.NewReader(`{"grade":"good"}`), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.StatusCode != 403 {
		t.Errorf("cross-site review: %d", res.StatusCode)
	}
	if p := l.progress(); p["learner"] != false {
		t.Errorf("refused reviews created a learner: %v", p)
	}
}

// Without JavaScript: the page shows one card with its definition behind a disclosure, and
// the grade buttons post a form and come back to the next card; /me counts what is due.
func TestReviewPages(t *testing.T) {
	ts, _ := progressServer(t, web.Config{})
	l := newLearner(t, ts.URL)
	_, page := l.do("GET", "/review", "", nil)
	if !strings.Contains(string(page), "Mark a topic as") {
		t.Fatal("empty review page does not explain how terms get there")
	}
	l.json("PUT", "/api/v1/me/progress/net/tcp", map[string]string{"status": "done"}, 200)
	_, page = l.do("GET", "/me", "", nil)
	if !strings.Contains(string(page), "0 due and 2 new terms") {
		t.Errorf("/me review summary missing")
	}
	_, page = l.do("GET", "/review", "", nil)
	for _, want := range []string{`data-review-card="term-of-net-tcp"`, "Show the definition", "What net/tcp defines.", `value="again"`, "1 more after this one"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	res, _ := l.do("POST", "/review", "application/x-www-form-urlencoded", strings.NewReader(url.Values{"term": {"term-of-net-tcp"}, "grade": {"good"}}.Encode()))
	if res.StatusCode != 303 || res.Header.Get("Location") != "/review" {
		t.Fatalf("grade form: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = l.do("GET", "/review", "", nil)
	if !strings.Contains(string(page), `data-review-card="second-term-of-net-tcp"`) {
		t.Errorf("the next card is not shown")
	}
	res, page = l.do("POST", "/review", "application/x-www-form-urlencoded", strings.NewReader("term=term-of-net-tcp&grade=meh"))
	if res.StatusCode != 400 || !strings.Contains(string(page), "unknown grade") {
		t.Errorf("bad grade in the form: %d", res.StatusCode)
	}
}

// Term keys are glossary anchors: two terms must never share one, or their reviews would mix.
func TestReviewTermKeysUnique(t *testing.T) {
	server(t)
	seen := map[string]string{}
	for _, g := range srv.Site().Glossary {
		k := strings.TrimPrefix(search.Anchor(g.Term), "term-")
		if prev, dup := seen[k]; dup {
			t.Errorf("terms %q and %q share the key %q", prev, g.Term, k)
		}
		seen[k] = g.Term
		if err := progress.ValidID("term", k); err != nil {
			t.Errorf("term %q: key %q is not a valid id: %v", g.Term, k, err)
		}
	}
	if len(seen) < 150 {
		t.Errorf("%d terms", len(seen))
	}
}
