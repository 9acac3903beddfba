package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ntatlas"
	"ntatlas/internal/web"
)

func exportSite(t *testing.T) (string, web.ExportReport) {
	t.Helper()
	s, err := web.New(web.Config{Content: ntatlas.Content(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	rep, err := s.Export(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, rep
}

var localRef = regexp.MustCompile(`(?:href|src|data-[a-z-]+)="(/[^"]*)"`)

// The offline copy is complete and self-contained: every local link and asset reference in
// every page resolves to a file of the copy, nothing points at what needs the server (search,
// progress, the API), and no page posts a form.
func TestExportIsSelfContained(t *testing.T) {
	dir, rep := exportSite(t)
	if rep.Pages < 150 || rep.Assets < 10 {
		t.Fatalf("export wrote %d pages and %d assets", rep.Pages, rep.Assets)
	}
	exists := func(ref string) bool {
		ref = strings.SplitN(strings.SplitN(ref, "#", 2)[0], "?", 2)[0]
		p := filepath.Join(dir, filepath.FromSlash(ref))
		st, err := os.Stat(p)
		if err != nil {
			return false
		}
		if st.IsDir() {
			_, err = os.Stat(filepath.Join(p, "index.html"))
			return err == nil
		}
		return true
	}
	pages := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		pages++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		page := string(b)
		rel, _ := filepath.Rel(dir, p)
		if !strings.Contains(page, "<html lang=\"en\" data-offline>") {
			t.Errorf("%s is not marked offline", rel)
		}
		for _, bad := range []string{`method="post"`, "?path=", `href="/me"`, `action="/search"`, `href="/api/`} {
			if strings.Contains(page, bad) {
				t.Errorf("%s contains %q", rel, bad)
			}
		}
		for _, m := range localRef.FindAllStringSubmatch(page, -1) {
			if !exists(m[1]) {
				t.Errorf("%s refers to %s, which the copy does not have", rel, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != rep.Pages {
		t.Errorf("found %d HTML files, the report says %d", pages, rep.Pages)
	}
	// A topic inside a path is its own file, with the banner that says where the learner is.
	b, err := os.ReadFile(filepath.Join(dir, "explore/networking/winsock-afd/_path/networking-path/index.html"))
	if err != nil || !strings.Contains(string(b), "Step 3 of 7") || !strings.Contains(string(b), `href="/explore/networking/tcpip/_path/networking-path/" rel="next" data-continue`) {
		t.Errorf("the seed page inside its path is missing or has no banner (%v)", err)
	}
}

func TestExportRefusesNonEmptyDir(t *testing.T) {
	s, err := web.New(web.Config{Content: ntatlas.Content(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Export(dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("export into a non-empty directory: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "mine" {
		t.Fatal("export touched a file that was there")
	}
}
