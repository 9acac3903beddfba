package web

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	ct "ntatlas/internal/content/contenttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The renderer's output for a small fixed site, byte for byte. A change to templates shows up
// here as a diff to review; run `go test ./internal/web -run Golden -update` to accept it.
func TestGolden(t *testing.T) {
	topics := []ct.T{
		{Slug: "net", Title: "Networking", Extra: "blocks:\n  - {kind: file, name: afd.sys, path: 'C:\\Windows\\System32\\drivers\\afd.sys', role: Kernel side of `Winsock`.}\nschematic:\n  title: The stack\n  zones:\n    - {id: apps, title: Apps, text: Programs call Winsock., topic: net/afd}\n    - {id: afd, title: AFD, text: The driver., topic: net/afd}\n    - {id: nic, title: NIC, text: The card., topic: net/tcp}\n"},
		{Slug: "net/afd", Title: "AFD", Level: "intermediate", Order: 1, Related: []string{"net/tcp", "io"}},
		{Slug: "net/tcp", Title: "TCP", Level: "intermediate", Order: 2},
		{Slug: "net/wfp", Title: "WFP", Level: "expert", Order: 3, Prereqs: []string{"net/tcp"}, Related: []string{"net/tcp"}},
		{Slug: "io", Title: "I/O"},
	}
	fs := ct.FS(topics, []ct.Path{{ID: "net-path", Steps: []string{"net", "net/afd", "net/tcp", "net/wfp"}}, {ID: "start-here", Kind: "start", Steps: []string{"net", "io"}}})
	s, err := New(Config{Content: fs})
	if err != nil {
		t.Fatal(err)
	}
	st := s.cur.Load()
	for key, name := range map[string]string{
		"/explore/net/afd?path=net-path": "topic-in-path.html",
		"/explore/net":                   "branch-root.html",
		"/explore/net/wfp":               "expert.html",
		"/":                              "home.html",
		"/explore":                       "explore.html",
		"/paths/net-path":                "path.html",
		"/glossary":                      "glossary.html",
	} {
		p := st.pages[key]
		if p == nil {
			t.Errorf("no page %s", key)
			continue
		}
		// Asset names carry content hashes; keep the golden files about the markup.
		body := p.body
		for _, u := range []string{s.static.urls.CSS, s.static.urls.JS, s.static.urls.ThemeJS, s.static.urls.DevJS} {
			body = bytes.ReplaceAll(body, []byte(u), []byte("/static/ASSET"))
		}
		file := filepath.Join("testdata", "golden", name)
		if *update {
			os.MkdirAll(filepath.Dir(file), 0o755)
			if err := os.WriteFile(file, body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if string(want) != string(body) {
			t.Errorf("%s differs from %s; inspect with -update and git diff", key, file)
		}
	}
}
