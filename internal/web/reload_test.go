package web_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	ct "ntatlas/internal/content/contenttest"
	"ntatlas/internal/web"
)

// In dev mode a broken edit keeps the last good content served and shows the problem on every
// page; fixing it serves the new content.
func TestReloadKeepsLastGoodVersion(t *testing.T) {
	topics := []ct.T{{Slug: "net", Title: "Networking"}, {Slug: "net/afd", Title: "AFD", Related: []string{"net"}}}
	fs := ct.FS(topics, nil)
	s, err := web.New(web.Config{Content: fs, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	get := func(path string) string {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if body := get("/explore/net/afd"); !strings.Contains(body, "<h1>AFD</h1>") || strings.Contains(body, "dev-error") {
		t.Fatalf("initial page wrong")
	}

	// Break the content: a dangling related link.
	fs["topics/net/afd.md"] = &fstest.MapFile{Data: []byte(strings.Replace(topics[1].Source(), "related: [net]", "related: [net/nope]", 1))}
	if err := s.Reload(); err == nil {
		t.Fatal("Reload accepted broken content")
	}
	body := get("/explore/net/afd")
	if !strings.Contains(body, "<h1>AFD</h1>") {
		t.Errorf("last good version is not served after a broken reload")
	}
	if !strings.Contains(body, "dev-error") || !strings.Contains(body, "topics/net/afd.md:7: related &#34;net/nope&#34;: no such topic") {
		t.Errorf("the problem is not shown on the page:\n%.2000s", body)
	}

	// Fix it with a new title: the new version is served and the banner is gone.
	fixed := topics[1]
	fixed.Title = "AFD driver"
	fs["topics/net/afd.md"] = &fstest.MapFile{Data: []byte(fixed.Source())}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	body = get("/explore/net/afd")
	if !strings.Contains(body, "<h1>AFD driver</h1>") || strings.Contains(body, "dev-error") {
		t.Errorf("fixed content not served or banner still shown")
	}
}

// Without dev mode the error banner never appears, and invalid content refuses to start.
func TestInvalidContentRefusesToStart(t *testing.T) {
	fs := ct.FS([]ct.T{{Slug: "net", Related: []string{"nowhere"}}}, nil)
	if _, err := web.New(web.Config{Content: fs}); err == nil || !strings.Contains(err.Error(), "topics/net/_index.md") {
		t.Fatalf("web.New on invalid content: %v", err)
	}
}
